"""Benchmark: the inbox and the supervisor dashboard with 1,000 cases in the database vs 100,000.

    .venv/bin/python bench/pages.py [--small 1000] [--large 100000] [--runs 30] [--database URL]

For each size a fresh database (SQLite in a temporary folder by default; a PostgreSQL URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` creates and drops a throwaway database on
that server) is migrated and filled by bulk inserts over three units, 20 caseworkers each.

Two models of "more cases" (``--model``):
- ``history`` (default): the centres receive the same 12 cases a day; a bigger database is a longer
  history (1,000 cases ≈ 12 weeks, 100,000 ≈ 23 years). Recent cases (last 90 days) are open with
  60% chance (about one in seven of them late), older ones closed except 0.2% (long
  suspensions, all late). This is how the database grows, and
  what the 2× target is about: a page must not slow down because old cases pile up.
- ``dense``: both sizes received over the same two years, 10% open: 100× the work in every period
  (target ≤ 1.5×). The inbox still reads a page of 50; the dashboard's period figures come from
  daily running totals (``caseflow.supervision.tallies``), recounted here after the bulk fill.
Each page is then fetched ``--runs`` times through the Flask test client, logged in (a caseworker
for the inbox, a supervisor for the dashboard); the first fetch warms caches and is not counted.
Prints median and p95 in ms for both sizes and the ratio large/small (target ≤ 2×).
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Replace the script folder on the path: a bench script must not shadow a package (transitions).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import insert, make_url  # noqa: E402

PASSWORD = "bench-password-1"
UNITS = (("ZS", "rapid_centre"), ("PD", "protection_centre"), ("CF", "fair_desk"))
#: (workflow, code, open state, closed state, clock of the open state, its period unit)
SHAPES = (
    ("adjudication", "ADJ", "under_review", "closed", "closing", "months"),
    ("intake", "INT", "received", "accepted", "acceptance", "workdays"),
    ("mediation", "MED", "in_mediation", "closed", "mediation", "months"),
    ("pre_exam", "PRE", "under_review", "granted", "review", "workdays"),
)


def _database(base: str | None, tmp: Path, label: str):
    """(url, drop) for a fresh database."""
    if not base:
        return f"sqlite:///{tmp / f'{label}.db'}", lambda: None
    import psycopg

    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"caseflow_bench_{label}_{secrets.token_hex(3)}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


PER_DAY = 12


def _fill(n: int, seed: int = 7, model: str = "history") -> dict:
    """Bulk-insert ``n`` cases with their clocks; returns the users to log in as."""
    from caseflow.accounts.services import unit_upsert, user_create
    from caseflow.cases.models import Case
    from caseflow.clocks.models import Clock
    from caseflow.extensions import db

    rng = random.Random(seed)
    now = datetime.now(UTC)
    units, workers = {}, {}
    for code, kind in UNITS:
        units[code] = unit_upsert(code=code, name=f"{code} 中心", kind=kind, profile={})
    db.session.flush()
    for code in units:
        workers[code] = [
            user_create(
                username=f"{code.lower()}_worker{i}",
                password=PASSWORD,
                role="caseworker",
                unit_code=code,
                display_name=f"{code} 承办{i}",
            )
            for i in range(20)
        ]
    chief = user_create(username="zs_chief", password=PASSWORD, role="supervisor", unit_code="ZS")
    db.session.commit()

    cases, clocks = [], []
    codes = list(units)
    for i in range(n):
        code = codes[i % len(codes)]
        workflow, wf_code, open_state, closed_state, clock_name, period_unit = SHAPES[
            i % len(SHAPES)
        ]
        if model == "history":
            received = now - timedelta(days=i / PER_DAY + rng.uniform(0, 1))
            age = (now - received).days
            is_open = rng.random() < (0.6 if age < 90 else 0.002)
        else:
            received = now - timedelta(days=rng.uniform(0, 730))
            is_open = rng.random() < 0.10
        case_id = uuid.uuid4().hex
        assignee = rng.choice(workers[code]).id if rng.random() < 0.8 else None
        if is_open:
            due = now + timedelta(days=rng.uniform(-10, 60))  # about one in seven is late
            if model == "history" and age >= 90:
                due = received + timedelta(days=90)  # the stragglers are overdue
            closed_at = None
            clock_status, stopped_at = "running", None
        else:
            closed_at = min(now, received + timedelta(days=rng.uniform(5, 120)))
            due = received + timedelta(days=90)
            clock_status = "met" if closed_at <= due else "breached"
            stopped_at = closed_at
        cases.append(
            {
                "id": case_id,
                "number": f"{code}-{wf_code}-{received.year}-{i:07d}",
                "unit_id": units[code].id,
                "workflow": workflow,
                "state": open_state if is_open else closed_state,
                "is_closed": not is_open,
                "version": 1,
                "title": "外观设计专利侵权纠纷",
                "channel": "web",
                "received_at": received,
                "complainant": {"name": f"请求人{i}", "kind": "company"},
                "respondent": {"name": f"被请求人{i}", "kind": "company"},
                "complainant_name": f"请求人{i}",
                "respondent_name": f"被请求人{i}",
                "right": {"kind": "patent", "number": f"ZL2025{i:07d}.1", "patent_type": "design"},
                "priority": False,
                "data": {},
                "assignee_id": assignee,
                "public_code": secrets.token_hex(4).upper(),
                "next_due_at": due if is_open else None,
                "opened_at": received,
                "closed_at": closed_at,
                "last_event_at": closed_at or received,
            }
        )
        clocks.append(
            {
                "case_id": case_id,
                "unit_id": units[code].id,
                "name": clock_name,
                "period": "3 months" if period_unit == "months" else "5 workdays",
                "period_unit": period_unit,
                "started_at": received,
                "due_at": due,
                "status": clock_status,
                "provisional": False,
                "extended": 0,
                "stopped_at": stopped_at,
                "next_alert_at": due if is_open else None,
            }
        )
    for start in range(0, n, 5000):
        db.session.execute(insert(Case), cases[start : start + 5000])
        db.session.execute(insert(Clock), clocks[start : start + 5000])
    db.session.commit()
    return {"worker": workers["ZS"][0], "chief": chief}


def _login(client, username):
    from tests.support import csrf_from

    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302, response.text


def _time(client, path) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def _prepare(n: int, base: str | None, tmp: Path, model: str, drops: list) -> dict:
    """A filled database for ``n`` cases and logged-in clients on it."""
    from flask_migrate import upgrade

    from caseflow import create_app
    from caseflow.extensions import db

    url, drop = _database(base, tmp, f"n{n}")
    drops.append(drop)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CASEFLOW_STORAGE": str(tmp / "storage"),
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade()
        from caseflow.calendar.services import calendar_seed_official

        calendar_seed_official()
        started = time.perf_counter()
        users = _fill(n, model=model)
        # Bulk inserts go around the ORM: count them into the dashboard's daily running totals
        # (in production each step keeps them in its own transaction).
        from caseflow.supervision.tallies import tallies_rebuild

        tallies_rebuild()
        db.session.commit()
        fill_s = time.perf_counter() - started
        names = {k: u.username for k, u in users.items()}
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        db.session.remove()
    worker, chief = app.test_client(), app.test_client()
    _login(worker, names["worker"])
    _login(chief, names["chief"])
    return {"app": app, "fill_s": fill_s, "inbox": worker, "dashboard": chief}


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--model", choices=("history", "dense"), default="history")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    drops = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        try:
            sizes = {
                n: _prepare(n, args.database, tmp, args.model, drops)
                for n in (args.small, args.large)
            }
            times = {(page, n): [] for page in ("inbox", "dashboard") for n in sizes}
            for page in ("inbox", "dashboard"):
                for n in sizes:
                    _time(sizes[n][page], f"/{page}")  # warm-up: templates, caches
                # Alternate the two databases so that load from other processes hits both alike.
                for _ in range(args.runs):
                    for n in sizes:
                        times[(page, n)].append(_time(sizes[n][page], f"/{page}"))
            for prepared in sizes.values():
                with prepared["app"].app_context():
                    from caseflow.extensions import db

                    db.session.remove()
                    db.engine.dispose()
        finally:
            for drop in drops:
                drop()
    small = {
        "fill_s": sizes[args.small]["fill_s"],
        "inbox": times[("inbox", args.small)],
        "dashboard": times[("dashboard", args.small)],
    }
    large = {
        "fill_s": sizes[args.large]["fill_s"],
        "inbox": times[("inbox", args.large)],
        "dashboard": times[("dashboard", args.large)],
    }
    engine = "PostgreSQL" if args.database else "SQLite"
    print(
        f"{engine}, model {args.model}; fill: {args.small:,} cases {small['fill_s']:.1f} s, {args.large:,} cases {large['fill_s']:.1f} s"
    )
    print(f"{'page':<10} {'n':>8} {'median ms':>10} {'p95 ms':>8}")
    for page in ("inbox", "dashboard"):
        for n, result in ((args.small, small), (args.large, large)):
            print(
                f"{page:<10} {n:>8,} {statistics.median(result[page]):>10.1f} {_p95(result[page]):>8.1f}"
            )
        ratio = statistics.median(large[page]) / statistics.median(small[page])
        p95_ratio = _p95(large[page]) / _p95(small[page])
        target = 1.5 if args.model == "dense" else 2
        verdict = "ok" if ratio <= target else "OVER TARGET"
        print(
            f"{page:<10} {'ratio':>8} {ratio:>9.2f}× {p95_ratio:>7.2f}×  (target ≤ {target}×: {verdict})"
        )


if __name__ == "__main__":
    main()
