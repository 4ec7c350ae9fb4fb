"""The deadlines a penalty's 当事人 reads on its page, on ``/status`` and in the public API
(parties.md §2, §4–§5): a period that counts from its receipt of a notice states the rule until
the service is recorded, then the date counted from it."""

import re

import time_machine
from sqlalchemy import select

from caseflow.clocks.models import Clock
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.delivery import notice_deliveries_send
from caseflow.parties.services import delivery_consent_set, notice_service_record, party_link_ensure
from tests.parties.conftest import local

INTENT = {
    "proposed_fine": 30000,
    "illegal_income": 2000,
    "confiscation": "违法所得2000元",
    "facts": "标注他人专利号",
}
DECISION = {
    "fine": 20000,
    "illegal_income": 2000,
    "confiscation": "违法所得2000元",
    "basis": "《专利法》第六十八条",
    "findings": "当事人在其销售的灯具包装上标注他人的专利号。",
    "reasoning": "当事人的行为构成假冒专利。",
    "items": ["责令改正并消除影响", "处以罚款"],
}


def _intent_notified(people, open_case, *, email=None):
    """A penalty whose intent notice the respondent signed for on Tuesday 2026-10-20 (its period
    to state a defence and ask for a hearing ends on 10-27); and the respondent's link."""
    worker, chief = people["caseworker"], people["supervisor"]
    with time_machine.travel(local(2026, 10, 20, 9), tick=False):
        case = open_case(worker, workflow="penalty", received_at=local(2026, 10, 9, 9))
        if email:
            delivery_consent_set(case=case, role="respondent", email=email, consent=True, by=worker)
        case_fire(case, "file_case", chief, occurred_at=local(2026, 10, 12, 9), data={"handlers": ["张三", "李四"]})
        case_fire(case, "notify_intent", worker, data=INTENT)
        _link, token = party_link_ensure(case, "respondent")
        db.session.commit()
    return case, token


def _decided(people, open_case, *, email=None):
    """The penalty decided on Thursday 2026-10-22 (the respondent waived its hearing in writing
    with its statement on 10-21), the decision not yet served: 缴纳罚款期限 15 days from the
    respondent's receipt (行政处罚法 art 67)."""
    case, token = _intent_notified(people, open_case, email=email)
    with time_machine.travel(local(2026, 10, 22, 10), tick=False):
        case_fire(
            case,
            "receive_statement",
            people["caseworker"],
            occurred_at=local(2026, 10, 21, 9),
            data={"statement": "我方认可事实。", "hearing_waived": True},
        )
        case_fire(case, "decide_penalty", people["supervisor"], data=DECISION)
        db.session.commit()  # the decision renders after the commit
    decision = db.session.scalar(
        select(Notice).where(Notice.case_id == case.id, Notice.kind == "penalty_decision")
    )
    assert decision.is_issued
    return case, token, decision


def _box(page: str, clock: str) -> str:
    match = re.search(rf'<div class="deadline-box" data-clock="{clock}">(.*?)</div>\s*</div>', page, re.S)
    assert match, page
    return re.sub(r"<[^>]+>", "", match.group(1))


def _everywhere(client, case, token) -> tuple[str, str, dict]:
    """The payment period as the party's page, ``/status`` and the public API give it."""
    mine = _box(client.get(f"/p/{token}").text, "payment")
    public = _box(client.get(f"/status?number={case.number}&code={case.public_code}").text, "payment")
    api = client.get(
        "/api/v1/public/status", query_string={"number": case.number, "code": case.public_code}
    ).json
    (payment,) = [d for d in api["deadlines"] if d["clock"] == "payment"]
    return mine, public, payment


def test_before_the_decision_is_served_the_party_reads_the_rule_then_its_date(
    client, people, open_case
):
    """The decision says 自收到本决定书之日起十五日内: until its service is recorded, no page
    gives a date counted from the decision (10-22 + 15 = 11-06, already past in the demo)."""
    case, token, decision = _decided(people, open_case)
    with time_machine.travel(local(2026, 10, 23, 9), tick=False):
        mine, public, payment = _everywhere(client, case, token)
    for box in (mine, public):
        assert "缴纳罚款期限" in box and "自收到之日起15日内" in box and "2026年11月" not in box
    assert payment["due_at"] is None and payment["due_on"] is None
    assert payment["rule"] == "自收到之日起15日内"
    with time_machine.travel(local(2026, 10, 27, 9), tick=False):
        notice_service_record(notice=decision, served_at="2026-10-26", method="post", actor=people["caseworker"])
        db.session.commit()
        mine, public, payment = _everywhere(client, case, token)
    # Served on Monday 10-26: 15 days end on Tuesday 11-10, a working day.
    for box in (mine, public):
        assert "2026年11月10日" in box and "自收到" not in box
    assert payment["due_on"] == "2026-11-10" and payment["rule"] is None


def test_an_emailed_decision_is_served_when_the_server_accepts_it_and_the_period_counts_from_then(
    client, people, open_case, smtp_server
):
    """No step recorded the receipt of a decision: the e-mail the party's server accepted is
    its service, and the payment clock is re-timed to it (parties.md §4)."""
    case, token, _decision = _decided(people, open_case, email="legal@star.example")
    with time_machine.travel(local(2026, 10, 22, 11), tick=False):
        mine, _public, _payment = _everywhere(client, case, token)
    assert "自收到之日起15日内" in mine
    with time_machine.travel(local(2026, 10, 26, 16), tick=True):
        assert notice_deliveries_send().sent >= 1
    db.session.expire_all()
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id, Clock.name == "payment"))
    assert local(2026, 10, 26, 16) <= clock.started_at < local(2026, 10, 26, 16, 1)
    with time_machine.travel(local(2026, 10, 27, 9), tick=False):
        mine, public, payment = _everywhere(client, case, token)
    assert "2026年11月10日" in mine and "2026年11月10日" in public
    assert payment["due_on"] == "2026-11-10"


def _statement(case, people, *, waived=False):
    """The respondent's statement received on Wednesday 2026-10-21, within its period."""
    data = {"statement": "我方认可事实。", **({"hearing_waived": True} if waived else {})}
    with time_machine.travel(local(2026, 10, 21, 10), tick=False):
        case_fire(case, "receive_statement", people["caseworker"], data=data)
        db.session.commit()


def test_after_a_statement_the_party_still_reads_its_period_to_ask_for_a_hearing(
    client, people, open_case
):
    """行政处罚法 arts 63–64: a statement without a waiver does not end the right to ask for a
    hearing within 5 working days of the intent notice (here to 10-27): the page and ``/status``
    say so until that day, then no longer."""
    case, token = _intent_notified(people, open_case)
    _statement(case, people)
    status_url = f"/status?number={case.number}&code={case.public_code}"
    with time_machine.travel(local(2026, 10, 22, 9), tick=False):
        page, public = client.get(f"/p/{token}").text, client.get(status_url).text
        api = client.get(
            "/api/v1/public/status", query_string={"number": case.number, "code": case.public_code}
        ).json
    for shown in (page, public):
        box = _box(shown, "statement")
        assert "要求听证期限" in box and "2026年10月27日" in box
        assert "目前没有需要当事人办理的期限" not in shown
    assert [(d["label"], d["due_on"]) for d in api["deadlines"]] == [("要求听证期限", "2026-10-27")]
    with time_machine.travel(local(2026, 10, 28, 9), tick=False):
        page = client.get(f"/p/{token}").text
    assert "要求听证期限" not in page and "目前没有需要当事人办理的期限" in page


def test_no_period_to_ask_for_a_hearing_once_waived_or_asked_for(client, people, open_case):
    waived, waived_token = _intent_notified(people, open_case)
    _statement(waived, people, waived=True)
    asked, asked_token = _intent_notified(people, open_case)
    _statement(asked, people)
    with time_machine.travel(local(2026, 10, 22, 9), tick=False):
        case_fire(
            asked,
            "request_hearing",
            people["caseworker"],
            data={"hearing_at": "2026-11-10T09:30:00+08:00", "hearing_place": "本中心听证室"},
        )
        db.session.commit()
    with time_machine.travel(local(2026, 10, 23, 9), tick=False):
        for token in (waived_token, asked_token):
            assert "要求听证期限" not in client.get(f"/p/{token}").text


def test_the_statement_period_its_step_received_reads_as_a_date_as_the_notice_prints_it(
    client, people, open_case
):
    """``notify_intent``'s ``occurred_at`` is the respondent's receipt (procedures.md §6): the
    事先告知书 prints the last day, and the party's page gives that date, not the rule."""
    case, token = _intent_notified(people, open_case)
    with time_machine.travel(local(2026, 10, 21, 9), tick=False):
        box = _box(client.get(f"/p/{token}").text, "statement")
    assert "2026年10月27日" in box and "自收到" not in box
