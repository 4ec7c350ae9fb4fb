"""Benchmark: 100,000 mixed due dates with caseflow, side by side with the ``holidays`` package and
a naive day-by-day loop over ``chinesecalendar.is_workday``.

    .venv/bin/python bench/deadlines.py [--n 100000] [--sample 5000]

caseflow computes all N, in batch (``due_days``) and one ``due_compute`` call at a time; the two
slower ones compute a sample (default 5,000) and their time is scaled to N (printed as such). Every sampled result is checked equal across the three. Starts are
2024-01-01 … 2026-06-30 and periods small enough to end inside 2026, where chinesecalendar has data.
Each timing is the best of 5 interleaved rounds (1 run for the day-by-day loop) with the garbage
collector off, as timeit does. Pure arithmetic, no database: caseflow uses its built-in calendar (the same data ``seed`` loads).
``due_compute`` gets its starts as UTC instants, as the application reads them from the database
(a start already in the local zone would spare it the conversion to a local day).
"""

import argparse
import gc
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chinese_calendar  # noqa: E402
import holidays  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402

from caseflow.calendar import due_compute  # noqa: E402
from caseflow.calendar.official import builtin_calendar  # noqa: E402
from caseflow.calendar.periods import due_days, parse_period  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_cases(n: int, seed: int = 20261122) -> list[tuple[datetime, str]]:
    rng = random.Random(seed)
    first = date(2024, 1, 1)
    span = (date(2026, 6, 30) - first).days
    cases = []
    for _ in range(n):
        day = first + timedelta(days=rng.randrange(span))
        local = datetime(day.year, day.month, day.day, rng.randrange(8, 18), tzinfo=SHANGHAI)
        start = local.astimezone(UTC)  # stored instants come back in UTC (caseflow/types.py)
        unit = rng.choice(("workdays", "workdays", "days", "months"))
        amount = {
            "workdays": rng.randint(1, 60),
            "days": rng.randint(1, 90),
            "months": rng.randint(1, 3),
        }[unit]
        cases.append((start, f"{amount} {unit}"))
    return cases


def with_holidays(china, day: date, period: str) -> date:
    p = parse_period(period)
    if p.unit == "workdays":
        return china.get_nth_working_day(day, p.amount)
    last = day + (timedelta(days=p.amount) if p.unit == "days" else relativedelta(months=p.amount))
    return china.get_nth_working_day(last, 0)  # n=0: the day itself or the next working day


def with_chinesecalendar_loop(day: date, period: str) -> date:
    p = parse_period(period)
    if p.unit == "workdays":
        left = p.amount
        while left:
            day += timedelta(days=1)
            if chinese_calendar.is_workday(day):
                left -= 1
        return day
    day += timedelta(days=p.amount) if p.unit == "days" else relativedelta(months=p.amount)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def best_of(repeat, run):
    """Best wall time of ``repeat`` runs with the garbage collector off, as timeit does."""
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            began = time.perf_counter()
            out = run()
            best = min(best, time.perf_counter() - began)
        finally:
            gc.enable()
    return best, out


def timed(fn, items, repeat=3):
    return best_of(repeat, lambda: [fn(*item) for item in items])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (best kept)")
    args = parser.parse_args()

    cases = make_cases(args.n)
    # Local dates: what all three take.
    days = [(start.astimezone(SHANGHAI).date(), period) for start, period in cases]
    sample = days[: args.sample]
    calendar = builtin_calendar()  # built once, as each process does per calendar version
    china = holidays.China(years=range(2024, 2028))
    china.is_working_day(date(2025, 1, 1))  # populate its years before timing

    # Interleaved rounds, best of each: the machine is shared, and load that comes and goes then
    # falls on caseflow and `holidays` alike instead of on whichever ran during it.
    t_batch = t_full = t_hol = float("inf")
    for _ in range(args.rounds):
        t, batch = best_of(1, lambda: due_days(days, calendar=calendar))
        t_batch = min(t_batch, t)
        t, full = timed(lambda s, p: due_compute(s, p, calendar=calendar).due_on, cases, 1)
        t_full = min(t_full, t)
        t, hol = timed(lambda d, p: with_holidays(china, d, p), sample, 1)
        t_hol = min(t_hol, t)
    t_cc, cc = timed(with_chinesecalendar_loop, sample, repeat=1)  # the slowest: one run

    mismatches = sum(a != b for a, b in zip(batch, full, strict=True))
    mismatches += sum(a != b or a != c for a, b, c in zip(batch, hol, cc, strict=False))
    scale = args.n / len(sample)
    rows = [
        ("caseflow due_days, batch (date, period) -> date", t_batch, args.n, t_batch),
        ("caseflow due_compute, per call (instant -> DueResult)", t_full, args.n, t_full),
        (
            f"holidays 0.109 get_nth_working_day ({len(sample):,} sampled, scaled)",
            t_hol,
            len(sample),
            t_hol * scale,
        ),
        (
            f"chinesecalendar is_workday day by day ({len(sample):,} sampled, scaled)",
            t_cc,
            len(sample),
            t_cc * scale,
        ),
    ]
    print(
        f"{args.n:,} mixed due dates (workdays 50%, days 25%, months 25%), starts 2024-01 … 2026-06"
    )
    print(f"{'method':<68} {'µs/date':>9} {'s for N':>9}")
    for name, t, k, t_n in rows:
        print(f"{name:<68} {t / k * 1e6:>9.2f} {t_n:>9.3f}")
    faster_other = min(t_hol * scale, t_cc * scale)
    print(
        f"faster of the two others ÷ caseflow batch:    {faster_other / t_batch:>8,.0f}×  (target ≥100×)"
    )
    print(
        f"faster of the two others ÷ caseflow per call: {faster_other / t_full:>8,.0f}×  (target ≥25×)"
    )
    print(f"caseflow due_compute per call: {t_full / args.n * 1e6:.2f} µs  (target ≤1 µs)")
    print(f"chinesecalendar loop ÷ caseflow batch:        {t_cc * scale / t_batch:>8,.0f}×")
    print(
        f"results compared ({len(sample):,} with all three, {args.n:,} batch vs per call): {mismatches} mismatch(es)"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
