"""Benchmark: opening a case with repeat detection among 1,000,000 credit records and 100,000
decided cases, against opening it among 1,000 records and 100 decided cases, side by side.

    .venv/bin/python bench/credit.py [--openings 400] [--records 1000000] [--cases 100000]
                                     [--pg URL [--no-sqlite]]

Two databases are built with bulk inserts (Core ``insert`` with many rows per statement): the
large one and a small one with a thousandth of the rows, both with the same shape — about 3.3
records per subject, a tenth of the subjects known by name only, and decided penalty cases
against the same subjects. Then ``--openings`` intake cases are opened through the real service
(``case_open``: number, opening clock, event, repeat lookup, commit), alternating between the
two databases so both see the same machine load. Half of the respondents are subjects already on
the register (so the lookup finds and returns records), half are new. Target (issue 13): the
large costs at most 1.2× the small.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import insert, make_url  # noqa: E402

from bench.common import bench_app  # noqa: E402
from caseflow.extensions import db  # noqa: E402

DECIDED = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CHUNK = 5000


def build_app(url: str, storage: str):
    return bench_app(url, storage, CASEFLOW_RENDER_NOTICES_INLINE=False)


def credit_code(rng: random.Random) -> str:
    from caseflow.applicants.creditcode import credit_code_check_char

    first17 = (
        "91"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice(ALPHABET) for _ in range(9))
    )
    return first17 + credit_code_check_char(first17)


def subjects(count: int, rng: random.Random) -> list:
    """``(name, code or None)``: a tenth known by name only."""
    out = []
    for i in range(count):
        code = credit_code(rng) if i % 10 else None
        out.append((f"基准测试灯饰有限公司{i:07d}", code))
    return out


def seed(records: int, cases: int, seed_value: int):
    """ZS with a caseworker; ``records`` credit records and ``cases`` decided penalty cases
    over ``records // 3.3`` subjects. Returns (unit, worker, subjects)."""
    from caseflow.accounts.models import User
    from caseflow.accounts.services import unit_upsert
    from caseflow.cases.models import Case
    from caseflow.credit.models import CreditRecord
    from caseflow.credit.subjects import subject_name_key
    from workflows.profiles import ZHONGSHAN

    rng = random.Random(seed_value)
    unit = unit_upsert(**{k: ZHONGSHAN[k] for k in ("code", "name", "kind", "profile")})
    worker = User(
        username="bench_worker",
        display_name="bench",
        password_hash="!",
        role="caseworker",
        unit=unit,
    )
    db.session.add(worker)
    db.session.commit()
    unit_id = unit.id
    pool = subjects(max(1, int(records / 3.3)), rng)
    keys = {name: subject_name_key(name) for name, _ in pool}

    case_rows, numbers = [], []
    for i in range(cases):
        name, code = pool[rng.randrange(len(pool))]
        number = f"ZS-PEN-2025-{i + 1:07d}"
        numbers.append(number)
        case_rows.append(
            {
                "id": secrets.token_hex(16),
                "number": number,
                "unit_id": unit_id,
                "workflow": "penalty",
                "state": "decided",
                "is_closed": False,
                "version": 5,
                "title": "假冒专利",
                "channel": "inspection",
                "received_at": DECIDED - timedelta(days=60),
                "complainant": {"name": "举报人"},
                "respondent": {"name": name, **({"code": code} if code else {})},
                "complainant_name": "举报人",
                "respondent_name": name,
                "respondent_code": code,
                "respondent_key": keys[name],
                "right": {"kind": "patent", "number": f"ZL2025{i:07d}.1"},
                "priority": False,
                "data": {},
                "public_code": secrets.token_hex(4).upper(),
                "opened_at": DECIDED - timedelta(days=60),
                "last_event_at": DECIDED,
            }
        )
    for start in range(0, len(case_rows), CHUNK):
        db.session.execute(insert(Case), case_rows[start : start + CHUNK])
    db.session.commit()
    case_ids = [row["id"] for row in case_rows] or [None]
    if case_ids == [None]:  # records need a case: one placeholder case
        raise SystemExit("--cases must be at least 1")

    batch = []
    for i in range(records):
        name, code = pool[i % len(pool)]
        j = rng.randrange(len(case_rows))
        decided = DECIDED + timedelta(minutes=i % 500_000)
        batch.append(
            {
                "unit_id": unit_id,
                "kind": "penalty",
                "status": "published" if i % 3 else "expired",
                "subject_name": name,
                "subject_code": code,
                "subject_key": keys[name],
                "case_id": case_ids[j],
                "case_number": numbers[j],
                "document_number": f"中维罚字〔2025〕第{i + 1}号",
                "patent_number": f"ZL2025{j:07d}.1",
                "decided_on": decided.date(),
                "decided_at": decided,
                "minor": False,
                "details": {"fine": 10000},
                "end_reason": "",
                "created_at": decided,
            }
        )
        if len(batch) == CHUNK:
            db.session.execute(insert(CreditRecord), batch)
            batch = []
    if batch:
        db.session.execute(insert(CreditRecord), batch)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    ids = (unit.id, worker.id)
    db.session.expunge_all()
    return (*ids, pool)


def open_one(unit_id, worker_id, respondent, at):
    from caseflow.accounts.models import Unit, User
    from caseflow.cases.services import case_open

    unit, worker = db.session.get(Unit, unit_id), db.session.get(User, worker_id)
    begin = time.perf_counter()
    case = case_open(
        workflow="intake",
        unit=unit,
        actor=worker,
        channel="hotline_12330",
        received_at=at,
        title="举报假冒专利",
        complainant={"name": "举报人", "contact": "12330"},
        respondent=respondent,
    )
    db.session.commit()  # the caller commits (services flush)
    elapsed = time.perf_counter() - begin
    hits = len((case.data or {}).get("repeat_of") or [])
    db.session.expunge_all()
    return elapsed, hits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openings", type=int, default=400)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg", default=None, help="also run on PostgreSQL at this URL")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL run")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(
                "SQLite",
                lambda label: f"sqlite:///{os.path.join(tmp, label + '.db')}",
                args,
                tmp,
            )
    if args.pg:
        import psycopg

        base = make_url(args.pg).set(drivername="postgresql+psycopg")
        admin = base.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
        names = {}

        def url(label):
            names[label] = f"caseflow_bench_credit_{label}_{secrets.token_hex(3)}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{names[label]}"')
            return base.set(database=names[label]).render_as_string(hide_password=False)

        try:
            with tempfile.TemporaryDirectory() as tmp:
                run("PostgreSQL", url, args, tmp)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                for name in names.values():
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(label, url_for, args, tmp):
    small_records, small_cases = max(1, args.records // 1000), max(1, args.cases // 1000)
    worlds = {}
    for size, records, cases in (
        ("small", small_records, small_cases),
        ("large", args.records, args.cases),
    ):
        begin = time.perf_counter()
        app = build_app(url_for(size), os.path.join(tmp, size))
        with app.app_context():
            unit_id, worker_id, pool = seed(records, cases, seed_value=7)
        worlds[size] = (app, unit_id, worker_id, pool)
        print(
            f"{label} {size}: {records:,} records, {cases:,} decided cases "
            f"seeded in {time.perf_counter() - begin:.1f} s",
            flush=True,
        )
    rng = random.Random(11)
    timings = {"small": [], "large": []}
    hits = {"small": 0, "large": 0}
    at = datetime.now(UTC) - timedelta(days=1)
    for i in range(args.openings):
        # Half known subjects (the lookup returns their records), half new ones.
        for size in ("small", "large") if i % 2 else ("large", "small"):
            app, unit_id, worker_id, pool = worlds[size]
            if i % 2:
                name, code = pool[rng.randrange(len(pool))]
            else:
                name, code = f"新主体{i}", credit_code(rng)
            respondent = {"name": name, "kind": "company", **({"code": code} if code else {})}
            with app.app_context():
                elapsed, found = open_one(unit_id, worker_id, respondent, at)
            timings[size].append(elapsed)
            hits[size] += found
    for size in ("small", "large"):
        with worlds[size][0].app_context():
            db.session.remove()
            db.engine.dispose()
    small, large = (statistics.median(timings[s]) for s in ("small", "large"))
    mean_small, mean_large = (statistics.fmean(timings[s]) for s in ("small", "large"))
    print(f"\n{label}: {args.openings} openings in each, alternating")
    print(
        f"  among {small_records:,} records: median {small * 1e3:6.2f} ms, mean {mean_small * 1e3:6.2f} ms, {hits['small']} repeat entries found"
    )
    print(
        f"  among {args.records:,} records: median {large * 1e3:6.2f} ms, mean {mean_large * 1e3:6.2f} ms, {hits['large']} repeat entries found"
    )
    print(
        f"  ratio (median) {large / small:5.2f}×, (mean) {mean_large / mean_small:5.2f}×  (target ≤ 1.2×)"
    )


if __name__ == "__main__":
    main()
