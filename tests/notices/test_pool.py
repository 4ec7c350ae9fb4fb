"""Pending notices render in a pool of worker processes: each once, workers replaced after N
renders, and a worker killed mid-render loses nothing (the retry issues the same number)."""

import os
import signal
from pathlib import Path

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.pool import notices_render_in_pool, pool_size
from tests.notices.conftest import at


def queue_answer_notices(make_case, issue, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        case = make_case("adjudication", state="awaiting_answer")
        notice = issue(
            case,
            "answer_notice",
            at("2026-09-22 10:00"),
            clocks=[("answer", "15 days")],
            render=False,
        )
        ids.append(notice.id)
    return ids


def issued_files(app) -> list[Path]:
    return sorted(Path(app.config["CASEFLOW_STORAGE"]).glob("notices/**/*.pdf"))


def test_a_burst_renders_on_several_recycled_workers_each_notice_once(app, make_case, issue):
    ids = queue_answer_notices(make_case, issue, 6)
    before = set(issued_files(app))
    seen = []

    issued = notices_render_in_pool(
        workers=2, renders_per_worker=2, on_rendered=lambda *result: seen.append(result)
    )

    assert issued == ids
    assert sorted(notice_id for notice_id, *_ in seen) == ids  # each handed out once
    pids = {pid for _, _, pid, _, _ in seen}
    # Two at a time, each worker replaced after two notices: three processes for six.
    assert len(pids) >= 3 and os.getpid() not in pids
    assert max(renders for *_, renders, _ in seen) == 2
    db.session.expire_all()
    notices = db.session.scalars(select(Notice).where(Notice.id.in_(ids))).all()
    assert {notice.status for notice in notices} == {"issued"}
    new_files = set(issued_files(app)) - before
    assert sorted(str(f) for f in new_files) == sorted(
        os.path.join(app.config["CASEFLOW_STORAGE"], notice.file_path) for notice in notices
    )
    # A second sweep finds nothing left to render.
    assert notices_render_in_pool(workers=2) == []


def test_a_worker_killed_mid_render_leaves_its_notices_pending_for_the_retry(app, make_case, issue):
    ids = queue_answer_notices(make_case, issue, 6)
    killed = []

    def kill_the_first_worker(notice_id, issued, pid, renders, resident):
        if not killed:  # it has more notices queued: it is rendering the next one now
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

    first = notices_render_in_pool(
        workers=2, renders_per_worker=50, on_rendered=kill_the_first_worker
    )

    db.session.expire_all()
    pending = db.session.scalars(
        select(Notice).where(Notice.status == "pending").order_by(Notice.id)
    ).all()
    # Only the notice in the killed worker's hands is left; a new worker rendered the rest.
    assert killed and len(first) == len(ids) - 1 and len(pending) == 1
    assert all(n.attempts == 1 and "worker died" in n.last_error for n in pending)
    numbers = {n.id: n.document_number for n in pending}

    retried = notices_render_in_pool(force=True, workers=2)

    # None issued twice, every one issued: a result lost with the broken pool was still
    # committed by its worker, and the retry renders exactly those left pending.
    assert not set(first) & set(retried)
    assert set(retried) == set(numbers)
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notice).where(Notice.status == "pending")
        )
        == 0
    )
    for notice_id, number in numbers.items():
        assert db.session.get(Notice, notice_id).document_number == number  # the same 文号


def test_one_notice_renders_in_this_process(app, make_case, issue):
    (notice_id,) = queue_answer_notices(make_case, issue, 1)
    seen = []
    assert notices_render_in_pool(on_rendered=lambda *r: seen.append(r)) == [notice_id]
    assert seen == []  # no pool was started for a single notice
    assert pool_size() >= 1
