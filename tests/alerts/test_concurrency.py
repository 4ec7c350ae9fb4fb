"""Two sweeps at once, and a scheduler killed mid-run: each alert exactly once, none lost."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseflow.alerts.models import Alert, OutboxMessage
from caseflow.alerts.services import sla_sweep
from caseflow.cases.models import Case
from caseflow.clocks.models import Clock
from caseflow.clocks.services import clock_start
from caseflow.extensions import db
from tests.alerts.conftest import _user, local
from tests.support import pinned_env

ROOT = Path(__file__).resolve().parents[2]


def _many_due_clocks(staff, make_case, count):
    """``count`` cases with a 24-hour clock each, all three levels long past by November.

    The first clock is started by the clock services; the rest are copies of its row, inserted in
    bulk (starting hundreds through the services would take most of the test's time).
    """
    template_case = make_case(staff["unit"], assignee=staff["caseworker"])
    template = clock_start(
        template_case, "handling", period="24 hours", started_at=local(2026, 10, 1, 8)
    )
    db.session.commit()
    case_cols = [c.name for c in Case.__table__.columns if c.name not in ("id", "number")]
    clock_cols = [c.name for c in Clock.__table__.columns if c.name not in ("id", "case_id")]
    cases, clocks = [], []
    for i in range(1, count):
        case_id = f"bulk{i:028d}"
        row = {c: getattr(template_case, c) for c in case_cols}
        row.update(id=case_id, number=f"ZS-ADJ-2026-B{i:05d}", public_code=f"B{i:07d}")
        cases.append(row)
        clocks.append({**{c: getattr(template, c) for c in clock_cols}, "case_id": case_id})
    db.session.execute(Case.__table__.insert(), cases)
    db.session.execute(Clock.__table__.insert(), clocks)
    db.session.commit()


def _count(model) -> int:
    db.session.rollback()  # a fresh snapshot: other connections have committed
    return db.session.scalar(select(func.count(model.id)))


def _two_sweeps_at_once(app, staff, make_case):
    _many_due_clocks(staff, make_case, 40)
    db.session.remove()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweeper():
        # Each thread has its own app context, hence its own session and connection.
        with app.app_context():
            try:
                barrier.wait()
                results.append([a.id for a in sla_sweep(local(2026, 11, 2, 9))])
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    first, second = results
    assert not set(first) & set(second)
    assert len(first) + len(second) == 120 == _count(Alert)
    # Every alert has its notifications once: 1 + 2 + 2 in-app, 1 + 2 + 2 e-mail.
    assert _count(OutboxMessage) == 40 * 10


@pytest.mark.postgres
def test_two_sweeps_on_postgresql_raise_each_alert_once(app, staff, make_case):
    _two_sweeps_at_once(app, staff, make_case)


def test_two_sweeps_on_sqlite_raise_each_alert_once(app, staff, make_case, is_postgres):
    if is_postgres:
        pytest.skip("the PostgreSQL variant above covers this pass")
    _two_sweeps_at_once(app, staff, make_case)


def _start_scheduler(app, tmp_path):
    env = pinned_env({
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CASEFLOW_STORAGE": str(tmp_path / "storage"),
        "CASEFLOW_SWEEP_SECONDS": "1",
        "SECRET_KEY": "scheduler-test",
    })
    for name in ("SMTP_URL", "CASEFLOW_WEBHOOK_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def staff_without_mail(units):
    """In-app notifications only, so the deliverer has little to do and the test stays quick."""
    zs = units["ZS"]
    _user("supervisor", zs, "wang")
    _user("admin", None, "root")
    caseworker = _user("caseworker", zs, "li")
    db.session.commit()
    return {"unit": zs, "caseworker": caseworker}


@pytest.mark.slow
def test_scheduler_killed_mid_run_loses_and_repeats_nothing(
    app, staff_without_mail, make_case, tmp_path
):
    count = 700  # two sweep batches: the kill lands after the first commit
    _many_due_clocks(staff_without_mail, make_case, count)
    db.session.remove()

    first = _start_scheduler(app, tmp_path)
    try:
        assert _wait_for(lambda: _count(Alert) > 0), "the scheduler raised nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = _count(Alert)

    second = _start_scheduler(app, tmp_path)
    try:
        assert _wait_for(lambda: _count(Alert) == 3 * count), (
            f"{_count(Alert)} of {3 * count} alerts after restart (had {at_kill} at the kill)"
        )
        second.send_signal(signal.SIGTERM)
        output = second.communicate(timeout=30)[0].decode()
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, output
    assert "scheduler stopped" in output

    assert _count(Alert) == 3 * count
    per_level = dict(
        db.session.execute(select(Alert.level, func.count()).group_by(Alert.level)).all()
    )
    assert per_level == {"due_soon": count, "overdue": count, "escalated": count}
    # Each alert came with all its notifications, in the same transaction: 1 + 2 + 2 in-app.
    assert _count(OutboxMessage) == count * 5
    print(f"alerts at the kill: {at_kill} of {3 * count}", file=sys.stderr)
