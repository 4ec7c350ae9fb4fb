"""The period to sue (起诉期限) is each party's own: 15 days from its own receipt of the decision
(Patent Law art 65). The case's ``appeal`` clock runs from the later service (the case may close
only when both periods are over); a party's page counts from that party's service, and the
public page, which does not know who reads it, states the rule instead of a date."""

import re

import time_machine
from sqlalchemy import select

from caseflow.calendar.periods import due_on_of
from caseflow.clocks.models import Clock
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.services import notice_service_record, party_link_ensure
from tests.parties.conftest import local

HANDLERS = {"handlers": ["甲", "乙", "丙"]}
DECISION = {
    "findings": "被请求人销售的灯具落入涉案专利权的保护范围。",
    "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
    "items": ["被请求人立即停止销售侵权产品"],
}


def _decided(people, open_case):
    """An adjudication decided on 2026-11-20; the decision served by post on the complainant
    on 11-21, not yet on the respondent. Returns the case and the decision."""
    worker, chief = people["caseworker"], people["supervisor"]
    with time_machine.travel(local(2026, 11, 20, 12), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        case_fire(case, "accept", worker, occurred_at=local(2026, 10, 12, 9), data=HANDLERS)
        case_fire(case, "serve", worker, occurred_at=local(2026, 10, 12, 10))
        case_fire(case, "receive_answer", worker, occurred_at=local(2026, 10, 20, 10))
        case_fire(case, "decide", chief, occurred_at=local(2026, 11, 20, 10), data=DECISION)
        db.session.commit()  # the decision renders after the commit
    decision = db.session.scalar(
        select(Notice).where(Notice.case_id == case.id, Notice.kind == "decision")
    )
    assert decision.is_issued
    with time_machine.travel(local(2026, 11, 22, 9), tick=False):
        notice_service_record(
            notice=decision, served_at="2026-11-21", method="post", actor=worker, party="complainant"
        )
        db.session.commit()
    return case, decision


def _deadline_box(page: str) -> str:
    match = re.search(r'<div class="deadline-box" data-clock="appeal">(.*?)</div>\s*</div>', page, re.S)
    assert match, page
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_each_party_reads_its_own_period_to_sue_and_the_public_page_the_rule(
    client, people, open_case
):
    case, decision = _decided(people, open_case)
    _link, complainant = party_link_ensure(case, "complainant")
    _link, respondent = party_link_ensure(case, "respondent")
    db.session.commit()
    status_url = f"/status?number={case.number}&code={case.public_code}"
    with time_machine.travel(local(2026, 11, 25, 9), tick=False):
        # The respondent is not served yet: its period runs from its receipt, whenever that is.
        assert "自收到之日起15日内" in _deadline_box(client.get(f"/p/{respondent}").text)
    with time_machine.travel(local(2026, 12, 1, 9), tick=False):
        notice_service_record(
            notice=decision,
            served_at="2026-11-30",
            method="post",
            actor=people["caseworker"],
            party="respondent",
        )
        db.session.commit()
        mine = _deadline_box(client.get(f"/p/{complainant}").text)
        theirs = _deadline_box(client.get(f"/p/{respondent}").text)
        public = client.get(status_url).text
        api = client.get(
            "/api/v1/public/status", query_string={"number": case.number, "code": case.public_code}
        ).json
    # 15 days from 11-21 end on Sunday 12-06: a court's period rolls over to Monday 12-07
    # (national calendar, Civil Procedure Law art 85).
    assert "2026年12月7日" in mine and "12月15日" not in mine and "双方当事人" not in mine
    assert "2026年12月15日" in theirs
    # Written as the staff pages write a deadline: with its weekday.
    assert "2026年12月7日（周一）（当日24:00）" in mine and "2026年12月15日（周二）" in theirs
    # The public page names no party's date: the rule.
    box = _deadline_box(public)
    assert "自收到之日起15日内" in box and "2026年12月" not in box
    (appeal,) = [d for d in api["deadlines"] if d["clock"] == "appeal"]
    assert appeal["due_at"] is None and appeal["rule"] == "自收到之日起15日内"
    # The case's own clock still runs from the later service: closing waits for both periods.
    db.session.expire_all()
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id, Clock.name == "appeal"))
    assert due_on_of(clock.due_at).isoformat() == "2026-12-15"


def test_the_period_in_english(client, people, open_case):
    case, _decision = _decided(people, open_case)
    _link, respondent = party_link_ensure(case, "respondent")
    _link, complainant = party_link_ensure(case, "complainant")
    db.session.commit()
    with time_machine.travel(local(2026, 11, 25, 9), tick=False):
        from flask_babel import refresh

        page = client.get(f"/p/{respondent}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/lang/en", data={"next": "/status", "csrf_token": csrf})
        refresh()  # the test's app context outlives each request: drop the cached locale
        assert "within 15 days of receipt" in _deadline_box(client.get(f"/p/{respondent}").text)
        # 起诉期限 is the period to bring an administrative lawsuit, not an appeal.
        assert _deadline_box(client.get(f"/p/{respondent}").text).strip().startswith("Period to sue: ")
        assert "2026-12-07 (Mon) (24:00 that day)" in _deadline_box(client.get(f"/p/{complainant}").text)
