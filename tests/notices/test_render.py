"""Every notice kind of notices.md, rendered for a realistic case and read back from the PDF.

Deadlines come from real clocks on the official 2026 calendar: the step takes effect on Tuesday
2026-09-22 10:00 (Shanghai), just before National Day (10-01…10-07 rest, 10-10 a make-up
Saturday; Mid-Autumn rest on Friday 09-25), so day periods roll over the holiday and workday
periods skip it.
"""

import functools
import re

import pytest
import time_machine
from fontTools.ttLib import TTCollection

from caseflow.extensions import db
from caseflow.notices.kinds import KINDS
from caseflow.notices.models import Notice
from tests.notices.conftest import RESPONDENT, at, issued

STEP_AT = "2026-09-22 10:00"

#: kind → workflow, unit, clocks the step starts, event data, the title printed, the due date
#: the notice must announce (hand-counted on the 2026 schedule), the parties it names.
CASES = {
    "acceptance_notice": (
        "adjudication",
        "ZS",
        [("closing", "3 months")],
        {},
        "立案通知书",
        "2026年12月22日前",
        "both",
    ),
    "rejection_notice": (
        "intake",
        "ZS",
        [],
        {"reason": "不属于专利侵权纠纷"},
        "不予受理通知书",
        None,
        "both",
    ),
    # 15 days from 09-22 ends on 10-07, a holiday: rolls to the first working day, 10-08.
    "correction_notice": (
        "adjudication",
        "ZS",
        [("correction", "15 days")],
        {},
        "补正通知书",
        "2026年10月8日前",
        "both",
    ),
    "transfer_notice": (
        "intake",
        "PD",
        [],
        {"department": "market_regulation"},
        "移送告知书",
        None,
        "both",
    ),
    "lapse_notice": ("intake", "ZS", [], {}, "视为撤回通知书", None, "both"),
    # 5 working days after Tuesday 09-22: 23, 24, (25 Mid-Autumn rest), 28, 29, 30.
    "revision_notice": (
        "pre_exam",
        "ZS",
        [("revision", "5 workdays")],
        {"opinion": "权利要求1缺少必要技术特征"},
        "预审意见通知书",
        "2026年9月30日前",
        "complainant",
    ),
    # 10 working days: …09-30 is the 5th, then 10-08, 10-09, 10-10 (make-up Saturday), 10-12,
    # 10-13.
    "qualification_notice": (
        "pre_exam",
        "ZS",
        [("formal_filing", "10 workdays")],
        {},
        "预审合格通知书",
        "2026年10月13日前",
        "complainant",
    ),
    "disqualification_notice": (
        "pre_exam",
        "ZS",
        [],
        {"reason": "技术领域不属于本中心预审范围"},
        "预审不合格通知书",
        None,
        "complainant",
    ),
    "answer_notice": (
        "adjudication",
        "ZS",
        [("answer", "15 days")],
        {},
        "答辩通知书",
        # Issued by the step that records the respondent's receipt: the date (notices.md).
        "2026年10月8日前",
        "both",
    ),
    "hearing_notice": (
        "adjudication",
        "ZS",
        [],
        {"hearing_at": "2026-09-29T14:30:00+08:00"},
        "口头审理通知书",
        "2026年9月29日14时30分",
        "both",
    ),
    "suspension_notice": (
        "adjudication",
        "ZS",
        [],
        {"reason": "invalidation"},
        "中止通知书",
        None,
        "both",
    ),
    "resumption_notice": (
        "adjudication",
        "ZS",
        [("closing", "3 months")],
        {},
        "恢复审理通知书",
        "2026年12月22日",
        "both",
    ),
    "extension_notice": (
        "adjudication",
        "ZS",
        [("closing", "3 months")],
        {"reason": "案情复杂"},
        "延长审理期限通知书",
        "2026年12月22日",
        "both",
    ),
    "decision": (
        "adjudication",
        "ZS",
        [("appeal", "15 days")],
        {"ruling": "被请求人立即停止制造、销售侵权产品。"},
        "行政裁决书",
        "自收到本裁决书之日起十五日内",
        "both",
    ),
    "settlement": (
        "adjudication",
        "PD",
        [],
        {"terms": "被请求人赔偿请求人经济损失人民币五万元。"},
        "调解书",
        None,
        "both",
    ),
    "closure_notice": ("adjudication", "ZS", [], {}, "结案通知书", None, "both"),
    # Fair clocks run in clock hours, nights and weekends: 10:00 + 2 h.
    "withdrawal_notice": (
        "fair_complaint",
        "CF",
        [("compliance", "2 hours")],
        {},
        "撤展通知书",
        "2026年9月22日12时00分前",
        "both",
    ),
    "consent_request": (
        "mediation",
        "ZS",
        [("consent", "15 days")],
        {},
        "调解意见征询函",
        "2026年10月8日前",
        "both",
    ),
    "declination_notice": ("mediation", "ZS", [], {}, "不予立案通知书", None, "both"),
    # 30 days from 09-22: 10-22, a Thursday.
    "agreement": (
        "mediation",
        "ZS",
        [("confirmation_window", "30 days")],
        {"terms": ["被申请人于2026年10月15日前支付请求人人民币三万元"]},
        "调解协议书",
        # In force at its signatures (人民调解法 arts 29, 33): the rule, never a date.
        "自本协议生效之日起三十日内，共同向人民法院申请司法确认",
        "both",
    ),
    "termination_notice": (
        "mediation",
        "ZS",
        [],
        {"reason": "双方对赔偿数额分歧较大"},
        "调解终止通知书",
        None,
        "both",
    ),
    "supplement_notice": (
        "fair_complaint",
        "CF",
        [],
        {"items": "专利权评价报告"},
        "补充材料通知",
        None,
        "both",
    ),
    "rectification_notice": (
        "fair_complaint",
        "CF",
        [("compliance", "2 hours")],
        {},
        "整改通知书",
        "2026年9月22日12时00分前",
        "both",
    ),
    "outcome_notice": ("fair_complaint", "CF", [], {}, "处理结果通知书", None, "both"),
    "referral_letter": ("fair_complaint", "CF", [], {"target": "court"}, "移交函", None, "both"),
    # parties.md §1: the online filing's receipt announces the acceptance deadline.
    "filing_receipt": (
        "intake",
        "ZS",
        [("acceptance", "7 workdays")],
        {},
        "网上投诉回执",
        "2026年10月9日前",
        "both",
    ),
    # Penalty (procedures.md §6). "respondent": addressed to the party penalised; the reporter is
    # not named (SAMR Order 20 art 33: the reporter's identity is confidential).
    "penalty_filing_notice": ("penalty", "ZS", [], {}, "立案告知书", None, "both"),
    "penalty_intent_notice": (
        "penalty",
        "ZS",
        [("statement", "5 workdays")],
        {"proposed_fine": 60000, "facts": "在灯具包装上标注他人专利号"},
        "行政处罚事先告知书",
        "自收到本告知书之日起五个工作日内",
        "respondent",
    ),
    "penalty_decision": (
        "penalty",
        "ZS",
        [("payment", "15 days")],
        {"fine": 40000, "basis": "《中华人民共和国专利法》第六十八条", "items": ["责令改正"]},
        "行政处罚决定书",
        "自收到本决定书之日起十五日内",
        "respondent",
    ),
    "no_penalty_decision": ("penalty", "ZS", [], {}, "不予行政处罚决定书", None, "respondent"),
}


def test_the_revision_notice_prints_the_examiners_opinion(open_any, fire, pdf):
    """request_revision's field is ``opinion``: the applicant must read it, one paragraph a
    line, not a stock sentence."""
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        case = open_any("pre_exam", received_at="2026-03-02 09:00")
        fire(case, "start_review")
        event = fire(
            case,
            "request_revision",
            data={"opinion": "权利要求1缺少必要技术特征\n说明书附图3与文字说明不一致"},
        )
    text = pdf.text(issued(event))
    # Two problems: numbered paragraphs, as a decision's items are printed.
    assert "经预审，存在以下问题：一、权利要求1缺少必要技术特征。二、说明书附图3与文字说明不一致。" in text
    assert re.search(r"^\s*二、说明书附图3", pdf.raw_text(issued(event)), re.M)
    assert "申请文件需要修改完善" not in text


@pytest.mark.parametrize(
    ("typed", "printed", "numbered"),
    [
        # Typed one a line, numbered by the caseworker: our numbers, each item a paragraph.
        (
            "1. 专利证书复印件；\n2、请求人的身份证明；\n（3）侵权产品照片",
            "材料不齐全，需补正以下内容：一、专利证书复印件。二、请求人的身份证明。三、侵权产品照片。",
            True,
        ),
        # One item stays in the sentence.
        ("专利权评价报告", "材料不齐全：专利权评价报告。", False),
    ],
)
def test_the_correction_notice_numbers_the_items_to_correct(typed, printed, numbered, open_any, fire, pdf):
    with time_machine.travel(at("2026-10-13 09:00"), tick=False):
        case = open_any("adjudication", received_at="2026-10-12 09:00")
        event = fire(case, "request_correction", data={"items": typed})
    notice = issued(event)
    text = pdf.text(notice)
    assert printed in text
    assert "1." not in text and "2、" not in text and "（3）" not in text
    assert bool(re.search(r"^\s*二、请求人的身份证明", pdf.raw_text(notice), re.M)) == numbered


def test_a_single_revision_problem_stays_in_the_sentence(open_any, fire, pdf):
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        case = open_any("pre_exam", received_at="2026-03-02 09:00")
        fire(case, "start_review")
        event = fire(case, "request_revision", data={"opinion": "1、权利要求1缺少必要技术特征"})
    text = pdf.text(issued(event))
    assert "经预审，存在以下问题：权利要求1缺少必要技术特征。请你方" in text


def test_the_declination_says_the_respondent_did_not_answer_in_time(open_any, fire, pdf):
    """legal-basis.md §4a: a respondent silent past the 15 days is taken not to consent; the
    不予立案通知书 says why the mediation was declined, not a refusal that was never given."""
    with time_machine.travel(at("2026-11-09 09:00"), tick=False):
        case = open_any("mediation", received_at="2026-10-21 09:00")
        fire(case, "consult_respondent", occurred_at="2026-10-22 10:00")
        event = fire(case, "record_refusal", data={"reason": "逾期未答复"})
    text = pdf.text(issued(event))
    assert "因对方当事人逾期未答复，本中心决定不予立案。" in text
    assert "不同意调解" not in text


def test_a_decision_prints_its_headings_once_when_the_caseworker_typed_them_too(
    make_case, issue, pdf
):
    """The 行政裁决书 prints 经审理查明： and 本中心认为： before the drafted text; a draft that
    starts with them (as caseworkers type a decision) prints each once."""
    data = {
        "findings": "经审理查明：被请求人销售的灯具落入涉案专利权的保护范围",
        "reasoning": "本中心认为，被请求人未经许可实施涉案专利，构成侵权",
        "items": ["被请求人立即停止销售侵权产品"],
    }
    text = pdf.text(issue(make_case("adjudication"), "decision", at(STEP_AT), data=data))
    assert "经审理查明：被请求人销售的灯具落入涉案专利权的保护范围。" in text
    assert "本中心认为：被请求人未经许可实施涉案专利，构成侵权。" in text
    assert text.count("经审理查明") == 1 and text.count("本中心认为") == 1


@pytest.mark.parametrize(
    ("workflow", "reason", "sentence"),
    [
        ("penalty", "经核查，当事人标注的专利号合法有效", "经核查，当事人标注的专利号合法有效，本中心决定不予立案。"),
        ("penalty", "经核查不构成假冒专利。", "经核查，不构成假冒专利，本中心决定不予立案。"),
        # The party word: the template says 对方当事人 itself.
        ("mediation", "被请求人不同意调解", "因对方当事人不同意调解，本中心决定不予立案。"),
        ("mediation", "对方当事人明确拒绝调解", "因对方当事人明确拒绝调解，本中心决定不予立案。"),
        ("mediation", "因被请求人拒绝调解", "因对方当事人拒绝调解，本中心决定不予立案。"),
        ("mediation", "被请求人下落不明", "因对方当事人下落不明，本中心决定不予立案。"),
    ],
)
def test_a_declination_prints_its_own_words_once(workflow, reason, sentence, make_case, issue, pdf):
    case = make_case(workflow, state="received")
    text = pdf.text(issue(case, "declination_notice", at(STEP_AT), data={"reason": reason}))
    assert sentence in text
    assert "经核查，经核查" not in text and "对方当事人被请求人" not in text


@pytest.mark.parametrize(
    ("workflow", "unit", "trigger", "role", "routes"),
    [
        # A centre's refusal is an administrative act: the routes of review with their bodies and
        # periods (行政复议法 art 20: sixty days; 行政诉讼法 art 46: six months), as the unit names
        # them, the way a 行政处罚决定书 gives them.
        (
            "intake",
            "ZS",
            "reject",
            "caseworker",
            "你方如对本决定不服，可以在收到本通知书之日起六十日内向中山市人民政府申请行政复议，"
            "或者在六个月内向广州知识产权法院提起行政诉讼。",
        ),
        (
            "adjudication",
            "PD",
            "reject",
            "caseworker",
            "你方如对本决定不服，可以在收到本通知书之日起六十日内向上海市浦东新区人民政府申请"
            "行政复议，或者在六个月内向上海知识产权法院提起行政诉讼。",
        ),
        # A fair desk is the organiser's, no administrative organ: no review of its refusal; the
        # complainant may go to the authority or the court itself (as the desk's 处理结果通知书).
        (
            "fair_complaint",
            "CF",
            "refuse",
            "desk_officer",
            "你方可以依法向有关行政机关请求处理或者向人民法院起诉。",
        ),
    ],
)
def test_a_rejection_names_the_route_of_review_its_issuer_has(
    workflow, unit, trigger, role, routes, open_any, fire, pdf
):
    with time_machine.travel(at("2026-10-16 11:00"), tick=False):
        case = open_any(workflow, unit=unit, received_at="2026-10-16 10:00")
        event = fire(case, trigger, role, unit=unit, data={"reason": "不属于受理范围"})
    text = pdf.text(issued(event))
    assert "不属于受理范围，不符合受理条件，决定不予受理。" in text
    assert routes in text
    if workflow == "fair_complaint":
        assert "行政复议" not in text and "行政诉讼" not in text
    assert "可以依法申请行政复议或者提起行政诉讼" not in text


@pytest.mark.parametrize(
    ("kind", "workflow", "unit"),
    [("agreement", "fair_complaint", "CF"), ("agreement", "mediation", "ZS"), ("settlement", "adjudication", "PD")],
)
def test_an_agreement_prints_only_the_terms_agreed(kind, workflow, unit, make_case, issue, pdf):
    """notices.md: an agreement carries the agreed terms. The steps require them; a document
    whose step recorded none (an event from before) prints none, never a stock mutual release."""
    bare = pdf.text(issue(make_case(workflow, unit=unit), kind, at(STEP_AT), data={}))
    assert "互不再追究" not in bare and "和解" not in bare
    agreed = pdf.text(
        issue(make_case(workflow, unit=unit), kind, at(STEP_AT), data={"terms": ["当场撤下样品"]})
    )
    assert "一、当场撤下样品。" in agreed and "互不再追究" not in agreed


def test_the_intake_transfer_notice_cites_the_article_on_a_wrong_department(make_case, issue, pdf):
    """legal-basis.md §1 "Wrong department": the department without competence tells the
    reporter where to file (SAMR Order 20 art 29), not the patent enforcement measures."""
    for complaint_type in (None, "samr_complaint"):
        case = make_case("intake", unit="PD", state="received", data={"complaint_type": complaint_type})
        text = pdf.text(issue(case, "transfer_notice", at(STEP_AT), data={"department": "market_regulation"}))
        assert "依据：《市场监督管理投诉举报处理暂行办法》第二十九条" in text, complaint_type
        assert "专利行政执法办法" not in text


@functools.cache
def serif_sc_characters() -> frozenset[str]:
    """Every character Noto Serif CJK SC (the face the CSS names) has a glyph for."""
    collection = TTCollection("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", lazy=True)
    for font in collection.fonts:
        if font["name"].getDebugName(1) == "Noto Serif CJK SC":
            return frozenset(map(chr, font.getBestCmap()))
    raise AssertionError("Noto Serif CJK SC is not installed (fonts-noto-cjk)")


def test_the_table_covers_every_kind_of_the_spec():
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_kind_renders_with_its_facts(kind, make_case, issue, pdf):
    workflow, unit, clocks, data, title, due, parties = CASES[kind]
    respondent = {} if workflow == "pre_exam" else RESPONDENT
    case = make_case(workflow, unit=unit, respondent=respondent)
    notice = issue(case, kind, at(STEP_AT), clocks=clocks, data=data)

    assert notice.status == "issued", notice.last_error
    assert notice.title == title
    text = pdf.text(notice)
    unit_name = case.unit.profile.get("full_name") or case.unit.name
    for expected in (
        title,
        case.number,
        notice.document_number,
        case.respondent_name if parties == "respondent" else case.complainant_name,
        unit_name,
        "二〇二六年九月二十二日",
        notice.verification_code,
    ):
        assert re.sub(r"\s+", "", expected) in text, f"{expected!r} missing from {kind}"
    if parties == "both":
        assert case.respondent_name in text
    if due:
        assert due in text
    assert re.search(r"—\s*1\s*—", pdf.raw_text(notice)), "page number — 1 —"

    # Fonts: only the CJK serif (no fallback face), embedded and subset; and it has a glyph for
    # every character printed, so none renders as a box.
    fonts = pdf.fonts(notice).splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "Noto-Serif-CJK-SC" in line, line
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line
    assert set(text) - serif_sc_characters() == set()
    assert "(A4)" in pdf.info(notice)


def test_the_body_grid_is_28_characters_by_22_lines(app, tmp_path):
    """GB/T 9704 7.1: 三号 body text, 28 characters a line, 22 lines a page, in the 156 × 225 mm
    text block — with the stylesheet every notice uses."""
    import subprocess

    from weasyprint import HTML

    css = app.jinja_env.get_template("notices/notices.css").render()
    body = "<p class='flush'>" + "中华人民共和国知识产权保护中心行政裁决" * 40 + "</p>"
    target = tmp_path / "grid.pdf"
    HTML(string=f"<html><head><style>{css}</style></head><body>{body}</body></html>").write_pdf(
        target
    )
    page = subprocess.run(
        ["pdftotext", "-l", "1", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line for line in page.splitlines() if "中" in line or "国" in line or "决" in line]
    assert [len(line) for line in lines] == [28] * 22


def test_a_correction_prints_the_date_of_the_step_and_its_own_issue_date(open_case, fire, pdf):
    """A correction is issued months later but speaks of the same step: the suspension still
    runs from its own day, the withdrawal was still asked on its day; only the date under the
    seal is the correction's."""
    from caseflow.notices.services import notice_correct

    handlers = {"handlers": ["甲", "乙", "丙"]}
    suspended = open_case("adjudication", received_at="2026-06-01 09:00")
    withdrawn = open_case("adjudication", received_at="2026-06-01 09:00")
    with time_machine.travel(at("2026-06-18 10:00"), tick=False):
        fire(suspended, "accept", occurred_at="2026-06-03 10:00", data=handlers)
        suspension = issued(
            fire(suspended, "suspend", "supervisor", data={"reason": "invalidation"})
        )
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        withdrawal = issued(fire(withdrawn, "withdraw"))
    assert "自2026年6月18日起中止审理" in pdf.text(suspension)
    assert "你方于2026年11月25日申请撤回请求" in pdf.text(withdrawal)

    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        corrections = [notice_correct(notice=n) for n in (suspension, withdrawal)]
        ids = [c.id for c in corrections]
        db.session.commit()
    suspension, withdrawal = (db.session.get(Notice, i) for i in ids)
    text = pdf.text(suspension)
    assert "自2026年6月18日起中止审理" in text and "二〇二六年十二月一日" in text
    text = pdf.text(withdrawal)
    assert "你方于2026年11月25日申请撤回请求" in text and "二〇二六年十二月一日" in text


def test_a_decision_names_the_day_the_case_was_filed(open_case, fire, pdf):
    """立案 is the accept step (2026-06-03), not the request's receipt (06-01)."""
    case = open_case("adjudication", received_at="2026-06-01 09:00")
    decision = {
        "findings": "被请求人销售的吸顶灯落入涉案专利权的保护范围。",
        "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
        "items": ["被请求人立即停止销售侵权产品"],
    }
    with time_machine.travel(at("2026-07-20 09:00"), tick=False):
        fire(case, "accept", occurred_at="2026-06-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
        fire(case, "serve", occurred_at="2026-06-05 10:00")
        fire(case, "receive_answer", occurred_at="2026-06-15 10:00")
        notice = issued(fire(case, "decide", "supervisor", data=decision))
    assert "本中心于2026年6月3日立案后" in pdf.text(notice)


def test_a_deadline_in_a_year_not_yet_official_is_marked_on_the_notice(make_case, issue, pdf):
    """deadlines.md §1: the 2027 schedule is not loaded, so a mediation of two months from
    2026-11-30 ends in a provisional year; its notice says so under the body. A deadline within
    2026 (official) carries no such note."""
    late = make_case("mediation", state="in_mediation")
    notice = issue(late, "acceptance_notice", at("2026-11-30 10:00"), clocks=[("mediation", "2 months")])
    text = pdf.text(notice)
    assert "2027年1月" in text or "2027年2月" in text
    assert "2027年放假安排尚未公布" in text
    early = make_case("mediation", state="in_mediation")
    notice = issue(early, "acceptance_notice", at(STEP_AT), clocks=[("mediation", "2 months")])
    assert "放假安排尚未公布" not in pdf.text(notice)


def test_the_respondents_resumption_notice_moves_its_answer_date_and_only_its(
    open_case, fire, pdf
):
    """Served 2026-09-03, the answer was due 09-18; suspended 09-10 and resumed 09-21, it is due
    09-29 (tests/workflows/test_adjudication.py). The respondent is told that date on the
    resumption notice; the requester, whose period it is not, is told only the closing date.
    A case resumed after the answer came in tells nobody an answer date."""
    from sqlalchemy import select

    def resumption_texts(case):
        notices = db.session.scalars(
            select(Notice).where(Notice.case_id == case.id, Notice.kind == "resumption_notice")
        ).all()
        issued_notices = [issued_one(n) for n in notices]
        return {n.addressee["role"]: pdf.text(n) for n in issued_notices}

    def issued_one(notice):
        from caseflow.notices.services import notices_render_pending

        notices_render_pending([notice.id])
        db.session.refresh(notice)
        assert notice.status == "issued", notice.last_error
        return notice

    handlers = {"handlers": ["甲", "乙", "丙"]}
    waiting = open_case("adjudication", received_at="2026-09-01 09:00")
    answered = open_case("adjudication", received_at="2026-09-01 09:00")
    for case in (waiting, answered):
        with time_machine.travel(at("2026-09-03 10:00"), tick=False):
            fire(case, "accept", occurred_at="2026-09-02 10:00", data=handlers)
            fire(case, "serve")
    with time_machine.travel(at("2026-09-08 10:00"), tick=False):
        fire(answered, "receive_answer")
    for case in (waiting, answered):
        with time_machine.travel(at("2026-09-10 10:00"), tick=False):
            fire(case, "suspend", "supervisor", data={"reason": "appraisal"})
        with time_machine.travel(at("2026-09-21 10:00"), tick=False):
            fire(case, "resume", "supervisor")

    texts = resumption_texts(waiting)
    assert "你方提交答辩书的期限相应顺延至2026年9月29日" in texts["respondent"]
    assert "答辩" not in texts["complainant"]
    assert "本案审理期限相应顺延至" in texts["complainant"]
    texts = resumption_texts(answered)
    assert all("答辩" not in text for text in texts.values())
