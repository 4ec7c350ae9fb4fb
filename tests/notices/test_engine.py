"""Notices issued by real transitions: ``caseflow.engine.case_fire`` queues them in the step's
transaction and renders them after its commit."""

import pytest

from caseflow.cases.services import case_open
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.selectors import notices_of_case
from caseflow.notices.services import notices_render_pending
from tests.notices.conftest import COMPLAINANT, RESPONDENT, RIGHT, at


@pytest.fixture
def caseworker(units, make_user):
    return make_user("caseworker", units["ZS"])


@pytest.fixture
def intake_case(units, caseworker):
    def factory():
        return case_open(
            workflow="intake",
            unit=units["ZS"],
            actor=caseworker,
            channel="walk_in",
            title="灯具外观专利侵权投诉",
            received_at=at("2026-09-21 09:00"),
            complainant=dict(COMPLAINANT),
            respondent={k: v for k, v in RESPONDENT.items() if k != "booth"},
            right=dict(RIGHT),
        )

    return factory


def test_a_transition_issues_its_notice_dated_by_the_step(intake_case, caseworker, pdf):
    case = intake_case()
    event = case_fire(
        case,
        "request_correction",
        caseworker,
        occurred_at=at("2026-09-22 10:00"),
        data={"items": "专利权评价报告"},
    )
    db.session.commit()  # the caller commits (a page would)

    [notice] = notices_of_case(case.id)
    assert notice.status == "issued", notice.last_error
    assert (notice.kind, notice.event_id) == ("correction_notice", event.id)
    assert notice.issued_at == event.occurred_at
    assert notice.addressee["name"] == COMPLAINANT["name"]
    text = pdf.text(notice)
    assert "补正通知书" in text and case.number in text and notice.document_number in text
    assert "专利权评价报告" in text
    # The correction clock: 15 days from 09-22 ends on 10-07, a holiday, so on 10-08.
    assert "请你方于2026年10月8日前补正" in text


def test_a_failed_render_never_undoes_the_transition(app, intake_case, caseworker, tmp_path, pdf):
    good = app.config["CASEFLOW_STORAGE"]
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    app.config["CASEFLOW_STORAGE"] = str(blocker)
    try:
        case = intake_case()
        case_fire(case, "request_correction", caseworker, occurred_at=at("2026-09-22 10:00"))
        db.session.commit()  # the caller commits (a page would)
    finally:
        app.config["CASEFLOW_STORAGE"] = good

    db.session.expire_all()
    assert case.state == "needs_correction"
    [notice] = notices_of_case(case.id)
    assert notice.status == "pending" and notice.attempts == 1
    number = notice.document_number

    assert notices_render_pending(force=True) == [notice.id]  # the operator's retry
    db.session.expire_all()
    notice = db.session.get(Notice, notice.id)
    assert notice.status == "issued" and notice.document_number == number
    assert number in pdf.text(notice)

    # The next step's notice takes the next number: the retry used none.
    other = intake_case()
    case_fire(other, "request_correction", caseworker, occurred_at=at("2026-09-23 10:00"))
    db.session.commit()  # the caller commits (a page would)
    [next_notice] = notices_of_case(other.id)
    assert next_notice.sequence_value == notice.sequence_value + 1
