"""Benchmark: one SLA sweep over 1,000 due clocks among 10,000 stored clocks, then among 1,000,000,
on SQLite and on PostgreSQL, side by side.

    .venv/bin/python bench/sweep.py [--due 1000] [--small 10000] [--large 1000000] [--repeat 3]
                                    [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The sweep reads clocks through the index on ``next_alert_at`` (deadlines.md §4: never by loading
every case), so its cost should follow what is due, not what is stored: the target is a ratio of at
most 2× between the two sizes. Each database is a throwaway one (a temp SQLite file; a PostgreSQL
database created and dropped here), built by the real migration. The stored clocks are bulk-loaded
(executemany on SQLite, COPY on PostgreSQL): half running with an alert due next year, half
stopped. The 1,000 due clocks are 24-hour clocks whose ``due_soon`` moment has passed; each sweep
raises 1,000 alerts with their notifications, and is undone before the next repetition; a first,
untimed sweep warms the statement caches.
"""

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, bench/ would come first on the path, and bench/transitions.py would shadow the
# transitions package the engine imports.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

from sqlalchemy import delete, func, make_url, select, text, update  # noqa: E402

from bench.common import bench_app  # noqa: E402
from caseflow.extensions import db  # noqa: E402

STARTED = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
NOW = STARTED + timedelta(hours=19)  # past 75% of 24 hours, before the due instant
FUTURE = datetime(2027, 3, 1, tzinfo=UTC)


def _sqlite_ts(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build_app(url: str, storage: str):
    return bench_app(url, storage)


def seed_due(due: int) -> list[int]:
    """``due`` cases, each with one running 24-hour clock whose due_soon moment has passed."""
    from caseflow.accounts.services import unit_upsert, user_create
    from caseflow.cases.models import Case
    from caseflow.clocks.models import Clock

    unit = unit_upsert(code="ZS", name="中山", kind="rapid_centre", profile={})
    worker = user_create(
        username="li",
        password="bench-password",
        role="caseworker",
        unit_code="ZS",
        email="li@zs.example",
    )
    user_create(username="wang", password="bench-password", role="supervisor", unit_code="ZS")
    db.session.commit()
    cases = [
        {
            "id": f"case{i:028d}",
            "number": f"ZS-ADJ-2026-{i:06d}",
            "unit_id": unit.id,
            "workflow": "adjudication",
            "state": "filed",
            "is_closed": False,
            "version": 1,
            "title": "",
            "received_at": STARTED,
            "complainant": {},
            "respondent": {},
            "complainant_name": "",
            "respondent_name": "",
            "right": {},
            "priority": False,
            "data": {},
            "assignee_id": worker.id,
            "public_code": f"{i:08X}",
            "opened_at": STARTED,
        }
        for i in range(due)
    ]
    db.session.execute(Case.__table__.insert(), cases)
    clocks = [
        {
            "case_id": c["id"],
            "unit_id": unit.id,
            "name": "handling",
            "period": "24 hours",
            "period_unit": "hours",
            "started_at": STARTED,
            "due_at": STARTED + timedelta(hours=24),
            "status": "running",
            "provisional": False,
            "extended": 0,
            "paused_seconds": 0,
            "next_alert_at": STARTED + timedelta(hours=18),
        }
        for c in cases
    ]
    db.session.execute(Clock.__table__.insert(), clocks)
    db.session.commit()
    return list(db.session.scalars(select(Clock.id).where(Clock.name == "handling")))


def load_stored(count: int, offset: int, case_ids: list[str]) -> None:
    """``count`` more clocks that are not due, spread over the cases, loaded in bulk."""
    columns = (
        "case_id",
        "unit_id",
        "name",
        "period",
        "period_unit",
        "started_at",
        "due_at",
        "status",
        "provisional",
        "extended",
        "paused_seconds",
        "next_alert_at",
        "stopped_at",
    )
    due_at = STARTED + timedelta(days=30)
    from caseflow.cases.models import Case

    unit_id = db.session.scalar(select(Case.unit_id).limit(1))  # one unit (seed_due)
    conn = db.session.connection()
    dialect = conn.dialect.name

    def rows():
        for i in range(offset, offset + count):
            running = i % 2 == 0
            yield (
                case_ids[i % len(case_ids)],
                unit_id,
                f"s{i}",
                "30 days",
                "days",
                STARTED,
                due_at,
                "running" if running else "met",
                False,
                0,
                0,
                FUTURE if running else None,
                None if running else STARTED + timedelta(days=3),
            )

    if dialect == "postgresql":
        raw = conn.connection.dbapi_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY clocks ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows():
                copy.write_row(row)
    else:
        raw = conn.connection.dbapi_connection
        placeholders = ", ".join("?" for _ in columns)
        convert = [
            tuple(_sqlite_ts(v) if isinstance(v, datetime) else v for v in row) for row in rows()
        ]
        raw.executemany(
            f"INSERT INTO clocks ({', '.join(columns)}) VALUES ({placeholders})", convert
        )
    db.session.commit()
    if dialect == "postgresql":
        # autovacuum would do this soon after a real load; SQLite is left without statistics,
        # as production databases usually are, so its planner's default choice is measured.
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def time_sweeps(due_ids: list[int], repeat: int, expected: int) -> float:
    from caseflow.alerts.models import Alert, OutboxMessage
    from caseflow.alerts.services import sla_sweep
    from caseflow.clocks.models import Clock

    times = []
    for _ in range(repeat + 1):  # the first run warms statement caches and the calendar
        db.session.remove()
        start = time.perf_counter()
        raised = sla_sweep(NOW)
        times.append(time.perf_counter() - start)
        assert len(raised) == expected, (len(raised), expected)
        # Undo, so that the next repetition has the same work.
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(Alert))
        db.session.execute(
            update(Clock)
            .where(Clock.id.in_(due_ids))
            .values(next_alert_at=STARTED + timedelta(hours=18), alert_level=None)
        )
        db.session.commit()
    return statistics.median(times[1:])


def run_backend(label: str, url: str, args) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as storage:
        app = build_app(url, storage)
        with app.app_context():
            due_ids = seed_due(args.due)
            from caseflow.cases.models import Case
            from caseflow.clocks.models import Clock

            case_ids = list(db.session.scalars(select(Case.id)))
            started = time.perf_counter()
            load_stored(args.small - args.due, 0, case_ids)
            load_small = time.perf_counter() - started
            small = time_sweeps(due_ids, args.repeat, args.due)
            started = time.perf_counter()
            load_stored(args.large - args.small, args.small - args.due, case_ids)
            load_large = time.perf_counter() - started
            stored = db.session.scalar(select(func.count(Clock.id)))
            assert stored == args.large, stored
            large = time_sweeps(due_ids, args.repeat, args.due)
            print(
                f"  {label}: loaded {args.small:,} stored clocks in {load_small:.1f} s, "
                f"{args.large:,} in {load_large:.1f} s more",
                file=sys.stderr,
            )
            db.session.remove()
            db.engine.dispose()
    return small, large


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run_backend("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if not args.no_pg:
        import psycopg

        base = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"caseflow_bench_{secrets.token_hex(3)}"
        admin = base.set(drivername="postgresql", database="postgres").render_as_string(False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            results["PostgreSQL"] = run_backend(
                "PostgreSQL", base.set(database=name).render_as_string(False), args
            )
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"\nSLA sweep raising {args.due:,} alerts (median of {args.repeat}):")
    print(
        f"{'backend':<12}{f'{args.small:,} stored':>16}{f'{args.large:,} stored':>18}{'ratio':>8}"
    )
    for label, (small, large) in results.items():
        print(f"{label:<12}{small * 1000:>13.0f} ms{large * 1000:>15.0f} ms{large / small:>7.2f}×")
    worst = max(large / small for small, large in results.values())
    print(f"target ≤ 2×: {'met' if worst <= 2 else 'NOT met'} (worst {worst:.2f}×)")


if __name__ == "__main__":
    main()
