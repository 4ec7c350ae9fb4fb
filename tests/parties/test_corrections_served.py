"""A correction of a notice (replaces_id) served on a party that already received the notice it
corrects: the period counting from the receipt keeps running from that first service
(parties.md §4). Only the first receipt of the text starts the period; a corrected copy does
not give the party the time again."""

import re

import time_machine
from sqlalchemy import select

from caseflow.clocks.models import Clock
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.delivery import notice_deliveries_send
from caseflow.parties.services import delivery_consent_set
from tests.parties.conftest import local

HANDLERS = {"handlers": ["甲", "乙", "丙"]}


def _answer_notice_served_on_paper(people, open_case, client, make_token):
    """An adjudication whose answer notice A (issued 11-20) was served by post on 11-23: the
    answer period now ends on 12-08. Returns the case, A and the caseworker's headers."""
    case, original, headers = _answer_notice_issued(people, open_case, make_token)
    _serve_on_paper(client, original, headers, served="2026-11-23", recorded=local(2026, 11, 24, 10))
    assert _due_on(case) == "2026-12-08"
    return case, original, headers


def _answer_notice_issued(people, open_case, make_token):
    """An adjudication whose answer notice A was issued on 11-20, not yet served. Returns the
    case, A and the caseworker's headers."""
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        case = open_case(worker, received_at=local(2026, 11, 16, 9))
        case_fire(case, "accept", worker, occurred_at=local(2026, 11, 18, 9), data=HANDLERS)
        case_fire(case, "serve", worker, occurred_at=local(2026, 11, 20, 9, 30))
        db.session.commit()  # the notice renders after the commit, as on a page
    original = db.session.scalar(
        select(Notice).where(Notice.case_id == case.id, Notice.kind == "answer_notice")
    )
    return case, original, {"Authorization": f"Bearer {make_token(worker)}"}


def _serve_on_paper(client, notice, headers, *, served: str, recorded) -> None:
    """Record ``notice``'s service by post on ``served`` (10:00 Beijing time), at ``recorded``."""
    with time_machine.travel(recorded, tick=False):
        response = client.put(
            f"/api/v1/notices/{notice.id}/service",
            json={"served_at": f"{served}T10:00:00+08:00", "method": "post"},
            headers=headers,
        )
    assert response.status_code == 200, response.json


def _correct(notice, people, client, make_token) -> Notice:
    headers = {"Authorization": f"Bearer {make_token(people['supervisor'])}"}
    with time_machine.travel(local(2026, 11, 27, 10), tick=False):
        response = client.post(
            f"/api/v1/notices/{notice.id}/corrections",
            json={"note": "被请求人地址有误"},
            headers=headers,
        )
    assert response.status_code == 201, response.json
    return db.session.get(Notice, response.json["id"])


def _answer_clock(case) -> Clock:
    db.session.expire_all()
    return db.session.scalar(select(Clock).where(Clock.case_id == case.id, Clock.name == "answer"))


def _due_on(case) -> str:
    from caseflow.calendar.periods import due_on_of

    return due_on_of(_answer_clock(case).due_at).isoformat()


def _clock_events(case) -> list:
    from caseflow.cases.models import Event

    return db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "clock").order_by(Event.id)
    ).all()


def test_serving_a_correction_on_paper_leaves_the_answer_period_as_the_first_service_set_it(
    people, open_case, client, make_token
):
    from tests.parties.conftest import pdf_text

    case, original, headers = _answer_notice_served_on_paper(people, open_case, client, make_token)
    correction = _correct(original, people, client, make_token)
    assert correction.replaces_id == original.id and correction.is_issued
    from caseflow.notices.selectors import notice_pdf_bytes

    assert "2026年12月8日前" in pdf_text(notice_pdf_bytes(correction)).replace(" ", "")
    retimed_before = len(_clock_events(case))
    _serve_on_paper(client, correction, headers, served="2026-12-01", recorded=local(2026, 12, 2, 10))
    # The respondent was served on 11-23: the corrected copy does not restart the period.
    clock = _answer_clock(case)
    assert clock.started_at == local(2026, 11, 23, 10)
    assert _due_on(case) == "2026-12-08"
    assert len(_clock_events(case)) == retimed_before


def test_an_emailed_correction_leaves_the_answer_period_alone_too(
    people, open_case, client, make_token, smtp_server
):
    case, original, _headers = _answer_notice_served_on_paper(people, open_case, client, make_token)
    delivery_consent_set(
        case=case, role="respondent", email="legal@star.example", consent=True, by=people["caseworker"]
    )
    db.session.commit()
    correction = _correct(original, people, client, make_token)
    retimed_before = len(_clock_events(case))
    with time_machine.travel(local(2026, 12, 1, 16), tick=True):
        report = notice_deliveries_send()
    assert report.sent == 1 and len(smtp_server.envelopes) == 1
    assert _answer_clock(case).started_at == local(2026, 11, 23, 10)
    assert _due_on(case) == "2026-12-08"
    assert len(_clock_events(case)) == retimed_before
    assert correction.replaces_id == original.id


def test_a_correction_served_first_is_the_receipt_and_moves_the_clock(
    people, open_case, client, make_token
):
    """A party that never received the notice receives its text with the correction: that
    service is its receipt, and the clock is re-timed to it (by its label in the audit note)."""
    case, original, headers = _answer_notice_issued(people, open_case, make_token)
    correction = _correct(original, people, client, make_token)
    _serve_on_paper(client, correction, headers, served="2026-12-01", recorded=local(2026, 12, 2, 10))
    assert _answer_clock(case).started_at == local(2026, 12, 1, 10)
    assert _due_on(case) == "2026-12-16"
    (retimed,) = _clock_events(case)
    assert "答辩期限" in retimed.note and "answer" not in retimed.note


def test_the_party_page_marks_a_replaced_notice_void(people, open_case, client, make_token):
    case, original, _headers = _answer_notice_served_on_paper(people, open_case, client, make_token)
    from caseflow.parties.services import party_link_ensure

    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    assert "作废" not in client.get(f"/p/{token}").text
    correction = _correct(original, people, client, make_token)
    page = client.get(f"/p/{token}").text
    notices = page[page.index('id="party-notices"') :]
    items = {
        number: item
        for item in re.findall(r"<li.*?</li>", notices, re.S)
        for number in (original.document_number, correction.document_number)
        if f"{number} · " in item  # the line under the title: its own number and date
    }
    assert items[original.document_number].startswith('<li class="void">')
    assert f"已被{correction.document_number}更正，本文书作废" in items[original.document_number]
    assert "作废" not in items[correction.document_number]
