"""Notices on every core: pending notices render in a pool of worker processes.

A render is ~0.1–0.2 s of pure CPU in WeasyPrint, so one process renders a burst (a fair's
morning of complaints, a retry after an outage) one notice at a time on one core. The scheduler's
sweep and ``flask notices retry`` hand the pending notices to a pool sized to the machine instead:

- each notice id is handed out once, to one idle worker at a time, and ``notice_render`` locks its
  row while it renders (``SKIP LOCKED`` on PostgreSQL), so no notice is rendered twice, not even
  against the request that fired the step and renders inline;
- the document number was allocated with the step, so a worker that dies mid-render loses
  nothing: the notice it had in hand is counted as a failed attempt and stays pending (the next
  sweep renders it under the same number; its backoff stops a notice that kills its worker every
  time from taking a worker down on every sweep), and the rest of the burst goes on;
- each worker leaves after ``CASEFLOW_NOTICE_RENDERS_PER_WORKER`` renders (default 50) and a fresh
  one takes its place, started while the old one renders its last notice: WeasyPrint's memory
  grows with renders in one process even with ``gc.collect()`` (stack notes), and a fresh process
  is the only sure way to keep it flat. Workers are replaced one by one, so the others never wait.

Workers are started by a *forkserver* that has already imported caseflow and WeasyPrint and has
rendered one page with the notices' fonts (``caseflow.notices.forkserver_warm``), so a worker is
cheap to start, starts with the fonts loaded, and inherits no thread, lock or database connection
of the scheduler. Each builds its own app from the parent's configuration.
"""

import contextlib
import logging
import multiprocessing
import os
import pickle
from collections import deque
from multiprocessing.connection import wait

from flask import current_app
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError

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
#: What the forkserver imports once, so each worker starts warm (the last one renders a page).
_PRELOAD = [
    "caseflow",
    "caseflow.notices.services",
    "weasyprint",
    "caseflow.notices.forkserver_warm",
]
#: Workers that die holding no notice, after which the pool gives up for this sweep (workers
#: that cannot even start: a bad configuration, no memory).
_IDLE_DEATHS_MAX = 3

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


def _worker_main(conn, config: dict, renders: int) -> None:
    """A worker: build the app, say ready, then render the ids it is sent, at most ``renders``."""
    _worker_start(config)
    conn.send("ready")
    for _ in range(renders):
        try:
            notice_id = conn.recv()
        except EOFError:  # the parent has gone
            return
        if notice_id is None:
            return
        conn.send(_worker_render(notice_id))


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


class _Worker:
    """The parent's handle on one worker: its process, its end of the pipe, what it holds."""

    def __init__(self, context, config: dict, renders: int):
        self.conn, child_end = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child_end, config, renders), daemon=True
        )
        self.process.start()
        child_end.close()
        self.in_hand: int | None = None
        self.handed = 0
        self.renders = renders

    def hand(self, notice_id: int) -> None:
        self.in_hand = notice_id
        self.handed += 1
        self.conn.send(notice_id)

    @property
    def last_handed(self) -> bool:
        return self.handed >= self.renders

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # it may have gone already
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


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
    process as each render finishes (the benchmark's probe). Raises only when the database cannot
    be read at all (down, no schema): its caller says so in one line (the scheduler's runner, the
    CLI's guard), where a traceback here at every sweep would bury the log.
    """
    try:
        pending = notices_due_ids(ids, force=force)
    except (OperationalError, ProgrammingError, InterfaceError):
        db.session.rollback()
        raise
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
    issued: list[int] = []
    died: list[tuple[int, str]] = []
    todo = deque(pending)
    pool: list[_Worker] = []
    try:
        _drain(todo, pool, workers, per_worker, issued, died, on_rendered)
    except Exception:
        logger.exception("notices: the rendering pool failed; the rest stay pending")
    finally:
        for worker in pool:
            worker.stop()
    for notice_id, why in died:
        _record_failure(notice_id, RuntimeError(why))
    return sorted(issued)


def _drain(todo, pool, workers, per_worker, issued, died, on_rendered) -> None:
    """Hand ``todo`` out to ``workers`` processes until it is empty and every result is in."""
    context = _context()
    config = _portable_config(current_app.config)
    idle_deaths = 0

    def start() -> None:
        pool.append(_Worker(context, config, per_worker))

    def hand_next(worker: _Worker) -> None:
        if worker.last_handed:
            return  # it leaves after this result; its successor is already starting
        if not todo:
            pool.remove(worker)
            worker.stop()
            return
        worker.hand(todo.popleft())
        if worker.last_handed and todo and len(pool) <= workers:
            start()  # the successor warms up while this one renders its last notice

    for _ in range(workers):
        start()
    while pool:
        by_conn = {worker.conn: worker for worker in pool}
        by_sentinel = {worker.process.sentinel: worker for worker in pool}
        for ready in wait([*by_conn, *by_sentinel]):
            worker = by_conn.get(ready) or by_sentinel[ready]
            if worker not in pool:
                continue  # its pipe and its sentinel both fired: already handled
            # Read everything it sent before looking at whether it ended: a worker's last
            # result and its exit arrive together.
            ended = ready in by_sentinel
            try:
                while worker.conn.poll():
                    message = worker.conn.recv()
                    if message == "ready":
                        hand_next(worker)
                        continue
                    notice_id, was_issued, pid, renders, resident = message
                    worker.in_hand = None
                    if was_issued:
                        issued.append(notice_id)
                    hand_next(worker)  # before the probe: it may kill the worker mid-render
                    if on_rendered is not None:
                        on_rendered(notice_id, was_issued, pid, renders, resident)
            except (EOFError, OSError):
                ended = True
            if not ended or worker not in pool:
                continue
            # The process ended: after its last render that is the plan; otherwise it died.
            pool.remove(worker)
            worker.process.join()
            worker.conn.close()
            if worker.in_hand is not None:
                logger.error("notices: a rendering worker died on notice %s", worker.in_hand)
                died.append(
                    (worker.in_hand, f"rendering worker died (exit code {worker.process.exitcode})")
                )
            elif not worker.last_handed:
                idle_deaths += 1
                if idle_deaths >= _IDLE_DEATHS_MAX:
                    logger.error(
                        "notices: rendering workers keep dying; %d notice(s) left pending",
                        len(todo),
                    )
                    died.extend((notice_id, "rendering workers keep dying") for notice_id in todo)
                    todo.clear()
            if todo and len(pool) < workers:
                start()
