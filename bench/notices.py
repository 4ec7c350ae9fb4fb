"""Benchmark: rendering notices through caseflow vs the same HTML through bare WeasyPrint.

    .venv/bin/python bench/notices.py [-n 20]

caseflow's path is ``notices_render_pending([id])`` for one pending notice at a time, as the
engine calls it after a transition: read the case, event and clocks, build the QR code, render the
template, WeasyPrint, SHA-256, write the file once (``xb`` + fsync), mark it issued, commit, and
``gc.collect()`` (stack notes: WeasyPrint's cyclic garbage holds font buffers). The bare path is
``HTML(string=html).write_pdf()`` on the exact HTML caseflow renders for that notice, measured with
and without a ``gc.collect()`` after each render. The two paths alternate notice by notice so
that load from other processes falls on both alike. Target: caseflow ≤ 1.5× bare (with gc).
A throwaway SQLite database built by the real migration, with the official calendar.

File size: the same HTML through bare WeasyPrint (every font keeps all 63,043 glyph slots) and
through caseflow (``caseflow.notices.fonts`` re-embeds each face with the glyphs used only).

    .venv/bin/python bench/notices.py --burst 500 [--chunk 100]

Burst: 2 × N pending notices; N drained by one process (``notices_render_pending``) and N by the
worker pool (``notices_render_in_pool``, one worker a core, each replaced after 50 renders),
alternating chunk by chunk so that load from other processes falls on both alike. Reports the
speed-up (target ≥ 0.7 × cores, ≥ 1.4× on 2 cores) and each worker's resident memory at the
pool's 50th and at its N-th render (target: within 10%), beside the one process's.
"""

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Replace, not prepend: bench/ holds transitions.py, which would shadow the package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import bench_app  # noqa: E402
from caseflow.extensions import db  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")


def build_app(folder: str):
    return bench_app(f"sqlite:///{folder}/bench.db", f"{folder}/storage")


def queue_notices(n: int) -> list[int]:
    """``n`` answer notices on adjudication cases, each with its running ``answer`` clock."""
    from caseflow.accounts.models import Unit
    from caseflow.cases.models import Case, Event
    from caseflow.clocks.services import clock_start
    from caseflow.notices.services import notice_queue
    from workflows.profiles import ZHONGSHAN

    unit = Unit(
        code="ZS", name=ZHONGSHAN["name"], kind="rapid_centre", profile=ZHONGSHAN["profile"]
    )
    db.session.add(unit)
    db.session.flush()
    ids = []
    start = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
    for i in range(n):
        occurred_at = start + timedelta(days=i % 60)
        case = Case(
            number=f"ZS-ADJ-2026-{i + 1:05d}",
            unit_id=unit.id,
            unit=unit,
            workflow="adjudication",
            state="awaiting_answer",
            title="LED灯具散热结构",
            received_at=start - timedelta(days=10),
            complainant={"name": "中山市明辉照明科技有限公司"},
            complainant_name="中山市明辉照明科技有限公司",
            respondent={"name": f"佛山市南海区光耀灯饰厂{i + 1}号"},
            respondent_name=f"佛山市南海区光耀灯饰厂{i + 1}号",
            right={"kind": "patent", "number": "ZL202310123456.7", "patent_type": "utility_model"},
        )
        db.session.add(case)
        event = Event(case=case, kind="transition", trigger="serve", occurred_at=occurred_at)
        db.session.add(event)
        db.session.flush()
        clock_start(case, "answer", period="15 days", started_at=occurred_at, event=event)
        ids.append(notice_queue(case=case, kind="answer_notice", event=event).id)
    db.session.commit()
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="notices to render (default 20)")
    parser.add_argument("--burst", type=int, help="drain N pending notices: pool vs one process")
    parser.add_argument("--chunk", type=int, default=100, help="burst: notices per alternation")
    args = parser.parse_args()
    if args.burst:
        return burst(args.burst, args.chunk)

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        with app.app_context():
            from weasyprint import HTML

            from caseflow.notices.models import Notice
            from caseflow.notices.render import notice_html
            from caseflow.notices.services import notices_render_pending

            ids = queue_notices(args.n + 1)
            html = {i: notice_html(db.session.get(Notice, i)) for i in ids}
            db.session.commit()

            def bare(notice_id, collect):
                began = time.perf_counter()
                HTML(string=html[notice_id], base_url=app.root_path).write_pdf()
                if collect:
                    gc.collect()
                return time.perf_counter() - began

            def caseflow(notice_id):
                began = time.perf_counter()
                issued = notices_render_pending([notice_id])
                elapsed = time.perf_counter() - began
                assert issued == [notice_id], db.session.get(Notice, notice_id).last_error
                return elapsed

            # Warm-up: imports, fonts, the template cache — the first render pays for them.
            warm = ids[0]
            bare(warm, True)
            caseflow(warm)

            times = {"bare": [], "bare+gc": [], "caseflow": []}
            for notice_id in ids[1:]:
                times["bare"].append(bare(notice_id, False))
                times["bare+gc"].append(bare(notice_id, True))
                times["caseflow"].append(caseflow(notice_id))
            db.session.expire_all()
            full_sizes = [
                len(HTML(string=html[i], base_url=app.root_path).write_pdf()) for i in ids[1:6]
            ]
            compact_sizes = [db.session.get(Notice, i).file_size for i in ids[1:6]]

    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    print(f"{args.n} notices (answer_notice, A4, Noto Serif CJK SC), median ms per notice")
    print(
        f"{'bare WeasyPrint':>22} {'bare + gc.collect':>18} {'caseflow':>10} "
        f"{'ratio vs bare+gc':>17} {'vs bare':>8}"
    )
    print(
        f"{medians['bare']:>22.1f} {medians['bare+gc']:>18.1f} {medians['caseflow']:>10.1f} "
        f"{medians['caseflow'] / medians['bare+gc']:>16.2f}× "
        f"{medians['caseflow'] / medians['bare']:>7.2f}×"
    )
    before, after = statistics.median(full_sizes), statistics.median(compact_sizes)
    print(
        f"file size, one page: bare WeasyPrint {before / 1024:.0f} KB (all glyph slots kept), "
        f"caseflow {after / 1024:.0f} KB (glyphs used only); {before / after:.1f}× smaller "
        f"(target ≤ 100 KB)"
    )


def _resident_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def burst(n: int, chunk: int) -> None:
    """N notices drained by one process and N by the pool, alternating chunk by chunk."""
    import os

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        with app.app_context():
            from caseflow.notices.pool import notices_render_in_pool, pool_size
            from caseflow.notices.services import notices_render_pending

            ids = queue_notices(2 * n)
            single_ids, pool_ids = ids[0::2], ids[1::2]
            workers = pool_size()
            single_time = pool_time = 0.0
            single_memory, pool_memory = {}, {}
            pool_done = single_done = 0
            pids = set()

            def probe(notice_id, issued, pid, renders, resident):
                nonlocal pool_done
                assert issued, notice_id
                pool_done += 1
                pids.add(pid)
                pool_memory[pool_done] = resident

            for start in range(0, n, chunk):
                began = time.perf_counter()
                for notice_id in single_ids[start : start + chunk]:
                    assert notices_render_pending([notice_id]) == [notice_id]
                    single_done += 1
                    single_memory[single_done] = _resident_kib()
                single_time += time.perf_counter() - began
                began = time.perf_counter()
                done = notices_render_in_pool(pool_ids[start : start + chunk], on_rendered=probe)
                pool_time += time.perf_counter() - began
                assert len(done) == len(pool_ids[start : start + chunk])
                print(
                    f"  {min(start + chunk, n):>5} / {n}: one process {single_time:7.1f} s, "
                    f"pool {pool_time:7.1f} s",
                    flush=True,
                )

    cores = len(os.sched_getaffinity(0))
    early = min(50, n)
    print(
        f"burst of {n} notices each way, {cores} cores, pool of {workers} workers "
        f"({len(pids)} processes over the burst, each replaced after 50 renders)"
    )
    print(
        f"one process: {single_time:.1f} s ({single_time / n * 1000:.0f} ms a notice); "
        f"pool: {pool_time:.1f} s ({pool_time / n * 1000:.0f} ms a notice)"
    )
    speedup = single_time / pool_time
    print(f"speed-up {speedup:.2f}× on {cores} cores (target ≥ {0.7 * cores:.1f}×)")
    ratio = pool_memory[n] / pool_memory[early]
    print(
        f"worker resident memory: {pool_memory[early] / 1024:.0f} MB at render {early}, "
        f"{pool_memory[n] / 1024:.0f} MB at render {n} ({ratio:.2f}×, target ≤ 1.10×); "
        f"one process without renewal: {single_memory[early] / 1024:.0f} MB → "
        f"{single_memory[n] / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
