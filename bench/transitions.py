"""Benchmark: 10,000 transitions through the engine vs the same row writes done directly with
SQLAlchemy, and vs the raw floor (the same statements through the bare driver), with memory.

    .venv/bin/python bench/transitions.py [--cases 500] [--rounds 10] [--pg URL | --no-pg]

The workload is the pre-examination revision loop on ``--cases`` cases (design patents at ZS),
``--rounds`` times ``request_revision`` + ``submit_revision`` each: every step changes the state,
writes its audit event and two clock changes (pause ``review`` + start ``revision``, or stop
``revision`` + resume ``review``), and every other step queues a notice with a gapless document
number. One transaction per step, as in the application.

The direct variant performs the same writes with Core statements — case row update (guarded by
the version), event insert, clock updates and inserts with their entries, the counter upsert and
the notice insert — using the same period arithmetic (``due_compute``), and nothing else: no
checks, no reads. The ratio is therefore the engine's whole overhead (validation, locking read,
machine, clock services). Target: ≤ 2×, and memory flat (tracemalloc's current size and the RSS
do not grow with the number of transitions).

The raw floor (a third set of cases) runs the direct variant's statements as SQL text through
sqlite3 / psycopg, with caseflow's SQLite pragmas: what the writes cost with no SQLAlchemy at all.
Target: engine ≤ 3× the floor on SQLite (issue 17).
"""

import argparse
import gc
import os
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This file is called transitions.py: drop its own folder from the path, or it would shadow the
# ``transitions`` package the engine imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import insert, make_url, select, update  # noqa: E402

from bench.common import bench_app  # noqa: E402
from caseflow.extensions import db  # noqa: E402

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_app(url: str, storage: str):
    return bench_app(url, storage, CASEFLOW_RENDER_NOTICES_INLINE=False)


def seed(count: int):
    """ZS with a caseworker and an approved applicant; ``count`` pre-exam cases under review."""
    from caseflow.accounts.models import User
    from caseflow.accounts.services import unit_upsert
    from caseflow.applicants.creditcode import credit_code_check_char
    from caseflow.applicants.models import Applicant
    from workflows.profiles import ZHONGSHAN

    unit = unit_upsert(**{k: ZHONGSHAN[k] for k in ("code", "name", "kind", "profile")})
    worker = User(
        username="bench_worker",
        display_name="bench",
        password_hash="!",
        role="caseworker",
        unit=unit,
    )
    db.session.add(worker)
    db.session.flush()
    first17 = "9144200000000000" + "1"
    applicant = Applicant(
        unit=unit,
        name="基准测试公司",
        credit_code=first17 + credit_code_check_char(first17),
        status="approved",
        registered_at=START,
        approved_at=START,
        registered_by_id=worker.id,
        approved_by_id=worker.id,
    )
    db.session.add(applicant)
    db.session.commit()
    return _cases_under_review(unit, worker, applicant, count, "B")


def _cases_under_review(unit, worker, applicant, count: int, prefix: str):
    """``count`` pre-exam cases opened and taken into review through the engine; their ids and
    the worker's id, with the session emptied so the measured runs start cold."""
    from caseflow.cases.services import case_open
    from caseflow.engine import case_fire

    ids = []
    for i in range(count):
        case = case_open(
            workflow="pre_exam",
            unit=unit,
            actor=worker,
            channel="web",
            received_at=START - timedelta(seconds=i),
            complainant={"name": "基准测试公司"},
            right={
                "kind": "patent",
                "patent_type": "design",
                "classification": "26-05",
                "number": f"{prefix}{i}",
            },
            applicant_id=applicant.id,
        )
        case_fire(
            case,
            "start_review",
            worker,
            occurred_at=START + timedelta(minutes=1),
            render_notices=False,
        )
        db.session.commit()  # the caller commits (services flush)
        ids.append(case.id)
    worker_id = worker.id
    db.session.expunge_all()
    return ids, worker_id


def _step_at(round_no: int, half: int) -> datetime:
    # Each round is a day later, so clocks pause and resume on real working days.
    return START + timedelta(days=round_no + 1, hours=half)


def run_engine(case_ids, worker_id, rounds) -> tuple[float, list]:
    """``rounds``: the round numbers to run (each: both steps on every case)."""
    from caseflow.accounts.models import User
    from caseflow.cases.models import Case
    from caseflow.engine import case_fire

    samples = []
    elapsed = 0.0
    for r in rounds:
        for half, trigger in enumerate(("request_revision", "submit_revision")):
            at = _step_at(r, half)
            begin = time.perf_counter()
            # The signed-in user, loaded once as a request's login loads it (detached: the
            # commits must not expire it and make each step read it again).
            worker = db.session.get(User, worker_id)
            db.session.expunge(worker)
            for case_id in case_ids:
                case = db.session.get(Case, case_id)
                case_fire(case, trigger, worker, occurred_at=at, render_notices=False)
                db.session.commit()  # one committed step per fire, as a page commits it
            elapsed += time.perf_counter() - begin
            db.session.expunge_all()
        gc.collect()
        samples.append((tracemalloc.get_traced_memory()[0] / 1e6, rss_mb()))
    return elapsed, samples


def direct_prepare() -> dict:
    """What the direct variant must know up front (the engine finds it out): tables, clock ids,
    versions."""
    from caseflow.calendar.periods import calendar_for_context
    from caseflow.cases.models import Case, Event
    from caseflow.clocks.models import Clock, ClockEntry
    from caseflow.notices.models import Notice

    cases, events, clocks, entries, notices = (
        m.__table__ for m in (Case, Event, Clock, ClockEntry, Notice)
    )
    calendar = calendar_for_context()
    # What the direct variant must know up front (the engine finds it out): the clock ids.
    state = {
        row.case_id: {"review": row.id}
        for row in db.session.execute(
            select(clocks.c.case_id, clocks.c.id).where(clocks.c.name == "review")
        )
    }
    version = dict(db.session.execute(select(cases.c.id, cases.c.version)).all())
    unit_id = db.session.scalar(select(cases.c.unit_id).limit(1))
    db.session.commit()
    return {
        "tables": (cases, events, clocks, entries, notices),
        "calendar": calendar,
        "state": state,
        "version": version,
        "unit_id": unit_id,
    }


def run_direct(case_ids, worker_id, rounds, prepared) -> tuple[float, list]:
    """The same writes, statement by statement, one transaction per step."""
    from caseflow.calendar.periods import due_compute
    from caseflow.notices.models import new_verification_code
    from caseflow.sequences import sequence_next

    cases, events, clocks, entries, notices = prepared["tables"]
    calendar, state, version = prepared["calendar"], prepared["state"], prepared["version"]
    unit_id = prepared["unit_id"]
    samples = []
    elapsed = 0.0
    for r in rounds:
        for half in (0, 1):
            at = _step_at(r, half)
            begin = time.perf_counter()
            for case_id in case_ids:
                s, v = state[case_id], version[case_id]
                now = datetime.now(UTC)
                trigger, to_state = (
                    ("request_revision", "revision_requested")
                    if half == 0
                    else ("submit_revision", "under_review")
                )
                db.session.execute(
                    update(cases)
                    .where(cases.c.id == case_id, cases.c.version == v)
                    .values(
                        state=to_state,
                        version=v + 1,
                        last_event_at=at,
                        next_due_at=at + timedelta(days=3),
                    )
                )
                version[case_id] = v + 1
                event_id = db.session.execute(
                    insert(events)
                    .values(
                        case_id=case_id,
                        kind="transition",
                        actor_id=worker_id,
                        trigger=trigger,
                        from_state="under_review" if half == 0 else "revision_requested",
                        to_state=to_state,
                        occurred_at=at,
                        recorded_at=now,
                        note="",
                        data={},
                    )
                    .returning(events.c.id)
                ).scalar_one()

                def entry(
                    clock_id, action, due_before, due_after, event_id=event_id, now=now, at=at
                ):
                    db.session.execute(
                        insert(entries).values(
                            clock_id=clock_id,
                            event_id=event_id,
                            actor_id=worker_id,
                            action=action,
                            at=at,
                            due_before=due_before,
                            due_after=due_after,
                            note="",
                            recorded_at=now,
                        )
                    )

                if half == 0:
                    db.session.execute(
                        update(clocks)
                        .where(clocks.c.id == s["review"])
                        .values(status="paused", paused_at=at, remaining=1, next_alert_at=None)
                    )
                    entry(s["review"], "pause", at, at)
                    result = due_compute(at, "5 workdays", calendar=calendar)
                    s["revision"] = db.session.execute(
                        insert(clocks)
                        .values(
                            case_id=case_id,
                            unit_id=unit_id,
                            name="revision",
                            period="5 workdays",
                            period_unit="workdays",
                            started_at=at,
                            due_at=result.due_at,
                            last_day_on=result.last_day_on,
                            status="running",
                            provisional=False,
                            extended=0,
                            paused_seconds=0,
                            next_alert_at=result.due_at,
                        )
                        .returning(clocks.c.id)
                    ).scalar_one()
                    entry(s["revision"], "start", None, result.due_at)
                    seq = sequence_next(f"notice:ZS:2026:bench:{unit_id}")
                    db.session.execute(
                        insert(notices).values(
                            case_id=case_id,
                            unit_id=unit_id,
                            kind="revision_notice",
                            title="预审意见通知书",
                            addressee={"role": "complainant"},
                            document_number=f"基准〔2026〕第{seq}号",
                            sequence_scope="bench",
                            sequence_value=seq,
                            issued_at=at,
                            event_id=event_id,
                            status="pending",
                            verification_code=new_verification_code(),
                            created_at=now,
                            attempts=0,
                        )
                    )
                else:
                    db.session.execute(
                        update(clocks)
                        .where(clocks.c.id == s["revision"])
                        .values(status="met", stopped_at=at, next_alert_at=None)
                    )
                    entry(s["revision"], "stop", at, at)
                    result = due_compute(at, "1 workdays", calendar=calendar)
                    db.session.execute(
                        update(clocks)
                        .where(clocks.c.id == s["review"])
                        .values(
                            status="running",
                            paused_at=None,
                            remaining=None,
                            paused_seconds=3600,
                            due_at=result.due_at,
                            last_day_on=result.last_day_on,
                            next_alert_at=result.due_at,
                        )
                    )
                    entry(s["review"], "resume", at, result.due_at)
                db.session.commit()
            elapsed += time.perf_counter() - begin
        gc.collect()
        samples.append((tracemalloc.get_traced_memory()[0] / 1e6, rss_mb()))
    return elapsed, samples


def raw_connect(url: str):
    """The bare driver on the bench's database: (connection, its placeholder, is SQLite)."""
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        # caseflow's pragmas (caseflow._configure_sqlite), so the floor runs under the same rules.
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "busy_timeout=5000",
            "foreign_keys=ON",
        ):
            conn.execute(f"PRAGMA {pragma}")
        return conn, "?", True
    import psycopg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(plain, autocommit=True), "%s", False


def run_raw(url, case_ids, worker_id, rounds, prepared) -> tuple[float, list]:
    """The floor: the direct variant's statements as SQL text through the bare driver (sqlite3 or
    psycopg), one transaction per step; no SQLAlchemy at all on the measured path."""
    import json

    from caseflow.calendar.periods import due_compute
    from caseflow.notices.models import new_verification_code

    conn, mark, sqlite = raw_connect(url)
    calendar, unit_id = prepared["calendar"], prepared["unit_id"]
    state, version = prepared["raw_state"], prepared["raw_version"]

    def value(v):  # SQLAlchemy's storage on SQLite: naive UTC text; JSON as text everywhere
        if isinstance(v, datetime) and sqlite:
            return v.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, dict):
            return json.dumps(v)
        return v

    def run(sql, *params):
        return conn.execute(sql.replace("?", mark), tuple(value(p) for p in params))

    entry_sql = (
        "INSERT INTO clock_entries (clock_id, event_id, actor_id, action, at, due_before,"
        " due_after, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)"
    )
    samples = []
    elapsed = 0.0
    for r in rounds:
        for half in (0, 1):
            at = _step_at(r, half)
            begin = time.perf_counter()
            for case_id in case_ids:
                s, v = state[case_id], version[case_id]
                now = datetime.now(UTC)
                trigger, from_state, to_state = (
                    ("request_revision", "under_review", "revision_requested")
                    if half == 0
                    else ("submit_revision", "revision_requested", "under_review")
                )
                run("BEGIN")
                run(
                    "UPDATE cases SET state = ?, version = ?, last_event_at = ?, next_due_at = ?"
                    " WHERE id = ? AND version = ?",
                    to_state,
                    v + 1,
                    at,
                    at + timedelta(days=3),
                    case_id,
                    v,
                )
                version[case_id] = v + 1
                event_id = run(
                    "INSERT INTO events (case_id, kind, actor_id, trigger, from_state, to_state,"
                    " occurred_at, recorded_at, note, data) VALUES (?, 'transition', ?, ?, ?, ?,"
                    " ?, ?, '', ?) RETURNING id",
                    case_id,
                    worker_id,
                    trigger,
                    from_state,
                    to_state,
                    at,
                    now,
                    {},
                ).fetchone()[0]
                if half == 0:
                    run(
                        "UPDATE clocks SET status = 'paused', paused_at = ?, remaining = 1,"
                        " next_alert_at = NULL WHERE id = ?",
                        at,
                        s["review"],
                    )
                    run(entry_sql, s["review"], event_id, worker_id, "pause", at, at, at, now)
                    result = due_compute(at, "5 workdays", calendar=calendar)
                    s["revision"] = run(
                        "INSERT INTO clocks (case_id, unit_id, name, period, period_unit,"
                        " started_at, due_at, last_day_on, status, provisional, extended,"
                        " paused_seconds, next_alert_at) VALUES (?, ?, 'revision', '5 workdays',"
                        " 'workdays', ?, ?, ?, 'running', ?, 0, 0, ?) RETURNING id",
                        case_id,
                        unit_id,
                        at,
                        result.due_at,
                        result.last_day_on.isoformat(),
                        0 if sqlite else False,
                        result.due_at,
                    ).fetchone()[0]
                    run(
                        entry_sql,
                        s["revision"],
                        event_id,
                        worker_id,
                        "start",
                        at,
                        None,
                        result.due_at,
                        now,
                    )
                    seq = run(
                        "INSERT INTO sequences (scope, last_value) VALUES (?, 1) ON CONFLICT"
                        " (scope) DO UPDATE SET last_value = sequences.last_value + 1"
                        " RETURNING last_value",
                        f"notice:ZS:2026:raw:{unit_id}",
                    ).fetchone()[0]
                    run(
                        "INSERT INTO notices (case_id, unit_id, kind, title, addressee,"
                        " document_number, sequence_scope, sequence_value, issued_at, event_id,"
                        " status, verification_code, created_at, attempts) VALUES (?, ?,"
                        " 'revision_notice', '预审意见通知书', ?, ?, 'raw', ?, ?, ?, 'pending', ?,"
                        " ?, 0)",
                        case_id,
                        unit_id,
                        {"role": "complainant"},
                        f"原始〔2026〕第{seq}号",
                        seq,
                        at,
                        event_id,
                        new_verification_code(),
                        now,
                    )
                else:
                    run(
                        "UPDATE clocks SET status = 'met', stopped_at = ?, next_alert_at = NULL"
                        " WHERE id = ?",
                        at,
                        s["revision"],
                    )
                    run(entry_sql, s["revision"], event_id, worker_id, "stop", at, at, at, now)
                    result = due_compute(at, "1 workdays", calendar=calendar)
                    run(
                        "UPDATE clocks SET status = 'running', paused_at = NULL, remaining = NULL,"
                        " paused_seconds = 3600, due_at = ?, last_day_on = ?, next_alert_at = ?"
                        " WHERE id = ?",
                        result.due_at,
                        result.last_day_on.isoformat(),
                        result.due_at,
                        s["review"],
                    )
                    run(
                        entry_sql,
                        s["review"],
                        event_id,
                        worker_id,
                        "resume",
                        at,
                        at,
                        result.due_at,
                        now,
                    )
                run("COMMIT")
            elapsed += time.perf_counter() - begin
        gc.collect()
        samples.append((tracemalloc.get_traced_memory()[0] / 1e6, rss_mb()))
    conn.close()
    return elapsed, samples


def run_backend(label, url, args):
    with tempfile.TemporaryDirectory() as storage:
        app = build_app(url, storage)
        with app.app_context():
            engine_ids, worker_id = seed(args.cases)
            direct_ids, _ = seed_more(args.cases)
            raw_ids, _ = seed_more(args.cases, "R")
            if args.tracemalloc:
                tracemalloc.start()
            prepared = direct_prepare()
            raw_ids = set(raw_ids)
            prepared["raw_state"] = {k: v for k, v in prepared["state"].items() if k in raw_ids}
            prepared["raw_version"] = {k: v for k, v in prepared["version"].items() if k in raw_ids}
            # Alternate round by round, so all three variants see the same machine load.
            t_engine = t_direct = t_raw = 0.0
            m_engine, m_direct, m_raw = [], [], []
            for r in range(args.rounds):
                t, m = run_engine(engine_ids, worker_id, [r])
                t_engine, m_engine = t_engine + t, m_engine + m
                t, m = run_direct(direct_ids, worker_id, [r], prepared)
                t_direct, m_direct = t_direct + t, m_direct + m
                db.session.commit()
                t, m = run_raw(url, sorted(raw_ids), worker_id, [r], prepared)
                t_raw, m_raw = t_raw + t, m_raw + m
            if args.tracemalloc:
                tracemalloc.stop()
            db.session.remove()
            db.engine.dispose()
    n = args.cases * args.rounds * 2
    print(f"\n{label}: {n} transitions each")
    print(f"  engine   {t_engine:7.2f} s  {t_engine / n * 1e6:8.0f} µs/transition")
    print(f"  direct   {t_direct:7.2f} s  {t_direct / n * 1e6:8.0f} µs/transition")
    print(f"  raw      {t_raw:7.2f} s  {t_raw / n * 1e6:8.0f} µs/transition  (the floor)")
    print(f"  ratio    {t_engine / t_direct:7.2f}×  engine ÷ direct (target ≤ 2×)")
    print(f"           {t_engine / t_raw:7.2f}×  engine ÷ raw floor (target ≤ 3× on SQLite)")
    print(f"           {t_direct / t_raw:7.2f}×  direct ÷ raw floor (SQLAlchemy Core's own cost)")
    print("  memory after each round (tracemalloc MB or 0 when off, RSS MB):")
    print("    engine " + "  ".join(f"{a:.1f}/{b:.0f}" for a, b in m_engine))
    print("    direct " + "  ".join(f"{a:.1f}/{b:.0f}" for a, b in m_direct))
    print("    raw    " + "  ".join(f"{a:.1f}/{b:.0f}" for a, b in m_raw))
    return t_engine, t_direct


def seed_more(count, prefix="D"):
    """Another batch of cases for the direct or raw variant (same unit, worker and applicant)."""
    from caseflow.accounts.models import Unit, User
    from caseflow.applicants.models import Applicant

    unit = db.session.scalar(select(Unit).where(Unit.code == "ZS"))
    worker = db.session.scalar(select(User).where(User.username == "bench_worker"))
    applicant = db.session.scalar(select(Applicant))
    return _cases_under_review(unit, worker, applicant, count, prefix)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="trace Python allocations (slows both runs)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("SQLite", f"sqlite:///{os.path.join(tmp, 'bench.db')}", args)
    if not args.no_pg:
        import psycopg

        base = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"caseflow_bench_{secrets.token_hex(3)}"
        admin = base.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            run_backend(
                "PostgreSQL", base.set(database=name).render_as_string(hide_password=False), args
            )
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
