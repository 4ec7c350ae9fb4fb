"""A step that concerns both sides reaches both (当事人): a hearing, a suspension, a closure is
told to each party in a notice of its own; a ruling (裁决书, 调解书, 协议书) is one document, one
number, served on each side, and the period to sue runs from the later service."""

import pytest
import time_machine
from sqlalchemy import select

from caseflow.clocks.models import Clock
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.services import notices_render_pending
from caseflow.parties.selectors import party_notices
from tests.notices.conftest import at, issued

HANDLERS = {"handlers": ["甲", "乙", "丙"]}
DECISION = {
    "findings": "被请求人销售的吸顶灯落入涉案专利权的保护范围。",
    "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
    "items": ["被请求人立即停止销售侵权产品"],
}


def _answered(open_case, fire):
    case = open_case("adjudication", received_at="2026-10-09 09:00")
    fire(case, "accept", occurred_at="2026-10-12 10:00", data=HANDLERS)
    fire(case, "serve", occurred_at="2026-10-12 11:00")
    fire(case, "receive_answer", occurred_at="2026-10-20 10:00")
    return case


def _issued(event) -> list:
    """The notices ``event`` issued, in the order it queued them, rendered and read again."""
    ids = db.session.scalars(
        select(Notice.id).where(Notice.event_id == event.id).order_by(Notice.id)
    ).all()
    notices_render_pending(ids)
    return [db.session.get(Notice, notice_id) for notice_id in ids]

def test_each_party_gets_its_own_hearing_notice(open_case, fire, pdf):
    with time_machine.travel(at("2026-10-21 12:00"), tick=False):
        case = _answered(open_case, fire)
        event = fire(
            case,
            "schedule_hearing",
            occurred_at="2026-10-21 10:00",
            data={"hearing_at": "2026-11-05T09:00:00+08:00", "hearing_place": "第一审理庭"},
        )
    notices = _issued(event)
    assert [n.addressee["role"] for n in notices] == ["complainant", "respondent"]
    assert len({n.document_number for n in notices}) == 2  # each its own number
    to_complainant, to_respondent = (pdf.text(n) for n in notices)
    assert "你方与某某照明厂之间" in to_complainant and "按撤回请求处理" in to_complainant
    assert "你方与古镇灯饰有限公司之间" in to_respondent
    assert "本中心可以缺席审理" in to_respondent
    assert [n.id for n in party_notices(case, "respondent") if n.kind == "hearing_notice"] == [
        notices[1].id
    ]


def test_a_decision_is_one_document_served_on_each_side(
    open_case, fire, client, make_token, staff
):
    worker = staff["ZS"]["caseworker"]
    with time_machine.travel(at("2026-11-02 12:00"), tick=False):
        case = _answered(open_case, fire)
        decision = issued(fire(case, "decide", "supervisor", data=DECISION))
    assert db.session.scalar(
        select(db.func.count(Notice.id)).where(Notice.kind == "decision")
    ) == 1
    assert decision.addressee["role"] == "parties"
    assert decision.addressee["name"] == "古镇灯饰有限公司、某某照明厂"
    assert decision in party_notices(case, "complainant")
    assert decision in party_notices(case, "respondent")

    token = make_token(worker)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/notices/{decision.id}/service"

    def serve(body):
        with time_machine.travel(at("2026-11-12 10:00"), tick=False):
            return client.put(url, json={"method": "post", **body}, headers=headers)

    unnamed = serve({"served_at": "2026-11-04T10:00:00+08:00"})
    assert unnamed.status_code == 422
    assert set(unnamed.json["error"]["fields"]) == {"party"}

    def appeal():
        db.session.expire_all()
        return db.session.scalar(
            select(Clock).where(Clock.case_id == case.id, Clock.name == "appeal")
        )

    # The respondent first (11-09), then the complainant earlier (11-04): the period to sue
    # counts from the later of the two, whatever the order they are recorded in.
    assert serve({"served_at": "2026-11-09T10:00:00+08:00", "party": "respondent"}).status_code == 200
    assert appeal().started_at == at("2026-11-09 10:00")
    assert serve({"served_at": "2026-11-04T10:00:00+08:00", "party": "complainant"}).status_code == 200
    clock = appeal()
    assert clock.started_at == at("2026-11-09 10:00")
    assert clock.last_day_on.isoformat() == "2026-11-24"  # 15 days from 11-09


def _fair_outcome(open_any, fire, *, answered: bool, decided_at: str):
    """A fair complaint lodged 10-16 10:00, the exhibitor told at 11:00 (24 hours to answer),
    found not infringing at ``decided_at``: the notices of that step, in order."""
    with time_machine.travel(at(decided_at), tick=False):
        case = open_any("fair_complaint", respondent=None)  # the exhibitor at booth 1.1A01
        fire(case, "accept", "desk_officer", occurred_at="2026-10-16 10:30")
        fire(case, "notify_respondent", "desk_officer", occurred_at="2026-10-16 11:00")
        if answered:
            fire(case, "receive_answer", "desk_officer", occurred_at="2026-10-16 16:00")
        event = fire(case, "find_not_infringing", "desk_officer", occurred_at=decided_at)
    return case, _issued(event)


def test_a_fair_outcome_is_served_on_both_the_complainant_and_the_exhibitor(open_any, fire, pdf):
    """legal-basis.md §5 DECISION: the decision is served on both parties (展会办法 art 14)."""
    case, notices = _fair_outcome(open_any, fire, answered=True, decided_at="2026-10-17 09:00")
    assert [n.addressee["role"] for n in notices] == ["complainant", "respondent"]
    assert [n.addressee["name"] for n in notices] == ["古镇灯饰有限公司", "佛山某灯具有限公司"]
    assert len({n.document_number for n in notices}) == 2
    to_complainant, to_exhibitor = (pdf.text(n) for n in notices)
    assert "你方于2026年10月16日提交的针对佛山某灯具有限公司" in to_complainant
    assert "向人民法院起诉" in to_complainant
    # The exhibitor reads of the complaint against it, and that it may keep exhibiting.
    assert "古镇灯饰有限公司于2026年10月16日针对你方" in to_exhibitor
    assert "1.1A01" in to_exhibitor and "不构成侵权" in to_exhibitor
    assert "你方可以继续参展" in to_exhibitor
    assert "你方可以依法向有关行政机关请求处理" not in to_exhibitor
    assert [n.id for n in party_notices(case, "respondent") if n.kind == "outcome_notice"] == [
        notices[1].id
    ]


def test_a_fair_outcome_says_whether_an_answer_was_received(open_any, fire, pdf):
    """展会办法 art 14: the desk may decide without an answer; the notice must not speak of an
    answer it never had."""
    _, answered = _fair_outcome(open_any, fire, answered=True, decided_at="2026-10-17 09:00")
    text = pdf.text(answered[0])
    assert "经审查投诉材料和被投诉方的答辩意见及证据" in text

    # The 24 hours ran out (10-17 11:00) before the decision: not answered within the period.
    _, lapsed = _fair_outcome(open_any, fire, answered=False, decided_at="2026-10-17 14:00")
    text, to_exhibitor = pdf.text(lapsed[0]), pdf.text(lapsed[1])
    assert "被投诉方在规定期限内未提交答辩意见" in text and "答辩意见和证据" not in text
    assert "你方在规定期限内未提交答辩意见" in to_exhibitor

    # Decided within the 24 hours, no answer yet: nothing about a period missed.
    _, early = _fair_outcome(open_any, fire, answered=False, decided_at="2026-10-16 15:00")
    text = pdf.text(early[0])
    assert "被投诉方未提交答辩意见" in text and "规定期限" not in text
    assert "经审查投诉材料" in text and "答辩意见和证据" not in text


def test_a_referral_letter_is_addressed_to_the_authority_and_says_what_happened(
    open_any, fire, pdf, units
):
    """A 移交函 goes to the receiving centre or court: no party is served with it. Its wording
    follows the facts: referred while the fair runs (10-15…10-19 18:00), never accepted, is not
    a case "展会期间未能处理完毕"."""
    with time_machine.travel(at("2026-10-17 12:00"), tick=False):
        case = open_any("fair_complaint", respondent=None, received_at="2026-10-17 09:00")
        event = fire(
            case,
            "refer",
            "desk_officer",
            occurred_at="2026-10-17 10:00",
            data={"target": "court", "reason": "该专利权属纠纷已诉至人民法院"},
        )
    [letter] = _issued(event)
    assert letter.addressee == {"role": "authority", "name": "人民法院"}
    text = pdf.text(letter)
    assert "人民法院：" in text
    assert "展会期间未能处理完毕" not in text and "展会已" not in text
    assert "该投诉未经本投诉站受理" in text
    assert "鉴于该专利权属纠纷已诉至人民法院，本投诉站决定不在展会现场处理本案" in text
    assert "办件查询码" not in text  # no party's status code in another authority's letter
    for role in ("complainant", "respondent"):
        assert letter not in party_notices(case, role)

    # After the close, an accepted complaint still open: that is what the stock sentence says.
    with time_machine.travel(at("2026-10-26 12:00"), tick=False):
        case = open_any("fair_complaint", respondent=None, received_at="2026-10-18 09:00")
        fire(case, "accept", "desk_officer", occurred_at="2026-10-18 09:30")
        event = fire(
            case,
            "refer",
            "desk_officer",
            occurred_at="2026-10-26 10:00",
            data={"target": "adjudication", "target_unit": "ZS"},
        )
    [letter] = _issued(event)
    centre = units["ZS"].profile.get("full_name") or units["ZS"].name
    assert letter.addressee == {"role": "authority", "name": centre}
    text = pdf.text(letter)
    assert f"{centre}：" in text
    assert "本投诉站已于2026年10月18日受理" in text
    assert "展会已于2026年10月19日闭幕，本案在展会期间未能处理完毕" in text
    assert f"现将本案移交{centre}依法裁决" in text


@pytest.mark.parametrize(
    ("trigger", "data", "order"),
    [
        ("order_rectification", {"measures": "遮盖展位上的吸顶灯样品"}, "采取遮盖、撤下涉嫌侵权展品"),
        ("order_withdrawal", {"items": "吸顶灯样品及宣传册"}, "将涉嫌侵权展品撤出展会"),
    ],
)
def test_a_fair_order_is_served_on_the_exhibitor_and_told_to_the_complainant(
    open_any, fire, pdf, trigger, data, order
):
    """legal-basis.md §5 DECISION: served on both parties (展会办法 art 14). The exhibitor is
    ordered; the complainant reads what was ordered and by when (the 2-hour compliance period
    from 10-16 14:00)."""
    with time_machine.travel(at("2026-10-16 14:00"), tick=False):
        case = open_any("fair_complaint", respondent=None)  # the exhibitor at booth 1.1A01
        fire(case, "accept", "desk_officer", occurred_at="2026-10-16 10:30")
        fire(case, "notify_respondent", "desk_officer", occurred_at="2026-10-16 11:00")
        event = fire(case, trigger, "desk_officer", data=data)
    notices = _issued(event)
    assert [n.addressee["role"] for n in notices] == ["respondent", "complainant"]
    assert len({n.document_number for n in notices}) == 2
    to_exhibitor, to_complainant = (pdf.text(n) for n in notices)
    assert "经查，你方在本展会1.1A01号展位" in to_exhibitor and "责令你方" in to_exhibitor
    assert "你方于2026年10月16日提交的针对佛山某灯具有限公司" in to_complainant
    assert f"本投诉站已责令被投诉方于2026年10月16日16时00分前{order}" in to_complainant
    assert next(iter(data.values())) in to_complainant
    assert "责令你方" not in to_complainant


@pytest.mark.parametrize("trigger", ["order_rectification", "order_withdrawal"])
def test_a_fair_order_calls_the_exhibit_suspected_throughout(open_any, fire, pdf, trigger):
    """A desk's order is a measure on a suspicion (legal-basis.md §5: the Canton Fair's 涉嫌侵犯
    知识产权的投诉及处理办法; the desk is no authority that decides infringement): the 撤展通知书
    says 涉嫌侵犯 where it states the finding, as the 整改通知书 does and as its own order says."""
    with time_machine.travel(at("2026-10-16 14:00"), tick=False):
        case = open_any("fair_complaint", respondent=None)
        fire(case, "accept", "desk_officer", occurred_at="2026-10-16 10:30")
        fire(case, "notify_respondent", "desk_officer", occurred_at="2026-10-16 11:00")
        event = fire(case, trigger, "desk_officer", data={})
    for notice in _issued(event):
        text = pdf.text(notice)
        assert "展出的产品涉嫌侵犯" in text, notice.addressee["role"]
        assert "展出的产品侵犯" not in text, notice.addressee["role"]
