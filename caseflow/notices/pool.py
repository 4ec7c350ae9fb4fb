"""Notices on every core: pending notices render in a pool of worker processes.

A render is ~0.1–0.2 s of pure CPU in WeasyPrint, so one process renders a burst (a fair's
morning of complaints, a retry after an outage) one notice at a time on one core. The scheduler's
sweep and ``flask notices retry`` hand the pending notices to a pool sized to the machine instead:

- each notice id is handed out once, and ``notice_render`` locks its row while it renders
  (``SKIP LOCKED`` on PostgreSQL), so no notice is rendered twice, not even against the request
  that fired the step and renders inline;
- the document number was allocated with the step, so a worker that dies mid-render loses
  nothing: the notices it had not finished are counted as a failed attempt and stay pending, and
  the next sweep renders them under the same number (its backoff stops a notice that kills its
  worker every time from taking the pool down on every sweep);
- each worker is replaced after about ``CASEFLOW_NOTICE_RENDERS_PER_WORKER`` renders (default 50):
  WeasyPrint's memory grows with renders in one process even with ``gc.collect()`` (stack notes),
  and a fresh process is the only sure way to keep it flat.

Workers are started by a *forkserver* that has already imported caseflow and WeasyPrint, so a
worker is cheap to start and inherits no thread, lock or database connection of the scheduler.
Each builds its own app from the parent's configuration.
"""

import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from flask import current_app

from caseflow.extensions import db
from caseflow.notices.services import (
    _record_failure,
    notice_render_or_record,
    notices_due_ids,
    notices_render_pending,
)

logger = logging.getLogger(__name__)

#: Renders before a worker is replaced (memory stays flat); CASEFLOW_NOTICE_RENDERS_PER_WORKER.
RENDERS_PER_WORKER = 50
#: What the forkserver imports once, so each worker starts warm.
_PRELOAD = ["caseflow", "caseflow.notices.services", "weasyprint"]

_worker_app = None
_worker_renders = 0


def pool_size() -> int:
    """One worker per core this process may run on (CASEFLOW_NOTICE_WORKERS overrides)."""
    configured = current_app.config.get("CASEFLOW_NOTICE_WORKERS")
    if configured:
        return max(1, int(configured))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _portable_config(config) -> dict:
    """The app's configuration as the workers rebuild it: every value that pickles."""
    portable = {}
    for key, value in config.items():
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 — a callable or a live object: the worker's own default
            continue
        portable[key] = value
    return portable


def _worker_start(config: dict) -> None:
    global _worker_app
    from caseflow import create_app

    _worker_app = create_app(config)


def _resident_kib() -> int:
    """This process's resident memory now (KiB), from /proc; its peak where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _worker_render(notice_id: int) -> tuple[int, bool, int, int, int]:
    """In a worker: render one notice. (id, issued, worker pid, renders by this worker, KiB)."""
    global _worker_renders
    with _worker_app.app_context():
        try:
            issued = notice_render_or_record(notice_id)
        finally:
            db.session.remove()
    _worker_renders += 1
    return notice_id, issued, os.getpid(), _worker_renders, _resident_kib()


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def notices_render_in_pool(
    ids=None,
    *,
    force: bool = False,
    workers: int | None = None,
    renders_per_worker: int | None = None,
    on_rendered=None,
) -> list[int]:
    """Render pending notices (as ``notices_render_pending``) on every core; the ids issued.

    ``workers`` defaults to ``pool_size()``; one notice (or one worker) renders in this process.
    ``on_rendered(notice_id, issued, pid, renders_by_worker, resident_kib)`` is called in this
    process as each render finishes (the benchmark's probe). Never raises.
    """
    try:
        pending = notices_due_ids(ids, force=force)
    except Exception:
        logger.exception("notices: could not list pending notices")
        db.session.rollback()
        return []
    workers = min(workers or pool_size(), len(pending))
    if workers <= 1:
        return notices_render_pending(pending) if pending else []
    per_worker = renders_per_worker or int(
        current_app.config.get("CASEFLOW_NOTICE_RENDERS_PER_WORKER") or RENDERS_PER_WORKER
    )
    config = _portable_config(current_app.config)
    issued: list[int] = []
    unfinished = set(pending)
    # The pool is renewed every workers × N notices, so each worker renders about N (a fast one
    # may take a few of a slow one's). Not ProcessPoolExecutor's max_tasks_per_child: on Python
    # 3.11 the executor can hang when a worker leaves (CPython gh-115634).
    batch = workers * per_worker
    try:
        for start in range(0, len(pending), batch):
            round_ids = pending[start : start + batch]
            with ProcessPoolExecutor(
                max_workers=min(workers, len(round_ids)),
                mp_context=_context(),
                initializer=_worker_start,
                initargs=(config,),
            ) as pool:
                futures = [pool.submit(_worker_render, notice_id) for notice_id in round_ids]
                for future in as_completed(futures):
                    notice_id, was_issued, pid, renders, resident = future.result()
                    unfinished.discard(notice_id)
                    if was_issued:
                        issued.append(notice_id)
                    if on_rendered is not None:
                        on_rendered(notice_id, was_issued, pid, renders, resident)
    except BrokenProcessPool as exc:
        # A worker died (killed, out of memory, a crash in a C library). What it and the others
        # had not finished is one failed attempt each, so the backoff applies; the numbers stand.
        logger.error("notices: a rendering worker died; %d notice(s) left pending", len(unfinished))
        for notice_id in sorted(unfinished):
            _record_failure(notice_id, RuntimeError(f"rendering worker died ({exc})"))
    except Exception:
        logger.exception("notices: the rendering pool failed; the rest stay pending")
    return sorted(issued)
