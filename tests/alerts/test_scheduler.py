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
