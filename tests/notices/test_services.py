"""Queueing, numbering, the retry after a failed render, corrections and the seal."""

import hashlib
import os
import subprocess

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Event
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.services import notice_correct, notices_render_pending
from caseflow.sequences import Sequence
from tests.notices.conftest import at


@pytest.fixture
def broken_storage(app, tmp_path):
    """Storage configured as a path that is a file: every write fails until it is restored."""
    good = app.config["CASEFLOW_STORAGE"]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    app.config["CASEFLOW_STORAGE"] = str(blocker)
    yield lambda: app.config.update(CASEFLOW_STORAGE=good)
    app.config["CASEFLOW_STORAGE"] = good


def test_numbers_follow_the_units_patterns_gapless_per_pattern_and_year(make_case, issue, units):
    case = make_case("adjudication")
    made = [
        issue(case, kind, at(when), render=False)
        for kind, when in [
            ("acceptance_notice", "2026-03-02 10:00"),  # 中维受字
            ("answer_notice", "2026-03-09 10:00"),  # default pattern 中维通字
            ("hearing_notice", "2026-04-01 10:00"),  # default pattern again: 第2号
            ("decision", "2026-12-31 23:30"),  # 中维裁字, local year 2026 (15:30 UTC)
            ("closure_notice", "2027-01-01 00:30"),  # a new year restarts the default series
        ]
    ]
    assert [n.document_number for n in made] == [
        "中维受字〔2026〕第1号",
        "中维通字〔2026〕第1号",
        "中维通字〔2026〕第2号",
        "中维裁字〔2026〕第1号",
        "中维通字〔2027〕第1号",
    ]
    # The notice is dated the day its step took effect, not the day it was rendered.
    assert made[3].issued_at == at("2026-12-31 23:30")


def test_a_unit_without_patterns_falls_back_to_its_code(make_unit, make_case, issue):
    unit = make_unit("XZ", kind="protection_centre", name="测试保护中心", profile={})
    case = make_case("adjudication", unit=unit)
    notice = issue(case, "answer_notice", at("2026-05-06 09:00"), render=False)
    assert notice.document_number == "XZ字〔2026〕第1号"


def test_a_rolled_back_step_gives_its_number_back(make_case, issue):
    from caseflow.notices.services import notice_queue

    case = make_case("adjudication")
    event = Event(case=case, kind="transition", occurred_at=at("2026-05-06 09:00"))
    db.session.add(event)
    notice_queue(case=case, kind="answer_notice", event=event)
    db.session.rollback()  # the transition failed after queueing: nothing of it remains
    case = make_case("adjudication")
    notice = issue(case, "answer_notice", at("2026-05-06 10:00"), render=False)
    assert notice.document_number == "中维通字〔2026〕第1号"


def test_a_failed_render_leaves_the_step_and_a_pending_notice_and_the_retry_issues_it_once(
    app, make_case, issue, broken_storage, pdf
):
    case = make_case("adjudication", state="awaiting_answer")
    notice = issue(case, "answer_notice", at("2026-09-22 10:00"), clocks=[("answer", "15 days")])

    # The step stands: its event and clock are committed; the notice waits with its number.
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert notice.status == "pending"
    assert notice.document_number == "中维通字〔2026〕第1号"
    assert notice.attempts == 1 and "Error" in notice.last_error
    assert notice.file_path is None and notice.sha256 is None

    broken_storage()  # the operator fixes the storage
    result = app.test_cli_runner().invoke(args=["notices", "retry"])
    assert result.exit_code == 0, result.output
    assert "issued 1" in result.output

    db.session.expire_all()
    notice = db.session.get(Notice, notice.id)
    assert notice.status == "issued"
    assert notice.document_number == "中维通字〔2026〕第1号"  # the number given at the commit
    with open(pdf.path(notice), "rb") as handle:
        body = handle.read()
    assert hashlib.sha256(body).hexdigest() == notice.sha256 and len(body) == notice.file_size
    assert "2026年10月8日前" in pdf.text(notice)

    # A second retry (scheduler and operator racing, or run twice) issues nothing more.
    assert notices_render_pending() == []
    assert notices_render_pending([notice.id]) == []
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    assert (
        db.session.scalar(
            select(Sequence.last_value).where(Sequence.scope == notice.sequence_scope)
        )
        == 1
    )  # no gap, no second number
    written = [
        name
        for name in os.listdir(os.path.dirname(pdf.path(notice)))
        if notice.verification_code in name
    ]
    assert written == [os.path.basename(notice.file_path)]


def test_retry_never_raises_and_reports_what_stays_pending(app, make_case, issue, broken_storage):
    case = make_case("mediation", state="requested")
    notice = issue(case, "consent_request", at("2026-09-22 10:00"), render=False)
    assert notices_render_pending([notice.id]) == []  # storage still broken: logged, not raised
    result = app.test_cli_runner().invoke(args=["notices", "retry", str(notice.id)])
    assert result.exit_code == 1
    assert "1 still pending" in result.output
    assert db.session.get(Notice, notice.id).attempts == 2


def test_retry_of_an_id_that_names_no_notice_says_so_and_renders_nothing(app, make_case, issue):
    case = make_case("mediation", state="requested")
    notice = issue(case, "consent_request", at("2026-09-22 10:00"), render=False)
    result = app.test_cli_runner().invoke(args=["notices", "retry", str(notice.id), "999999"])
    assert result.exit_code == 1
    assert "no such notice: 999999" in result.output
    db.session.rollback()
    assert db.session.get(Notice, notice.id).status == "pending"  # not rendered either


def test_the_scheduler_backs_off_a_failing_notice_the_operator_does_not(
    app, make_case, issue, broken_storage
):
    from datetime import timedelta

    from caseflow.notices.services import notice_next_attempt_at

    case = make_case("adjudication")
    notice = issue(case, "closure_notice", at("2026-09-22 10:00"))  # fails: attempts 1
    notice.created_at = notice.created_at - timedelta(minutes=2)  # queued 2 minutes ago
    db.session.commit()
    assert notice_next_attempt_at(notice) == notice.created_at + timedelta(minutes=1)

    assert notices_render_pending() == []  # due (1 min): tried, fails again → attempts 2
    db.session.expire_all()
    assert notice.attempts == 2
    assert notice_next_attempt_at(notice) == notice.created_at + timedelta(minutes=3)

    broken_storage()
    assert notices_render_pending() == []  # not due before 3 minutes: the sweep skips it
    assert notices_render_pending(force=True) == [notice.id]  # `flask notices retry`


def test_an_issued_file_is_never_overwritten_and_a_correction_names_the_old_one(
    make_case, issue, pdf
):
    case = make_case("adjudication")
    original = issue(case, "decision", at("2026-09-22 10:00"), clocks=[("appeal", "15 days")])
    with open(pdf.path(original), "rb") as handle:
        original_bytes = handle.read()

    case.respondent = {**case.respondent, "name": "佛山市南海区光耀灯饰有限公司"}
    case.respondent_name = "佛山市南海区光耀灯饰有限公司"
    db.session.commit()
    correction = notice_correct(notice=original, note="被请求人名称有误")
    db.session.commit()  # the caller commits; the correction renders after it

    assert correction.status == "issued" and correction.replaces_id == original.id
    assert correction.document_number == "中维裁字〔2026〕第2号"
    assert correction.file_path != original.file_path
    text = pdf.text(correction)
    assert "佛山市南海区光耀灯饰有限公司" in text and "更正并替代中维裁字〔2026〕第1号" in text
    assert "自收到本裁决书之日起十五日内" in text  # the period of the original step
    with open(pdf.path(original), "rb") as handle:
        assert handle.read() == original_bytes
    assert (
        db.session.scalar(select(Event).where(Event.kind == "notice_correction")).data[
            "replaces_notice_id"
        ]
        == original.id
    )


def test_the_units_seal_image_is_printed_and_a_missing_one_keeps_the_notice_pending(
    make_unit, make_case, issue, tmp_path, pdf
):
    from PIL import Image, ImageDraw

    seal = tmp_path / "seal.png"
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((5, 5, 195, 195), outline=(200, 0, 0, 255), width=8)
    image.save(seal)
    unit = make_unit(
        "SL", kind="protection_centre", name="盖章测试中心", profile={"seal_image": str(seal)}
    )
    notice = issue(make_case("adjudication", unit=unit), "closure_notice", at("2026-09-22 10:00"))
    assert notice.status == "issued"
    images = subprocess.run(
        ["pdfimages", "-list", pdf.path(notice)], capture_output=True, text=True, check=True
    ).stdout
    assert "200   200" in images  # the seal, embedded at its own size

    unit.profile = {"seal_image": str(tmp_path / "missing.png")}
    db.session.commit()
    notice = issue(make_case("adjudication", unit=unit), "closure_notice", at("2026-09-23 10:00"))
    assert notice.status == "pending" and "missing.png" in notice.last_error
