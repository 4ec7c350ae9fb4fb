"""The penalty procedure's notices (procedures.md §6), issued by the real engine on the 2026
calendar, rendered by WeasyPrint and read back with pdftotext: the filing notice to the reporter,
the intent notice with the statement deadline, the hearing notice, the penalty decision with its
findings, reasoning, numbered items, fine, payment date and the rights of review and suit, and the
decision not to penalise; each with the unit's penalty document number (中维罚字〔2026〕第N号)."""

import re

import time_machine
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.selectors import notices_needing_correction
from caseflow.notices.services import notices_render_pending
from caseflow.parties.services import notice_service_record
from tests.engine.helpers import at, clocks_of, local_due

REPORTER = {"name": "王某某", "kind": "person", "contact": "13800000000"}
RESPONDENT = {
    "name": "中山市古镇某某灯饰有限公司",
    "kind": "company",
    "address": "广东省中山市古镇镇中兴大道1号",
}
RIGHT = {"kind": "patent", "number": "ZL202330123456.7", "patent_type": "design"}


def _notice(event):
    notice = db.session.scalars(select(Notice).where(Notice.event_id == event.id)).one()
    notices_render_pending([notice.id])
    db.session.refresh(notice)
    assert notice.status == "issued", notice.last_error
    return notice


def _reported(open_case, fire, *, received_at="2026-09-28 10:00"):
    """A real-name report by letter, accepted as a penalty clue: the linked penalty case, whose
    reporter is told of the filing (procedures.md §6)."""
    from caseflow.cases.models import Case

    with time_machine.travel(at(received_at), tick=False):
        intake = open_case(
            "intake",
            channel="letter",
            received_at=received_at,
            complainant=REPORTER,
            respondent=RESPONDENT,
            right=RIGHT,
        )
        event = fire(intake, "accept", data={"route": "penalty_clue"})
    return db.session.scalars(select(Case).where(Case.number == event.data["linked_case"])).one()


def test_penalty_notices_read_back(open_case, fire, pdf, staff):
    case = _reported(open_case, fire)
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        filing = _notice(fire(case, "file_case", "supervisor", data={"handlers": ["张三", "李四"]}))
    text = pdf.text(filing)
    assert "本中心" in text and "（局）" not in text  # the issuer, named as elsewhere
    assert "立案告知书" in text and "中维罚立字〔2026〕第1号" in text
    assert "王某某" in text and "决定立案调查" in text

    with time_machine.travel(at("2026-10-13 09:00"), tick=False):
        intent = _notice(
            fire(
                case,
                "notify_intent",
                data={
                    "proposed_fine": 60000,
                    "illegal_income": 8000,
                    "confiscation": "违法所得8000元",
                    "facts": "在灯具包装上标注他人专利号",
                },
            )
        )
    text = _body(pdf, intent)
    assert "本中心" in text and "（局）" not in text  # the issuer, named as elsewhere
    assert "行政处罚事先告知书" in text and "中维罚告字〔2026〕第1号" in text
    assert "60,000.00" in text and "8,000.00" in text and "标注他人专利号" in text
    assert "要求听证" in text
    # 行政处罚法 art 64: five (working, art 85) days from the respondent's receipt, which the
    # step records: the period as the law words it, and its last day computed (notices.md).
    assert "请自收到本告知书之日起五个工作日内（即2026年10月20日前）向本中心提出" in text
    assert "放假安排尚未公布" not in text

    # Served by post on 10-14 instead: the statement clock is re-timed (15, 16, 19, 20, 21), and
    # the printed date asks for a correction, as a moved answer date does.
    with time_machine.travel(at("2026-10-14 08:00"), tick=False):
        notice_service_record(
            notice=intent,
            served_at=at("2026-10-14 08:00"),
            method="post",
            actor=staff["ZS"]["caseworker"],
        )
        db.session.commit()
    assert local_due(clocks_of(case)["statement"]) == "2026-10-21"
    assert [task.notice for task in notices_needing_correction(case)] == [intent]

    with time_machine.travel(at("2026-10-14 09:00"), tick=False):
        hearing = _notice(
            fire(
                case,
                "request_hearing",
                data={"hearing_at": "2026-10-26T14:30:00+08:00", "hearing_place": "第一听证室"},
            )
        )
    text = pdf.text(hearing)
    assert "本中心" in text and "（局）" not in text  # the issuer, named as elsewhere
    assert "听证通知书" in text and "第一听证室" in text and "2026年10月26日" in text
    assert "中山市古镇某某灯饰有限公司" in text

    with time_machine.travel(at("2026-10-27 09:00"), tick=False):
        fire(case, "hold_hearing")
        decision = _notice(
            fire(
                case,
                "decide_penalty",
                "supervisor",
                data={
                    "fine": 40000,
                    "illegal_income": 8000,
                    "confiscation": "违法所得8000元",
                    "basis": "《中华人民共和国专利法》第六十八条",
                    "findings": "当事人在其销售的吊灯外包装上标注ZL202330123456.7号专利。",
                    "reasoning": "当事人的行为属于《专利法实施细则》第一百零一条规定的假冒专利行为。",
                    "items": ["责令立即改正，消除影响", "没收违法所得8000元", "处罚款40000元"],
                },
            )
        )
    text = pdf.text(decision)
    assert "本中心" in text and "（局）" not in text  # the issuer, named as elsewhere
    assert "行政处罚决定书" in text and "中维罚字〔2026〕第1号" in text
    assert "当事人：中山市古镇某某灯饰有限公司" in text
    assert "本中心于2026年10月12日依法立案" in text  # the file_case step, not the clue's
    assert "一、认定的事实" in text and "吊灯外包装" in text
    assert "第一百零一条" in text
    # The fine once, numbered, from the decision's amount (the drafted 处罚款40000元 gives way).
    assert "（1）责令立即改正，消除影响。（2）没收违法所得8000元。" in text
    assert "（3）罚款人民币40,000.00元（违法所得人民币8,000.00元）。" in text
    assert text.count("罚款人民币") == 1 and "处罚款40000元" not in text
    # 行政处罚法 art 67: fifteen days from receipt; no date (15 days from 10-27 is 11-11).
    assert "当事人应当自收到本决定书之日起十五日内，将罚款缴至指定银行" in text
    assert "2026年11月11日" not in text
    assert "六十日内" in text and "行政复议" in text and "六个月内" in text and "行政诉讼" in text
    assert "王某某" not in text  # the reporter stays confidential
    assert "NotoSerifCJK" in pdf.fonts(decision) or "Noto" in pdf.fonts(decision)


def test_no_penalty_and_declination(open_case, fire, pdf):
    case = _reported(open_case, fire, received_at="2026-03-02 09:00")
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        declined = _notice(fire(case, "decline", "supervisor", data={"reason": "线索不实"}))
    text = pdf.text(declined)
    assert "本中心" in text and "（局）" not in text  # the issuer, named as elsewhere
    assert "不予立案告知书" in text and "线索不实" in text

    other = open_case("penalty", complainant=REPORTER, respondent=RESPONDENT, right=RIGHT)
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        _to_deliberation(other, fire)
        none = _notice(
            fire(
                other,
                "decide_no_penalty",
                "supervisor",
                data={"reason": "当事人有证据证明所标注专利号系他人授权使用。"},
            )
        )
    text = pdf.text(none)
    assert "本中心" in text and "（局）" not in text  # the issuer, named as elsewhere
    assert "不予行政处罚决定书" in text and "中维罚字〔2026〕第1号" in text
    assert "授权使用" in text and "不予行政处罚" in text and "六个月内" in text


def _body(pdf, notice) -> str:
    """The text read back without the page numbers (— 1 —) a page break puts into it."""
    return re.sub(r"—\d+—", "", pdf.text(notice))


def _intent(open_case, fire, data, on="2026-03-03 09:00"):
    """The 事先告知书 of a penalty case filed and notified ``on`` with ``data``."""
    case = open_case("penalty", complainant=REPORTER, respondent=RESPONDENT, right=RIGHT)
    with time_machine.travel(at(on), tick=False):
        fire(case, "file_case", "supervisor", data={"handlers": ["张三", "李四"]})
        return _notice(fire(case, "notify_intent", data=data))


def _to_deliberation(case, fire):
    """Filed, a fine of 1,000 yuan notified, the statement received with the hearing waived in
    writing: the case waits for its decision."""
    fire(case, "file_case", "supervisor", data={"handlers": ["张三", "李四"]})
    fire(case, "notify_intent", data={"proposed_fine": 1000, "facts": "标注专利号"})
    fire(case, "receive_statement", data={"hearing_waived": True})


def _decide(open_case, fire, data):
    case = open_case("penalty", complainant=REPORTER, respondent=RESPONDENT, right=RIGHT)
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data={"handlers": ["张三", "李四"]})
        # The decision as notified (行政处罚法 arts 44–45): the same illegal income.
        intent = {
            "proposed_fine": 30000,
            "illegal_income": data.get("illegal_income"),
            "confiscation": data.get("confiscation"),
        }
        fire(case, "notify_intent", data={**intent, "facts": "标注专利号"})
        fire(case, "receive_statement", data={"hearing_waived": True})
        drafted = {
            "basis": "《中华人民共和国专利法》第六十八条",
            "findings": "当事人在包装上标注他人专利号。",
            "reasoning": "构成假冒专利。",
        }
        event = fire(case, "decide_penalty", "supervisor", data={**drafted, **data})
    return _notice(event)


def test_a_warning_only_decision_prints_no_fine_and_no_payment(open_case, fire, pdf):
    """行政处罚法 art 9: a warning is a penalty of its own; with no fine there is nothing to pay
    and no surcharge to threaten (art 72)."""
    basis = {"basis": "《中华人民共和国专利法》第六十八条"}
    notice = _decide(open_case, fire, {**basis, "fine": 0, "warning": True, "items": ["责令改正"]})
    text = _body(pdf, notice)
    assert "三、处罚内容（1）责令改正。（2）警告。四、救济途径和期限" in text
    assert "罚款" not in text and "缴纳" not in text and "百分之三" not in text


def test_each_penalty_is_printed_once_numbered_with_the_confiscation(open_case, fire, pdf):
    notice = _decide(
        open_case,
        fire,
        {
            "basis": "《中华人民共和国专利法》第六十八条",
            "fine": 30000,
            "illegal_income": 4000,
            "confiscation": "违法所得4000元及标注他人专利号的包装盒200个",
            "items": ["责令立即改正", "没收违法所得4000元", "处罚款30000元"],
        },
    )
    text = _body(pdf, notice)
    assert (
        "三、处罚内容（1）责令立即改正。（2）没收违法所得4000元及标注他人专利号的包装盒200个。"
        "（3）罚款人民币30,000.00元（违法所得人民币4,000.00元）。当事人应当自收到本决定书之日起"
        "十五日内" in text
    )
    assert text.count("罚款人民币") == 1 and text.count("没收") == 1


def test_an_intent_without_illegal_income_proposes_the_fine_alone(open_case, fire, pdf):
    """并处 (in addition) needs something before it: with no illegal income to confiscate the
    fine is the only penalty proposed."""
    data = {"proposed_fine": 20000, "facts": "在灯具包装上标注他人专利号。"}
    intent = _intent(open_case, fire, data)
    text = _body(pdf, intent)
    assert "拟对你方作出如下行政处罚：罚款人民币20,000.00元。" in text and "并处" not in text


def test_an_intent_announces_a_warning_as_a_warning(open_case, fire, pdf):
    """A warning intended is announced as a warning, never as 罚款人民币0.00元; several penalties
    are numbered, the confiscation of the illegal income among them (Patent Law art 68)."""
    warned = _intent(open_case, fire, {"warning": True, "facts": "标注专利号"})
    text = _body(pdf, warned)
    assert "拟对你方作出如下行政处罚：警告。" in text and "罚款" not in text

    data = {
        "warning": True,
        "illegal_income": 3000,
        "confiscation": "违法所得3000元",
        "proposed_fine": 9000,
        "facts": "标注专利号",
    }
    several = _intent(open_case, fire, data)
    text = _body(pdf, several)
    assert (
        "拟对你方作出如下行政处罚：（1）警告。（2）没收违法所得3000元。"
        "（3）罚款人民币9,000.00元（违法所得人民币3,000.00元）。" in text
    )


def test_the_intent_in_a_year_not_yet_official_marks_its_date_provisional(open_case, fire, pdf):
    """deadlines.md §1: notified on 2026-12-28, the statement period ends in 2027, whose holiday
    schedule is not out: the date is printed, with the note under the body."""
    data = {"proposed_fine": 5000, "facts": "标注专利号"}
    intent = _intent(open_case, fire, data, on="2026-12-28 09:00")
    text = _body(pdf, intent)
    assert re.search(r"五个工作日内（即2027年1月\d+日前）", text)
    assert "2027年放假安排尚未公布" in text


def test_the_decisions_list_the_evidence_and_name_the_review_body_and_court(
    open_case, fire, pdf, staff, units
):
    """行政处罚法 art 59 items 2 and 5: the 行政处罚决定书 states the evidence of the violation
    and the routes of review with their periods: the reconsideration body and the court the unit
    profile names. The case's evidence records by their description (the file's name where it
    has none), as filed before the decision, never the caseworker's note; the 不予行政处罚决定书
    the same. A unit whose profile names neither keeps the general wording."""
    from caseflow.cases.evidence import evidence_add

    worker = staff["ZS"]["caseworker"]
    case = open_case("penalty", complainant=REPORTER, respondent=RESPONDENT, right=RIGHT)
    with time_machine.travel(at("2026-03-03 08:00"), tick=False):
        evidence_add(
            case=case,
            actor=worker,
            filename="IMG_0001.jpg",
            content=b"\xff\xd8\xff\xe0 photo of the box",
            description="现场检查笔录",
        )
        evidence_add(case=case, actor=worker, filename="购货发票.pdf", content=b"%PDF-1.4 invoice")
        db.session.commit()
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        _to_deliberation(case, fire)
        data = {"fine": 1000, "basis": "68", "findings": "当事人标注他人专利号", "reasoning": "构成假冒专利", "items": ["罚款1000元"]}
        decision = _notice(fire(case, "decide_penalty", "supervisor", data=data, note="内部：老板态度差"))
    text = _body(pdf, decision)
    assert "上述事实，有以下证据证明：（1）现场检查笔录；（2）购货发票.pdf。" in text
    assert "内部" not in text and "IMG_0001" not in text
    assert "六十日内向中山市人民政府申请行政复议" in text
    assert "六个月内向广州知识产权法院提起行政诉讼" in text
    # One line, no gap where the routes are put in (the include's line break printed as a space
    # that broke the paragraph's first line in two).
    assert "如不服本处罚决定，可以在收到" in pdf.raw_text(decision)

    units["ZS"].profile = {
        k: v for k, v in units["ZS"].profile.items() if k not in ("review_body", "court")
    }
    db.session.commit()
    other = open_case("penalty", complainant=REPORTER, respondent=RESPONDENT, right=RIGHT)
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        evidence_add(case=other, actor=worker, filename="笔录.pdf", content=b"%PDF-1.4 b", description="询问笔录")
        _to_deliberation(other, fire)
        data = {"reason": "当事人有证据证明系授权使用", "findings": "当事人已下架产品"}
        none = _notice(fire(other, "decide_no_penalty", "supervisor", data=data))
    text = _body(pdf, none)
    assert "有以下证据证明：（1）询问笔录。" in text
    assert "六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼" in text


def test_a_reason_typed_without_a_full_stop_still_ends_its_sentence(open_case, fire, pdf):
    """The reason and the reasoning are typed as the caseworker ends them (or not); the basis
    that follows always starts a new sentence."""
    case = open_case("penalty", complainant=REPORTER, respondent=RESPONDENT, right=RIGHT)
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        _to_deliberation(case, fire)
        data = {"reason": "当事人初次违法且危害后果轻微，并及时改正", "findings": "当事人已下架产品"}
        none = _notice(fire(case, "decide_no_penalty", "supervisor", data=data))
    text = _body(pdf, none)
    assert "经查：当事人已下架产品。" in text
    assert "并及时改正。依据《中华人民共和国行政处罚法》第三十三条" in text

    data = {"warning": True, "fine": 0, "items": ["责令改正"], "reasoning": "构成假冒专利"}
    text = _body(pdf, _decide(open_case, fire, {**data, "findings": "当事人标注他人专利号"}))
    assert "一、认定的事实当事人标注他人专利号。二、" in text
    assert "构成假冒专利。依据《中华人民共和国专利法》第六十八条的规定，决定如下：" in text


def test_the_decisions_service_ends_the_service_clock(open_case, fire, staff):
    """行政处罚法 arts 61, 85: 7 working days to serve the decision. Its recorded service ends
    that clock (met within it, breached after) as actor system, with an audit event; the clock
    alerts no one afterwards. The payment clock is re-timed to the same day."""
    from caseflow.cases.models import Event

    worker = staff["ZS"]["caseworker"]
    served_on_time = _decide(open_case, fire, {"fine": 1000, "items": ["罚款1000元"]})
    # Decided 03-03: 7 working days end on 03-12.
    case = served_on_time.case
    assert local_due(clocks_of(case)["service"]) == "2026-03-12"
    with time_machine.travel(at("2026-03-06 10:00"), tick=False):
        notice_service_record(
            notice=served_on_time, served_at="2026-03-05", method="in_person", actor=worker
        )
        db.session.commit()
    clocks = clocks_of(case)
    assert clocks["service"].status == "met" and clocks["service"].stopped_at == at(
        "2026-03-05 12:00"
    )
    assert clocks["payment"].status == "running"
    assert local_due(clocks["payment"]) == "2026-03-20"
    stop = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "clock")
    ).all()
    assert {e.data["clock"] for e in stop} == {"payment", "service"}
    assert [e.data["status"] for e in stop if e.data["clock"] == "service"] == ["met"]
    assert all(e.actor_name == "system" for e in stop)
    # The audit note names the clock as the timeline shows it, never by its code.
    [ended] = [e for e in stop if e.data["clock"] == "service"]
    assert "送达期限届止" in ended.note and "service" not in ended.note

    late = _decide(open_case, fire, {"fine": 1000, "items": ["罚款1000元"]})
    with time_machine.travel(at("2026-03-20 10:00"), tick=False):
        notice_service_record(notice=late, served_at="2026-03-16", method="post", actor=worker)
        db.session.commit()
    assert clocks_of(late.case)["service"].status == "breached"


def test_the_intakes_acceptance_names_the_case_it_opened(open_case, fire, pdf):
    """A complaint routed to adjudication: the 受理通知书 names the procedure, the new case's
    number and its status code, so that the complainant follows it at once; a penalty clue's
    informant is told its number only (no party to the penalty, no code)."""
    from caseflow.cases.models import Case

    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        for route in ("adjudication", "penalty_clue"):
            intake = open_case(
                "intake", received_at="2026-11-02 10:00", complainant=REPORTER,
                respondent=RESPONDENT, right=RIGHT,
            )
            event = fire(intake, "accept", data={"route": route})
            opened = db.session.scalars(
                select(Case).where(Case.number == event.data["linked_case"])
            ).one()
            text = _body(pdf, _notice(event))
            if route == "adjudication":
                assert "转入专利侵权纠纷行政裁决程序办理" in text
                assert opened.number in text, text
                assert f"办件查询码{opened.public_code}" in text
            else:
                assert f"假冒专利行政处罚线索（编号{opened.number}）" in text
                assert opened.public_code not in text
