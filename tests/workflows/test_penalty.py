"""The `penalty` workflow (procedures.md §6): every row from every source, the clue's 15-workday
filing clock on the real 2026 calendar, the art 68 fine bound, the 7-workday hearing notice, the
statement period, suspension pausing the decision clock, and the credit record written with the
decision in one transaction."""

import pytest
import time_machine
from sqlalchemy import select

from caseflow.credit.models import CreditRecord
from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from tests.engine.helpers import at, clocks_of, local_due, transition_events
from tests.workflows.walk import walk

#: What every 行政处罚决定书 states (行政处罚法 art 59; workflows/penalty.py requires it).
PENALTY_TEXT = {
    "findings": "当事人在其销售的灯具包装上标注他人的专利号。",
    "reasoning": "当事人的行为构成假冒专利。",
    "items": ["责令改正并消除影响", "处以罚款"],
}


def test_every_row_from_every_source(open_any, fire):
    walk("penalty", open_any=open_any, fire=fire)


@pytest.fixture
def clue(open_case, fire):
    """An intake received 2026-09-28 10:00, accepted as a penalty clue: the linked penalty case."""

    def make(**kwargs):
        with time_machine.travel(at("2026-09-28 11:00"), tick=False):
            intake = open_case("intake", received_at="2026-09-28 10:00", **kwargs)
            event = fire(intake, "accept", data={"route": "penalty_clue"})
        from caseflow.cases.models import Case

        return db.session.scalars(
            select(Case).where(Case.number == event.data["linked_case"])
        ).one()

    return make


def test_clue_opens_a_penalty_case_due_fifteen_workdays_from_receipt(clue):
    case = clue()
    assert case.workflow == "penalty" and case.state == "clue"
    assert case.number.startswith("ZS-PEN-2026-")
    assert case.received_at == at("2026-09-28 10:00")
    assert case.respondent["name"] == "某某照明厂"
    assert case.right["number"] == "ZL202330123456.7"
    # 09-29, 09-30; 10-08, 10-09, the make-up Saturday 10-10; 10-12..16; 10-19..23.
    assert local_due(clocks_of(case)["filing_decision"]) == "2026-10-23"


#: 行政处罚法 art 42: at least two enforcement officers.
HANDLERS = {"handlers": ["张三", "李四"]}


def _to_deliberation(
    case, fire, *, start="2026-10-12 09:00", waived=True, fine=30000, income=2000
):
    """Filed, notified on 10-20 of a ``fine`` on an illegal ``income`` (the statement period
    runs to the end of 10-27), the statement in on 10-21; ``waived``: with the party's written
    waiver of a hearing."""
    with time_machine.travel(at(start), tick=False):
        fire(case, "file_case", "supervisor", data=HANDLERS)
    with time_machine.travel(at("2026-10-20 09:00"), tick=False):
        fire(
            case,
            "notify_intent",
            data={
                "proposed_fine": fine,
                "illegal_income": income,
                # Patent Law art 68: an illegal income is confiscated.
                **({"confiscation": f"违法所得{income}元"} if income else {}),
                "facts": "标注他人专利号",
            },
        )
    with time_machine.travel(at("2026-10-21 09:00"), tick=False):
        data = {"statement": "放弃陈述申辩", "hearing_waived": waived}
        fire(case, "receive_statement", data=data)


def test_a_decision_without_its_facts_reasons_and_items_is_refused(clue, fire):
    """行政处罚法 art 59 (notices.md): the 行政处罚决定书 states the facts, the reasons and the
    penalty; without them the step is refused and nothing is issued or recorded."""
    case = clue()
    _to_deliberation(case, fire)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        with pytest.raises(ValidationFailed) as refused:
            fire(case, "decide_penalty", "supervisor", data={"fine": 9999.5, "basis": "专利法68"})
        assert {"findings", "reasoning", "items"} <= set(refused.value.fields)
        assert case.state == "deliberation" and not db.session.scalars(select(CreditRecord)).all()
        blank_items = {**PENALTY_TEXT, "items": ["", "  "]}
        with pytest.raises(ValidationFailed) as refused:
            fire(
                case, "decide_penalty", "supervisor", data={"fine": 1, "basis": "68", **blank_items}
            )
        assert set(refused.value.fields) == {"items"}


def test_fine_over_the_art_68_bound_is_refused_with_the_bound(clue, fire):
    case = clue()
    _to_deliberation(case, fire, fine=500000, income=100000)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        # No income above 50,000: at most 250,000.
        with pytest.raises(ValidationFailed) as refused:
            fire(
                case,
                "decide_penalty",
                "supervisor",
                data={"fine": 250001, "basis": "专利法68", **PENALTY_TEXT},
            )
        assert refused.value.message == (
            "罚款超过《专利法》第六十八条规定的上限：无违法所得或违法所得在50,000元以下的，"
            "最高可处250,000元"
        )
        assert "fine" in refused.value.fields
        # Income 100,000: at most 5 times it.
        with pytest.raises(ValidationFailed) as refused:
            fire(
                case,
                "decide_penalty",
                "supervisor",
                data={
                    "fine": 500001,
                    "illegal_income": 100000,
                    "confiscation": "违法所得100000元",
                    "basis": "专利法68",
                    **PENALTY_TEXT,
                },
            )
        assert refused.value.message == (
            "罚款超过《专利法》第六十八条规定的上限：违法所得100,000元的5倍，即500,000元"
        )
        assert case.state == "deliberation" and not db.session.scalars(select(CreditRecord)).all()
        fire(
            case,
            "decide_penalty",
            "supervisor",
            data={
                "fine": 500000,
                "illegal_income": 100000,
                "confiscation": "违法所得100000元",
                "basis": "专利法第六十八条",
                **PENALTY_TEXT,
            },
        )
    assert case.state == "decided"


def test_decision_writes_its_credit_record_in_the_same_step(clue, fire):
    case = clue(respondent={"name": "某某照明厂", "kind": "company", "code": _code()})
    _to_deliberation(case, fire)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        event = fire(
            case,
            "decide_penalty",
            "supervisor",
            data={
                "fine": 30000,
                "illegal_income": 2000,
                "confiscation": "违法所得2000元",
                "basis": "专利法第六十八条",
                **PENALTY_TEXT,
            },
        )
    record = db.session.scalars(select(CreditRecord)).one()
    assert (record.kind, record.status, record.case_id) == (
        "penalty",
        "pending_publication",
        case.id,
    )
    assert record.subject_code == _code() and record.document_number.startswith("中维罚字〔2026〕")
    assert event.data["credit_records"] == [record.id]
    clocks = clocks_of(case)
    assert clocks[f"credit_publication.{record.id}"].status == "running"
    assert {"service", "payment", "penalty_publication"} <= {
        n for n, c in clocks.items() if c.status == "running"
    }


def test_a_failing_credit_write_undoes_the_decision(clue, fire, monkeypatch):
    import caseflow.credit.services as credit

    case = clue()
    _to_deliberation(case, fire, income=0)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(credit, "same_patent_findings", broken)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False), pytest.raises(RuntimeError):
        fire(
            case, "decide_penalty", "supervisor", data={"fine": 1000, "basis": "68", **PENALTY_TEXT}
        )
    db.session.expire_all()
    assert case.state == "deliberation"
    assert db.session.scalars(select(CreditRecord)).all() == []


def test_hearing_at_least_seven_workdays_after_the_notice(clue, fire):
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data=HANDLERS)
        fire(case, "notify_intent", data={"proposed_fine": 1000, "facts": "事实"})
    with time_machine.travel(at("2026-10-13 09:00"), tick=False):
        # 7 workdays after 10-13: 10-22; the 21st is too early.
        with pytest.raises(ValidationFailed) as early:
            fire(case, "request_hearing", data={"hearing_at": "2026-10-21T09:00:00+08:00"})
        assert "2026-10-22" in early.value.fields["hearing_at"]
        fire(case, "request_hearing", data={"hearing_at": "2026-10-22T09:00:00+08:00"})
    clocks = clocks_of(case)
    assert case.state == "hearing_requested"
    assert clocks["statement"].status == "met" and clocks["decision"].status == "paused"


def test_proceed_only_once_the_statement_period_has_run(clue, fire):
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data=HANDLERS)
        fire(case, "notify_intent", data={"proposed_fine": 1000, "facts": "事实"})
    # 5 workdays from 10-12: due end of 10-19.
    assert local_due(clocks_of(case)["statement"]) == "2026-10-19"
    with time_machine.travel(at("2026-10-19 20:00"), tick=False), pytest.raises(StateConflict):
        fire(case, "proceed")
    with time_machine.travel(at("2026-10-20 08:00"), tick=False):
        # Once it has run, a hearing can no longer be requested either.
        with pytest.raises(StateConflict):
            fire(case, "request_hearing", data={"hearing_at": "2026-11-30T09:00:00+08:00"})
        fire(case, "proceed")
    assert case.state == "deliberation"


def test_suspension_pauses_the_decision_clock_and_resume_returns(clue, fire):
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data=HANDLERS)
    # 90 days from 10-12: 2027-01-10 is a Sunday → 2027-01-11.
    before = clocks_of(case)["decision"].due_at
    with time_machine.travel(at("2026-10-14 09:00"), tick=False):
        fire(case, "suspend", "supervisor", data={"reason": "appraisal"})
    assert clocks_of(case)["decision"].status == "paused"
    with time_machine.travel(at("2026-10-24 09:00"), tick=False):
        event = fire(case, "resume", "supervisor")
    assert case.state == "investigating" and event.to_state == "investigating"
    clock = clocks_of(case)["decision"]
    assert clock.status == "running" and clock.due_at > before
    _to_deliberation_from_investigating(case, fire)
    with time_machine.travel(at("2026-10-29 09:00"), tick=False):
        fire(case, "suspend", "supervisor", data={"reason": "testing"})
        event = fire(case, "resume", "supervisor")
    assert case.state == "deliberation"
    assert [e.trigger for e in transition_events(case)][-2:] == ["suspend", "resume"]


def _to_deliberation_from_investigating(case, fire):
    with time_machine.travel(at("2026-10-26 09:00"), tick=False):
        fire(case, "notify_intent", data={"proposed_fine": 1000, "facts": "事实"})
        fire(case, "receive_statement")


def test_filing_decision_extends_once_by_fifteen_workdays(clue, fire):
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "extend_filing", "supervisor", data={"reason": "线索复杂"})
        assert local_due(clocks_of(case)["filing_decision"]) == "2026-11-13"
        with pytest.raises(ValidationFailed):
            fire(case, "extend_filing", "supervisor", data={"reason": "再延"})


def test_the_decision_is_no_heavier_than_the_notice_until_notified_again(clue, fire):
    """行政处罚法 arts 44–45, 62: the party is told the penalty intended and may answer it; the
    decision may not fine more than that notice announced, nor rest on another illegal income.
    To decide more, the caseworker notifies again from deliberation: a new notice, a new
    statement period, in which a waiver given to the first notice no longer counts."""
    from caseflow.notices.models import Notice

    case = clue()
    _to_deliberation(case, fire)  # 30,000 on an illegal income of 2,000; hearing waived
    heavier = {"basis": "68", "confiscation": "违法所得2000元", **PENALTY_TEXT}
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        for data, field in (
            ({"fine": 30001, "illegal_income": 2000}, "fine"),
            ({"fine": 30000, "illegal_income": 60000}, "illegal_income"),
            ({"fine": 30000}, "illegal_income"),
        ):
            with pytest.raises(ValidationFailed) as refused:
                fire(case, "decide_penalty", "supervisor", data={**heavier, **data})
            assert set(refused.value.fields) == {field}
            assert "第四十四条、第四十五条" in refused.value.message
        assert "30,000" in refused.value.message or "2,000" in refused.value.message
        assert case.state == "deliberation" and not db.session.scalars(select(CreditRecord)).all()

    with time_machine.travel(at("2026-10-23 09:00"), tick=False):
        data = {
            "proposed_fine": 60000,
            "illegal_income": 2000,
            "confiscation": "违法所得2000元",
            "facts": "标注他人专利号，数量更大",
        }
        fire(case, "notify_intent", data=data)
    assert case.state == "intent_notified"
    statement = clocks_of(case)["statement"]
    assert statement.status == "running" and local_due(statement) == "2026-10-30"
    intents = db.session.scalars(
        select(Notice).where(Notice.case_id == case.id, Notice.kind == "penalty_intent_notice")
    ).all()
    assert len(intents) == 2
    with time_machine.travel(at("2026-10-26 09:00"), tick=False):
        fire(case, "receive_statement", data={"statement": "不服"})
        data = {**heavier, "fine": 60000, "illegal_income": 2000}
        with pytest.raises(StateConflict):  # the first notice's waiver does not answer this one
            fire(case, "decide_penalty", "supervisor", data=data)
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):
        fire(case, "decide_penalty", "supervisor", data=data)
    assert case.state == "decided" and case.data["fine"] == 60000


def test_the_intent_proposes_the_penalty_kinds_of_the_decision(clue, fire):
    """The intent notice announces the penalty intended (行政处罚法 art 44) with the kinds the
    decision has: a warning, a confiscation, a fine. Nothing proposed, or only a fine of 0, is
    refused: it would print 罚款人民币0.00元 for what is a warning."""
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data=HANDLERS)
        for data in ({"facts": "标注他人专利号"}, {"proposed_fine": 0, "facts": "标注他人专利号"}):
            with pytest.raises(ValidationFailed) as refused:
                fire(case, "notify_intent", data=data)
            assert "proposed_fine" in refused.value.fields
        assert case.state == "investigating"
        fire(case, "notify_intent", data={"warning": True, "facts": "标注他人专利号"})
        fire(case, "receive_statement", data={"hearing_waived": True})
        with pytest.raises(ValidationFailed) as refused:  # a fine was not announced
            data = {"fine": 1000, "basis": "68", **PENALTY_TEXT}
            fire(case, "decide_penalty", "supervisor", data=data)
        assert set(refused.value.fields) == {"fine"}
        data = {"fine": 0, "warning": True, "basis": "68", **PENALTY_TEXT}
        fire(case, "decide_penalty", "supervisor", data=data)
    assert case.state == "decided" and "payment" not in clocks_of(case)


def test_illegal_income_is_confiscated(clue, fire):
    """Patent Law art 68: the illegal income is confiscated (没收违法所得, mandatory; the fine is
    discretionary). An intent or a decision with an illegal income and no confiscation is
    refused beside the confiscation field."""
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data=HANDLERS)
        intent = {"proposed_fine": 10000, "illegal_income": 3000, "facts": "标注他人专利号"}
        with pytest.raises(ValidationFailed) as refused:
            fire(case, "notify_intent", data=intent)
        assert set(refused.value.fields) == {"confiscation"}
        assert "第六十八条" in refused.value.message
        fire(case, "notify_intent", data={**intent, "confiscation": "违法所得3000元"})
        fire(case, "receive_statement", data={"hearing_waived": True})
        decision = {"fine": 10000, "illegal_income": 3000, "basis": "68", **PENALTY_TEXT}
        with pytest.raises(ValidationFailed) as refused:
            fire(case, "decide_penalty", "supervisor", data=decision)
        assert set(refused.value.fields) == {"confiscation"}
        assert "confiscat" in refused.value.message_en
        assert case.state == "deliberation"
        fire(case, "decide_penalty", "supervisor", data={**decision, "confiscation": "违法所得3000元"})
    assert case.state == "decided"


def test_a_hearing_is_recorded_held_on_its_day_not_before(clue, fire):
    """Like the adjudication's oral hearing: recorded before its day, the audit trail would be
    false and the decision clock would resume early."""
    case = clue()
    _to_deliberation(case, fire, waived=False)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        fire(case, "request_hearing", data={"hearing_at": "2026-11-03T09:00:00+08:00"})
    with time_machine.travel(at("2026-11-02 18:00"), tick=False):
        with pytest.raises(StateConflict) as refused:
            fire(case, "hold_hearing")
        assert "听证日期未到" in refused.value.message and "2026-11-03" in refused.value.message_en
    assert case.state == "hearing_requested" and clocks_of(case)["decision"].status == "paused"
    with time_machine.travel(at("2026-11-03 12:00"), tick=False):
        fire(case, "hold_hearing")
    assert case.state == "deliberation" and clocks_of(case)["decision"].status == "running"


def test_filing_names_at_least_two_handlers(clue, fire):
    """行政处罚法 art 42: a penalty is enforced by at least two officers; a filing that names
    none, or one, is refused beside the field and changes nothing."""
    case = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        for data in ({}, {"handlers": ["张三"]}):
            with pytest.raises(ValidationFailed) as refused:
                fire(case, "file_case", "supervisor", data=data)
            assert "handlers" in refused.value.fields
            assert case.state == "clue" and transition_events(case) == []
        assert "两名" in refused.value.fields["handlers"]
        fire(case, "file_case", "supervisor", data=HANDLERS)
    assert case.state == "investigating" and case.data["handlers"] == ["张三", "李四"]


def test_no_penalty_while_the_party_may_still_ask_for_a_hearing(clue, fire):
    """行政处罚法 arts 63–64: the party has 5 working days from the intent notice to ask for a
    hearing, and a statement given on day 1 does not take that away: a penalty decided within
    them is refused, unless the party waived the hearing in writing. A decision not to penalise
    takes nothing from the party and is not held back."""
    case = clue()
    _to_deliberation(case, fire, waived=False, income=0)  # the period runs to the end of 10-27
    with time_machine.travel(at("2026-10-27 18:00"), tick=False):
        with pytest.raises(StateConflict) as refused:
            fire(case, "decide_penalty", "supervisor", data={"fine": 1000, "basis": "68", **PENALTY_TEXT})
        assert "第六十三条、第六十四条" in refused.value.message
        assert "hearing" in refused.value.message_en
        assert case.state == "deliberation" and not db.session.scalars(select(CreditRecord)).all()
    with time_machine.travel(at("2026-10-28 09:00"), tick=False):
        fire(case, "decide_penalty", "supervisor", data={"fine": 1000, "basis": "68", **PENALTY_TEXT})
    assert case.state == "decided"

    waived = clue()
    _to_deliberation(waived, fire, waived=True, income=0)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        fire(waived, "decide_penalty", "supervisor", data={"fine": 1000, "basis": "68", **PENALTY_TEXT})
    assert waived.state == "decided" and waived.data["hearing_waived"] is True

    spared = clue()
    _to_deliberation(spared, fire, waived=False, income=0)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        fire(spared, "decide_no_penalty", "supervisor", data={"reason": "违法事实不能成立"})
    assert spared.state == "no_penalty"


def test_a_late_period_is_not_extended_afterwards(clue, fire):
    """deadlines.md §3, 市场监督管理行政处罚程序规定 arts 18, 64: an extension is approved
    because the case cannot be finished within the period, so before it ends. The filing
    period ran out with 10-23: extended on 10-26 it would turn a late filing into one on time."""
    case = clue()
    with time_machine.travel(at("2026-10-26 09:00"), tick=False):
        with pytest.raises(StateConflict) as refused:
            fire(case, "extend_filing", "supervisor", data={"reason": "线索复杂"})
        assert refused.value.message.startswith("立案审查期限已于2026年10月23日（周五）届满")
        assert "2026-10-23" in refused.value.message_en
        assert transition_events(case) == [] and local_due(clocks_of(case)["filing_decision"]) == "2026-10-23"
        fire(case, "file_case", "supervisor", data=HANDLERS)
    assert clocks_of(case)["filing_decision"].status == "breached"


def test_direct_opening_from_an_inspection(open_case):
    case = open_case("penalty", channel="inspection", received_at="2026-09-28 10:00")
    assert case.state == "clue" and local_due(clocks_of(case)["filing_decision"]) == "2026-10-23"


def _code(first16="9144200071478234"):
    from caseflow.applicants.creditcode import credit_code_check_char

    first17 = first16 + "1"
    return first17 + credit_code_check_char(first17)


def _inspection_case(open_case):
    """A penalty case the centre found itself in an inspection: it has no reporter."""
    return open_case(
        "penalty",
        received_at="2026-10-09 15:00",
        channel="inspection",
        complainant={"name": "中山（灯饰）知识产权快速维权中心执法科", "kind": "company"},
    )


def test_the_filing_notice_goes_to_a_reporter_not_to_an_inspection(clue, open_case, fire):
    """procedures.md §6: 立案告知书 "to the reporter, when real-name". A clue from a named
    complainant gets it; a case found in an inspection has no reporter, so none is issued."""
    from caseflow.notices.models import Notice

    reported = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(reported, "file_case", "supervisor", data=HANDLERS)
    kinds = db.session.scalars(select(Notice.kind).where(Notice.case_id == reported.id)).all()
    assert kinds == ["penalty_filing_notice"]

    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        found = _inspection_case(open_case)
        event = fire(found, "file_case", "supervisor", data=HANDLERS)
    assert found.state == "investigating" and event.trigger == "file_case"
    assert db.session.scalars(select(Notice).where(Notice.case_id == found.id)).all() == []
    assert clocks_of(found)["decision"].status == "running"


def test_a_declined_inspection_clue_tells_no_one(clue, open_case, fire):
    """The 不予立案告知书 goes to the reporter of a clue; a clue the centre found itself in an
    inspection would be addressed to the centre."""
    from caseflow.notices.models import Notice

    reported = clue()
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(reported, "decline", "supervisor", data={"reason": "线索不实"})
    kinds = db.session.scalars(select(Notice.kind).where(Notice.case_id == reported.id)).all()
    assert kinds == ["declination_notice"]

    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        found = _inspection_case(open_case)
        event = fire(found, "decline", "supervisor", data={"reason": "经核查不构成假冒专利"})
    assert found.state == "not_filed" and event.trigger == "decline"
    assert db.session.scalars(select(Notice).where(Notice.case_id == found.id)).all() == []


def _adjudication_decided(open_case, fire, *, decided: str, **kwargs):
    """An adjudication against the default respondent on the default patent, found infringing
    on ``decided`` (its period to sue, 15 days, starts then)."""
    with time_machine.travel(at("2026-12-01 09:00"), tick=False):
        case = open_case("adjudication", received_at="2026-09-01 09:00", **kwargs)
        fire(case, "accept", occurred_at="2026-09-02 10:00", data={"handlers": ["甲", "乙", "丙"]})
        fire(case, "serve", occurred_at="2026-09-03 10:00")
        fire(case, "receive_answer", occurred_at="2026-09-08 10:00")
        fire(
            case,
            "decide",
            "supervisor",
            occurred_at=decided,
            data={"outcome": "infringing", **PENALTY_TEXT},
        )
    return case


def _decide_penalty(case, fire, *, on: str, fine: int):
    """The penalty on the illegal income of 2,000 RMB ``_to_deliberation`` notified."""
    with time_machine.travel(at(f"{on} 09:00"), tick=False):
        fire(
            case,
            "decide_penalty",
            "supervisor",
            data={
                "fine": fine,
                "illegal_income": 2000,
                "confiscation": "违法所得2000元",
                "basis": "68",
                **PENALTY_TEXT,
            },
        )


def _kinds():
    return sorted(db.session.scalars(select(CreditRecord.kind)).all())


def test_a_decision_still_open_to_suit_is_not_yet_an_earlier_finding(clue, open_case, fire):
    """credit.md: the same patent again "after an effective decision". An adjudication decided
    on 10-15 can be sued against until 10-30: a penalty on 10-22 is not yet a repeat."""
    _adjudication_decided(open_case, fire, decided="2026-10-15 10:00")
    case = clue()
    _to_deliberation(case, fire)
    _decide_penalty(case, fire, on="2026-10-22", fine=30000)
    assert _kinds() == ["infringement_decision", "penalty"]


def test_a_decision_past_its_period_to_sue_makes_the_next_finding_a_repeat(clue, open_case, fire):
    earlier = _adjudication_decided(open_case, fire, decided="2026-09-15 10:00")  # suit by 09-30
    case = clue()
    _to_deliberation(case, fire)
    _decide_penalty(case, fire, on="2026-10-22", fine=30000)
    assert _kinds() == ["infringement_decision", "penalty", "repeat_infringement"]
    repeat = db.session.scalars(
        select(CreditRecord).where(CreditRecord.kind == "repeat_infringement")
    ).one()
    assert [e["case_number"] for e in repeat.details["earlier"]] == [earlier.number]


def test_a_repeat_is_found_by_name_where_the_earlier_record_had_no_code(clue, fire):
    """credit.md: subjects are matched by code, "and only where no code is known by normalised
    name": the earlier penalty named the firm without its code, the new case knows it."""
    first = clue(respondent={"name": "中山市某某照明厂", "kind": "company"})
    _to_deliberation(first, fire)
    _decide_penalty(first, fire, on="2026-10-22", fine=30000)
    second = clue(respondent={"name": "中山市某某照明厂 ", "kind": "company", "code": _code()})
    _to_deliberation(second, fire, fine=60000)
    _decide_penalty(second, fire, on="2026-10-23", fine=60000)
    assert _kinds() == ["penalty", "penalty", "repeat_infringement"]


def test_a_fine_below_the_fen_is_refused_not_rounded(clue, fire):
    """RMB is paid to the fen: a fine typed as 1.001 元 is refused beside the field, never stored
    as 1 and printed 1.00元."""
    case = clue()
    _to_deliberation(case, fire, income=0)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        with pytest.raises(ValidationFailed) as refused:
            fire(
                case,
                "decide_penalty",
                "supervisor",
                data={"fine": "1.001", "basis": "68", **PENALTY_TEXT},
            )
        assert "最多保留两位小数（分）" in refused.value.fields["fine"]
        assert "at most two decimals" in refused.value.fields["fine"]
        assert case.state == "deliberation"
        data = {"fine": "1.50", "basis": "68", **PENALTY_TEXT}
        fire(case, "decide_penalty", "supervisor", data=data)
    assert case.state == "decided" and case.data["fine"] == 1.5


def test_a_warning_without_a_fine_starts_no_payment_period(clue, fire):
    """行政处罚法 art 67: 15 days to pay a fine. A warning alone has nothing to pay: no payment
    clock is started, so none falls due or alerts; service and publication still run."""
    case = clue()
    _to_deliberation(case, fire, income=0)
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        data = {"fine": 0, "warning": True, "basis": "68", **PENALTY_TEXT}
        fire(case, "decide_penalty", "supervisor", data=data)
    clocks = clocks_of(case)
    assert "payment" not in clocks
    assert clocks["service"].status == "running"
    assert clocks["penalty_publication"].status == "running"


def test_a_statement_keeps_the_right_to_a_hearing_within_the_period(clue, fire):
    """行政处罚法 arts 63–64: the hearing is a right of its own, asked for within 5 (working)
    days of the intent notice. A statement given on day 1 does not take it away; once the
    period has run, or once a hearing was held, it cannot be asked for again."""
    case = clue()
    _to_deliberation(case, fire)  # intent 10-20 (period to the end of 10-27), statement 10-21
    assert case.state == "deliberation"
    with time_machine.travel(at("2026-10-22 09:00"), tick=False):
        fire(case, "request_hearing", data={"hearing_at": "2026-11-03T09:00:00+08:00"})
    assert case.state == "hearing_requested"
    with time_machine.travel(at("2026-11-03 12:00"), tick=False):
        fire(case, "hold_hearing")
        with pytest.raises(StateConflict):
            fire(case, "request_hearing", data={"hearing_at": "2026-11-20T09:00:00+08:00"})
    assert case.state == "deliberation"

    late = clue()
    _to_deliberation(late, fire)
    with time_machine.travel(at("2026-10-28 09:00"), tick=False), pytest.raises(StateConflict):
        fire(late, "request_hearing", data={"hearing_at": "2026-11-20T09:00:00+08:00"})
    assert late.state == "deliberation"
