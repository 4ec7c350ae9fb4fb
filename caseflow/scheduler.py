"""The one list of periodic jobs, run by ``flask --app wsgi scheduler`` in its own process.

Never started inside web workers (style.md rule 7): the lead's run script starts this process
beside the web server. Every job reads its work from database rows, so a restart loses nothing:
the first sweep after downtime raises every alert whose moment passed meanwhile (marked late).
Two scheduler processes at once are safe too: the sweep takes an advisory lock on PostgreSQL and
relies on unique keys everywhere; the outbox claims each message before sending it.
"""

import importlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from caseflow.database_state import database_problem
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    #: ``module:function``; a job whose area is not in this tree is skipped.
    target: str
    #: Seconds between runs, from the app's configuration.
    every: Callable[[dict], float]
    #: Whether the function takes the current instant. The senders do not: each of their messages
    #: is timed when it is claimed and sent, not when a long run began (caseflow.outbox).
    takes_now: bool = True


def _sweep_seconds(config) -> float:
    return float(config.get("CASEFLOW_SWEEP_SECONDS") or 60)


#: Every periodic job of caseflow, in one place.
JOBS = (
    # deadlines.md §4: raise the alerts that have come due (every minute).
    Job("caseflow.alerts.services:sla_sweep", _sweep_seconds),
    # Deliver e-mail and webhooks every ~15 s (never slower than the sweep).
    Job(
        "caseflow.alerts.services:outbox_deliver",
        lambda c: min(15.0, _sweep_seconds(c)),
        takes_now=False,
    ),
    # ASVS 2.2.3: tell users their password changed or a token was made for them.
    Job(
        "caseflow.accounts.mail:account_mails_send",
        lambda c: min(15.0, _sweep_seconds(c)),
        takes_now=False,
    ),
    # Pending notices (a failed render after their transition, a burst) render on every core.
    Job("caseflow.notices.pool:notices_render_in_pool", _sweep_seconds, takes_now=False),
    # parties.md §4: serve notices electronically on the parties that consented.
    Job(
        "caseflow.parties.delivery:notice_deliveries_send",
        lambda c: min(15.0, _sweep_seconds(c)),
        takes_now=False,
    ),
    # When a fair has closed, its complaints' post-fair clocks start.
    Job("caseflow.fairs.services:fairs_start_post_fair_clocks", _sweep_seconds),
)


def _resolve(target: str):
    module_name, name = target.split(":")
    return getattr(importlib.import_module(module_name), name)


def _runner(app: Flask, func, takes_now: bool, name: str):
    def run():
        with app.app_context():
            try:
                func(utcnow()) if takes_now else func()
                db.session.commit()
            except SQLAlchemyError:
                db.session.rollback()
                # A database restart or outage, or a schema taken away: one line per run, no
                # traceback (a traceback per job per interval buries everything else); the job
                # runs again at its next interval, so the scheduler outlives the outage.
                problem = database_problem(app)
                if problem is None:
                    log.exception("scheduled job %s failed; it runs again next time", name)
                else:
                    summary = " ".join(problem.split())
                    log.error("scheduled job %s: %s; it runs again next time", name, summary)
            except Exception:
                db.session.rollback()
                log.exception("scheduled job %s failed; it runs again next time", name)
            finally:
                db.session.remove()

    return run


class _Stop(Exception):
    """Raised in the main thread by SIGTERM/SIGINT to leave the scheduler's loop."""


def scheduler_build(app: Flask):
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone=UTC, executors={"default": ThreadPoolExecutor(max_workers=len(JOBS))}
    )
    for job in JOBS:
        func = _resolve(job.target)
        scheduler.add_job(
            _runner(app, func, job.takes_now, job.target),
            "interval",
            seconds=job.every(app.config),
            id=job.target,
            name=job.target,  # else APScheduler's warnings say "_runner.<locals>.run"
            # Start at once (catch up after downtime); one run at a time; a missed run is folded
            # into the next rather than repeated, since each run does all the work that is due.
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    return scheduler


def scheduler_warnings(app: Flask) -> list[str]:
    """What the scheduler says when it starts about settings that keep its jobs from working."""
    warnings = []
    if not (app.config.get("CASEFLOW_PUBLIC_URL") or app.debug or app.testing):
        # Issue 16: no notice prints an address the operator did not set. Said at the start, not
        # only in each pending notice's last error, so the operator sees why none is issued.
        warnings.append(
            "CASEFLOW_PUBLIC_URL is not set: notices stay pending, unrendered, until it is "
            "(docs/deployment.md)"
        )
    return warnings


def scheduler_run(app: Flask) -> None:
    """Run until SIGTERM or SIGINT; a job that is running then finishes its transaction first."""
    scheduler = scheduler_build(app)

    def stop(signum, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise _Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    for warning in scheduler_warnings(app):
        log.warning("%s", warning)
    try:
        scheduler.start()
    except _Stop as exc:
        log.info("scheduler stopping on %s", exc)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
    log.info("scheduler stopped")
