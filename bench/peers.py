"""Benchmark: one adjudication step through caseflow's engine, viewflow.fsm, django-fsm-2 and raw
SQL, on one shared database per backend, interleaved.

    .venv/bin/python bench/peers.py [--cases 20] [--rounds 6] [--pg URL | --no-pg]

The workload: an adjudication case goes accept → serve → receive_answer → decide, one transaction
per step. Every system writes the same rows per step: the case (state, version under a version
guard, data, last event, next due), one audit ``events`` row, the clock rows (stopped ones
updated, started ones inserted) and their ``clock_entries`` history rows, and — on accept, serve
and decide — a gapless document number (the ``sequences`` counter) with a pending ``notices`` row.

- caseflow: ``case_fire`` on the real app (its checks, guards, clock services and notice queue).
- viewflow.fsm (django-viewflow 2.4, Django 5.2 ORM) and django-fsm-2 4.2.4 (Django 5.2 ORM):
  Django models over caseflow's tables (``managed = False``), the state machine of each library
  on the case, the writes as a Django developer makes them (``bench/peers_django.py``). They run
  in their own virtualenv, ``bench/.venv-peers``, which this script creates from
  ``bench/requirements-peers.txt`` (never the product's requirements).
- floor: the same statements through the bare driver (sqlite3 / psycopg), nothing else.

The peers and the floor do not count periods: the due dates, alert moments and notice titles
they write are taken from a template case the engine ran first (the "plan"); computing them costs
caseflow about 1 µs a clock (bench/deadlines.py). Every system runs in its own process on the same
database, one after the other, round by round in rotating order, after a warm-up round; each
round fires all four steps on ``--cases`` fresh cases. Reported: the median µs per transition
over the rounds and the min–max. One more round, not measured, times each call of every system
into the database driver (statements and commit): the statements a step sends and the time the
database takes, the rest being the system's own Python. Afterwards every system's rows are
compared with caseflow's.
The last line per backend is the one scripts read:

    SQLite: caseflow 4240 µs, faster peer 3526 µs (django-fsm-2), floor 570 µs; caseflow/peer 1.20×, caseflow/floor 7.44×
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Replace, not prepend: bench/ holds transitions.py, which would shadow the package.
sys.path[0] = str(ROOT)

PEERS_VENV = HERE / ".venv-peers"
SYSTEMS = ("caseflow", "viewflow", "django-fsm-2", "floor")
UNIT_OF = {
    "caseflow": "PC",
    "viewflow": "PV",
    "django-fsm-2": "PF",
    "floor": "PR",
    "template": "PT",
}
STEPS = ("accept", "serve", "receive_answer", "decide")
RECEIVED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
STEP_AT = {
    "accept": RECEIVED + timedelta(days=1),
    "serve": RECEIVED + timedelta(days=3),
    "receive_answer": RECEIVED + timedelta(days=10),
    "decide": RECEIVED + timedelta(days=30),
}
#: The decision finds no infringement: an infringement found also writes a credit record (credit.md),
#: a row outside this comparison. Its reasoning is required (行政诉讼法 art 34).
STEP_DATA = {
    "accept": {"handlers": ["张三", "李四", "王五"]},
    "decide": {
        "outcome": "not_infringing",
        "findings": "被请求人制造、销售的灯具散热结构与涉案专利权利要求1的技术特征不同。",
        "reasoning": "被控侵权产品未落入涉案专利权的保护范围。",
        "items": ["驳回请求人的处理请求"],
    },
}
#: Written by the system or the database per row, not part of "the same rows".
VOLATILE = {"id", "case_id", "clock_id", "event_id", "actor_id", "recorded_at", "created_at"}


# --- the peers' virtualenv -----------------------------------------------------------------------


def peers_python() -> str:
    python = PEERS_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {PEERS_VENV} (bench/requirements-peers.txt)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    check = subprocess.run(
        [str(python), "-c", "import django, viewflow, django_fsm, psycopg"], capture_output=True
    )
    if check.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements-peers.txt")],
            check=True,
        )
    return str(python)


# --- the shared database -------------------------------------------------------------------------


def build_app(url: str, storage: str):
    """The app on the shared database, not migrated here (``seed`` does it)."""
    from bench.common import bench_app

    return bench_app(url, storage, migrate=False, CASEFLOW_RENDER_NOTICES_INLINE=False)


def seed(app, cases_per_system: int) -> dict:
    """A unit per system (same profile), its caseworker and supervisor, and its filed cases."""
    from flask_migrate import upgrade

    from caseflow.accounts.models import User
    from caseflow.accounts.services import unit_upsert
    from caseflow.calendar.services import calendar_seed_official
    from caseflow.cases.services import case_open
    from caseflow.extensions import db
    from workflows.profiles import ZHONGSHAN

    with app.app_context():
        upgrade()
        calendar_seed_official()
        db.session.commit()
        out = {}
        for system, code in UNIT_OF.items():
            unit = unit_upsert(
                code=code,
                name=f"{ZHONGSHAN['name']}{code}",
                kind=ZHONGSHAN["kind"],
                profile=ZHONGSHAN["profile"],
            )
            users = {}
            for role in ("caseworker", "supervisor"):
                user = User(
                    username=f"bench_{code}_{role}",
                    display_name=role,
                    password_hash="!",
                    role=role,
                    unit=unit,
                )
                db.session.add(user)
                users[role] = user
            db.session.flush()
            count = 1 if system == "template" else cases_per_system
            ids = []
            for i in range(count):
                case = case_open(
                    workflow="adjudication",
                    unit=unit,
                    actor=users["caseworker"],
                    channel="web",
                    received_at=RECEIVED,
                    title="LED灯具散热结构",
                    complainant={"name": "中山市明辉照明科技有限公司"},
                    respondent={"name": f"佛山市光耀灯饰厂{i}"},
                    right={"kind": "patent", "patent_type": "invention", "number": f"ZL{i}"},
                )
                ids.append(case.id)
            out[system] = {
                "unit_id": unit.id,
                "unit_code": code,
                "users": {role: user.id for role, user in users.items()},
                "cases": ids,
            }
        db.session.commit()  # the caller commits (services flush)
        db.session.remove()
    return out


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(obj) -> dict:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns}


def make_plan(app, template: dict) -> list[dict]:
    """Fire the four steps on the template case through the engine and record, step by step,
    every row it wrote: what the peers and the floor will write."""
    from sqlalchemy import select

    from caseflow.accounts.models import User
    from caseflow.cases.models import Case, Event
    from caseflow.clocks.models import Clock, ClockEntry
    from caseflow.engine import case_fire
    from caseflow.extensions import db
    from caseflow.notices.models import Notice

    plan = []
    with app.app_context():
        case_id = template["cases"][0]
        before = {
            c.id: _row(c) for c in db.session.scalars(select(Clock).filter_by(case_id=case_id))
        }
        case_before = _row(db.session.get(Case, case_id))
        for trigger in STEPS:
            case = db.session.get(Case, case_id)
            role = "supervisor" if trigger == "decide" else "caseworker"
            actor = db.session.get(User, template["users"][role])
            event = case_fire(
                case,
                trigger,
                actor,
                occurred_at=STEP_AT[trigger],
                data=STEP_DATA.get(trigger),
                render_notices=False,
            )
            db.session.commit()  # the caller commits (services flush)
            event_row = _row(db.session.get(Event, event.id))
            clocks = {
                c.id: _row(c) for c in db.session.scalars(select(Clock).filter_by(case_id=case_id))
            }
            names = {cid: row["name"] for cid, row in clocks.items()}
            started = [row for cid, row in clocks.items() if cid not in before]
            stopped = {}
            for cid, row in clocks.items():
                if cid in before and row != before[cid]:
                    stopped[row["name"]] = {k: v for k, v in row.items() if v != before[cid][k]}
            entries = [
                {**_row(e), "clock": names[e.clock_id], "new": e.clock_id not in before}
                for e in db.session.scalars(
                    select(ClockEntry).filter_by(event_id=event.id).order_by(ClockEntry.id)
                )
            ]
            notice = db.session.scalar(select(Notice).filter_by(event_id=event.id))
            case_after = _row(db.session.get(Case, case_id))
            plan.append(
                {
                    "trigger": trigger,
                    "role": role,
                    "data": STEP_DATA.get(trigger),
                    "from": event_row["from_state"],
                    "to": event_row["to_state"],
                    "event": event_row,
                    "clocks_started": started,
                    "clocks_changed": stopped,
                    "entries": entries,
                    "notice": _notice_plan(notice),
                    "case": {k: v for k, v in case_after.items() if v != case_before[k]},
                }
            )
            before, case_before = clocks, case_after
        db.session.remove()
    return plan


def _notice_plan(notice):
    if notice is None:
        return None
    row = _row(notice)
    # The scope is notice:<unit code>:<year>:<pattern> (caseflow.notices.services).
    _, _, year, pattern = row["sequence_scope"].split(":", 3)
    return {
        "row": row,
        "scope": f"notice:{{unit}}:{year}:{pattern}",
        "pattern": pattern,
        "addressee": row["addressee"],
    }


# --- verification --------------------------------------------------------------------------------


def written_rows(app, system: dict) -> list:
    """A system's rows, without ids, per-row timestamps and random codes, in a stable order."""
    from sqlalchemy import select

    from caseflow.cases.models import Case, Event
    from caseflow.clocks.models import Clock, ClockEntry
    from caseflow.extensions import db
    from caseflow.notices.models import Notice
    from caseflow.sequences import Sequence

    def clean(row, *drop):
        return {k: v for k, v in _row(row).items() if k not in VOLATILE and k not in drop}

    with app.app_context():
        cases = db.session.scalars(
            select(Case).where(Case.id.in_(system["cases"])).order_by(Case.number)
        ).all()
        out = []
        for case in cases:
            clocks = db.session.scalars(
                select(Clock).filter_by(case_id=case.id).order_by(Clock.started_at, Clock.name)
            ).all()
            names = {c.id: c.name for c in clocks}
            events = db.session.scalars(
                select(Event).filter_by(case_id=case.id).order_by(Event.occurred_at, Event.id)
            ).all()
            out.append(
                {
                    "case": clean(
                        case,
                        "number",
                        "public_code",
                        "respondent",
                        "respondent_name",
                        "right",
                        "unit_id",
                        "opened_at",
                    ),
                    "events": [clean(e) for e in events],
                    "clocks": [clean(c, "unit_id") for c in clocks],
                    "entries": sorted(
                        (
                            {**clean(e), "clock": names[e.clock_id]}
                            for e in db.session.scalars(
                                select(ClockEntry).where(ClockEntry.clock_id.in_(list(names)))
                            )
                        ),
                        key=lambda e: (e["at"], e["clock"], e["action"]),
                    ),
                    "notices": [
                        clean(
                            n,
                            "verification_code",
                            "unit_id",
                            "document_number",
                            "sequence_scope",
                            "addressee",
                        )
                        for n in db.session.scalars(
                            select(Notice).filter_by(case_id=case.id).order_by(Notice.id)
                        )
                    ],
                }
            )
        # Per counter (one per pattern: 立案/送达/裁决 documents may share one or not), by pattern.
        numbers = {}
        for scope, value in db.session.execute(
            select(Notice.sequence_scope, Notice.sequence_value).where(
                Notice.unit_id == system["unit_id"]
            )
        ):
            numbers.setdefault(scope.split(":", 3)[3], []).append(value)
        numbers = {pattern: sorted(values) for pattern, values in numbers.items()}
        counter = {
            scope.split(":", 3)[3]: value
            for scope, value in db.session.execute(
                select(Sequence.scope, Sequence.last_value).where(
                    Sequence.scope.like(f"notice:{system['unit_code']}:%")
                )
            )
        }
        db.session.remove()
    return out, numbers, counter


def _normalise(rows):
    """Sequence values depend on the order of cases within a system; they are compared per
    counter below. The opening event names the case's own number."""
    for case in rows:
        for notice in case["notices"]:
            notice.pop("sequence_value", None)
        for event in case["events"]:
            if event["kind"] == "opened":
                event["data"].pop("number", None)
    return rows


def _gapless(numbers: dict) -> bool:
    return all(values == list(range(1, len(values) + 1)) for values in numbers.values())


# --- running -------------------------------------------------------------------------------------


class Worker:
    """One system in its own process, fed a round at a time over a pipe (JSON lines)."""

    def __init__(self, system: str, url: str, setup: dict, plan: list, python: str):
        if system in ("viewflow", "django-fsm-2"):
            argv = [python, str(HERE / "peers_django.py"), system]
        else:
            argv = [sys.executable, str(HERE / "peers.py"), "--worker", system]
        self.system = system
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT)
        )
        self.ask({"url": url, "setup": setup, "plan": plan})

    def ask(self, message: dict) -> dict:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.system} worker died")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.system}: {answer['error']}")
        return answer

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def run_backend(label: str, url: str, args, python: str) -> str:
    with tempfile.TemporaryDirectory() as storage:
        app = build_app(url, storage)
        per_system = args.cases * (args.rounds + 2)  # a warm-up round, the measured, a timed one
        setup = seed(app, per_system)
        plan = make_plan(app, setup["template"])
        workers = {
            system: Worker(system, url, {**setup[system], "storage": storage}, plan, python)
            for system in SYSTEMS
        }
        times = {system: [] for system in SYSTEMS}
        driver = {}
        try:
            for round_no in range(args.rounds + 1):  # round 0 warms up
                order = SYSTEMS[round_no % 4 :] + SYSTEMS[: round_no % 4]
                for system in order:
                    ids = setup[system]["cases"][
                        round_no * args.cases : (round_no + 1) * args.cases
                    ]
                    answer = workers[system].ask({"cases": ids})
                    if round_no:
                        times[system].append(answer["seconds"] / (len(ids) * len(STEPS)) * 1e6)
            # One more round, not among the measured ones, with each call into the driver timed
            # (the timing costs a little): where a step's time goes, database or Python.
            first = (args.rounds + 1) * args.cases
            for system in SYSTEMS:
                ids = setup[system]["cases"][first : first + args.cases]
                answer = workers[system].ask({"cases": ids, "timed": True})
                n = len(ids) * len(STEPS)
                driver[system] = (answer["statements"] / n, answer["driver_seconds"] / n * 1e6)
        finally:
            for worker in workers.values():
                worker.close()

        reference, numbers, counter = written_rows(app, setup["caseflow"])
        reference = _normalise(reference)
        problems = []
        for system in SYSTEMS[1:]:
            rows, their_numbers, their_counter = written_rows(app, setup[system])
            if _normalise(rows) != reference:
                problems.append(f"{system}: rows differ from caseflow's")
                first = next(
                    (i for i, (a, b) in enumerate(zip(rows, reference, strict=False)) if a != b), 0
                )
                if first < len(rows):
                    for key in reference[first]:
                        if rows[first][key] != reference[first][key]:
                            problems.append(f"  case {first}, {key}: {rows[first][key]!r}")
                            problems.append(f"  caseflow:        {reference[first][key]!r}")
                            break
            if not _gapless(their_numbers) or their_numbers != numbers:
                problems.append(f"{system}: document numbers {their_numbers} vs {numbers}")
            if their_counter != counter:
                problems.append(f"{system}: counter {their_counter} vs caseflow's {counter}")
        if not _gapless(numbers):
            problems.append(f"caseflow: document numbers not gapless: {numbers}")

    n = args.cases * len(STEPS)
    print(f"\n{label}: {args.rounds} rounds × {n} transitions per system (after a warm-up round)")
    print(f"  {'system':<14} {'median µs':>10} {'min–max µs':>16} {'÷ caseflow':>11}")
    medians = {s: statistics.median(v) for s, v in times.items()}
    for system in SYSTEMS:
        low, high = min(times[system]), max(times[system])
        print(
            f"  {system:<14} {medians[system]:>10.0f} {f'{low:.0f}–{high:.0f}':>16} "
            f"{medians[system] / medians['caseflow']:>10.2f}×"
        )
    print("  inside the driver, one more round with each call timed (statements per step sent,")
    print("  µs per step in the driver including the commit; the rest is the system's own Python):")
    for system in SYSTEMS:
        statements, inside = driver[system]
        python = medians[system] - inside
        print(
            f"    {system:<14} {statements:>5.2f} statements {inside:>6.0f} µs in the driver, "
            f"{max(python, 0):>6.0f} µs outside it (of the median)"
        )
    if problems:
        print("  rows check FAILED:\n    " + "\n    ".join(problems))
    else:
        print(
            f"  rows check: every system wrote the same rows ({len(reference)} cases, "
            f"{sum(len(c['events']) for c in reference)} events, "
            f"{sum(len(c['entries']) for c in reference)} clock history rows, "
            f"{sum(len(c['notices']) for c in reference)} notices, numbered gapless per counter "
            f"in each unit)"
        )
    peer = min(("viewflow", "django-fsm-2"), key=medians.get)
    cf, fp, fl = medians["caseflow"], medians[peer], medians["floor"]
    return (
        f"{label}: caseflow {cf:.0f} µs, faster peer {fp:.0f} µs ({peer}), floor {fl:.0f} µs; "
        f"caseflow/peer {cf / fp:.2f}×, caseflow/floor {cf / fl:.2f}×"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="cases per system per round")
    parser.add_argument("--rounds", type=int, default=6, help="measured rounds (plus a warm-up)")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--worker", choices=("caseflow", "floor"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        import importlib.util

        # By path: bench/ on sys.path would let bench/transitions.py shadow the package.
        spec = importlib.util.spec_from_file_location("peers_workers", HERE / "peers_workers.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.serve(args.worker)

    python = peers_python()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        lines.append(
            run_backend("SQLite", f"sqlite:///{os.path.join(tmp, 'peers.db')}", args, python)
        )
    if not args.no_pg:
        import psycopg
        from sqlalchemy import make_url

        base = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"caseflow_peers_{secrets.token_hex(3)}"
        admin = base.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = base.set(database=name).render_as_string(hide_password=False)
            lines.append(run_backend("PostgreSQL", url, args, python))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    started = time.perf_counter()
    sys.exit(main())
