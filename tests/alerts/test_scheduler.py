"""The one list of periodic jobs, and the sweep's use of the index."""


import pytest
from sqlalchemy import text

from caseflow.alerts.services import sweep_due_query
from caseflow.extensions import db
from caseflow.scheduler import JOBS, scheduler_build
from tests.alerts.conftest import local


def test_every_job_is_scheduled_with_the_configured_interval(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_SWEEP_SECONDS", 7)
    scheduler = scheduler_build(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.target for job in JOBS}  # every area of this tree is present
    sweep = jobs["caseflow.alerts.services:sla_sweep"]
    assert sweep.trigger.interval.total_seconds() == 7
    assert jobs["caseflow.alerts.services:outbox_deliver"].trigger.interval.total_seconds() == 7
    assert sweep.max_instances == 1 and sweep.coalesce
    # APScheduler's warnings ("Execution of job … skipped") name the job by its name.
    assert all(job.name == job.id for job in jobs.values())


def test_the_sweep_reads_due_clocks_through_the_index(is_postgres):
    if is_postgres:
        pytest.skip("the planner's choice on an empty PostgreSQL table says nothing; see bench/")
    query = sweep_due_query(local(2026, 10, 1)).limit(500)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(
        str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
    )
    assert "ix_clocks_next_alert_at" in plan
    assert "TEMP B-TREE" not in plan  # no sort of the whole table


def _scheduler_process(database_url, storage):
    from tests.support import flask_cli

    return flask_cli(database_url, storage, "scheduler", timeout=60)


def test_the_scheduler_stops_at_once_on_a_database_it_cannot_use(tmp_path):
    """administration.md: a command run before ``db upgrade``, or that cannot reach the database,
    stops with one line and status 1. The scheduler did not: it logged a traceback per job per
    interval, for ever."""
    from tests.support import free_port

    for url, said in (
        (f"sqlite:///{tmp_path / 'empty.db'}", "数据库尚未建立"),
        (f"postgresql://caseflow:s3cret@127.0.0.1:{free_port()}/caseflow", "cannot reach"),
    ):
        done = _scheduler_process(url, tmp_path / "storage")
        assert done.returncode == 1, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and said in lines[0], done.stderr
        assert "s3cret" not in done.stderr


def test_a_job_that_cannot_reach_the_database_logs_one_line_and_runs_again(tmp_path, caplog):
    """A database restart while the scheduler runs: each job's run says so in one line, without a
    traceback, and returns, so that the next interval runs it again."""
    import logging

    from caseflow import create_app
    from tests.support import free_port

    down = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://caseflow:s3cret@127.0.0.1:{free_port()}/x",
            "CASEFLOW_STORAGE": str(tmp_path / "storage"),
            "TESTING": True,
        }
    )
    for job in scheduler_build(down).get_jobs():
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="caseflow"):
            job.func()  # returns: APScheduler keeps the job
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) == 1, (job.id, caplog.text)
        (record,) = records
        assert record.exc_info is None and "Traceback" not in caplog.text
        assert job.id in record.getMessage() and "cannot reach" in record.getMessage()
        assert "s3cret" not in caplog.text
