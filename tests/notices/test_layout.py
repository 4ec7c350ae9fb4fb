"""The layout rules of notices.md, proved on the PDFs themselves (pdftotext, page by page):

- the signature, seal and date block never stands alone on a page: at least two lines of body
  text are on its page (GB/T 9704 7.3.5), for every notice kind with a short and a long body, and
  for a decision whose body ends at every position of a page;
- the caseworker's note never appears in any notice;
- a Latin name in justified text is not spaced out;
- a letter lists only the attachments that exist;
- one unit name in the header and the contact line.
"""

import re
import subprocess

import pytest
import time_machine

from caseflow.notices.kinds import KINDS
from tests.notices.conftest import COMPLAINANT, RESPONDENT, at, issued
from tests.notices.test_render import CASES, STEP_AT

NOTE = "内部备注：合议组评议后一致认定构成侵权"
ISSUE_DATE = "二〇二六年九月二十二日"

SENTENCE = (
    "被请求人自2026年3月起在其网店销售的“晶彩”牌LED吸顶灯，其散热结构与涉案专利权利要求1"
    "记载的全部技术特征相同，落入涉案专利权的保护范围。"
)


def long_text(paragraphs: int) -> str:
    return "\n".join(SENTENCE * 2 for _ in range(paragraphs))


#: Extra event data that lengthens each kind's body where its template prints free text.
def long_data(kind: str) -> dict:
    text = SENTENCE * 3
    if kind == "decision":
        return {
            "findings": long_text(6),
            "reasoning": long_text(5),
            "items": [SENTENCE, "被请求人立即停止销售侵权产品，并销毁库存侵权产品。", SENTENCE],
        }
    if kind in ("agreement", "settlement"):
        return {"findings": long_text(4), "terms": [SENTENCE] * 6}
    if kind in ("correction_notice", "supplement_notice"):
        return {"items": text * 2}
    if kind == "suspension_notice":
        return {}
    return {"reason": text * 2}


def _pages(path) -> list[str]:
    count = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout,
        ).group(1)
    )
    return [
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(i), "-l", str(i), path, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for i in range(1, count + 1)
    ]


def body_lines_on_seal_page(pages: list[str], notice) -> list[str]:
    """The body text lines on the page that carries the signature and date: the lines above the
    tail (legal basis, contact, QR, seal), without the page furniture."""
    seal_pages = [p for p in pages if ISSUE_DATE in re.sub(r"\s+", "", p)]
    assert len(seal_pages) == 1, "the date under the seal is printed once"
    page = seal_pages[0]
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    body = []
    for line in lines:
        if line.startswith("依据："):
            break
        if re.fullmatch(r"—\s*\d+\s*—", line):
            continue
        if line.startswith("案号：") or notice.document_number in line or line == notice.title:
            body = []  # page 1: the body starts below the header
            continue
        body.append(line)
    return body


def _render(make_case, issue, kind, *, long: bool, data_extra=None):
    workflow, unit, clocks, data, *_ = CASES[kind]
    respondent = {} if workflow == "pre_exam" else RESPONDENT
    complainant = COMPLAINANT
    if long:
        complainant = {**COMPLAINANT, "address": "广东省中山市古镇镇东兴路8号" * 4}
    data = {**data, **(long_data(kind) if long else {}), **(data_extra or {})}
    case = make_case(workflow, unit=unit, respondent=respondent, complainant=complainant)
    notice = issue(case, kind, at(STEP_AT), clocks=clocks, data=data, note=NOTE)
    assert notice.status == "issued", notice.last_error
    return notice


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_seal_page_carries_body_text_and_no_note(kind, long, make_case, issue, pdf):
    notice = _render(make_case, issue, kind, long=long)
    pages = _pages(pdf.path(notice))
    if long and kind in ("decision", "agreement", "settlement"):
        assert len(pages) >= 2, "the long body runs onto a second page"
    body = body_lines_on_seal_page(pages, notice)
    assert len(body) >= 2, f"{kind}: the seal's page has body lines {body}"
    assert "内部备注" not in pdf.text(notice)
    assert "合议组评议后一致认定" not in pdf.text(notice)


@pytest.mark.parametrize("paragraphs", range(0, 23))
def test_a_decision_ending_anywhere_on_a_page_keeps_body_text_with_the_seal(
    paragraphs, make_case, issue, pdf
):
    """One more line of findings each time: over 23 renders the body's end walks down a whole
    page (22 lines), so some render puts it where the tail alone would have fitted the page."""
    extra = {
        "findings": "\n".join(["被请求人的产品与涉案专利相同。"] * (paragraphs + 1)),
        "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
        "items": ["被请求人立即停止侵权行为。"],
    }
    notice = _render(make_case, issue, "decision", long=False, data_extra=extra)
    body = body_lines_on_seal_page(_pages(pdf.path(notice)), notice)
    assert len(body) >= 2, body


def test_a_decision_prints_findings_reasoning_and_numbered_items(make_case, issue, pdf):
    notice = _render(make_case, issue, "decision", long=True)
    text = pdf.text(notice)
    assert "经审理查明：" in text and "本中心认为：" in text and "裁决如下：" in text
    assert "一、" in text and "二、被请求人立即停止销售侵权产品" in text and "三、" in text
    # The period to sue counts from the party's receipt: as the law words it, with no date.
    assert "自收到本裁决书之日起十五日内依照" in text and "2026年10月8日" not in text
    assert text.index("经审理查明") < text.index("本中心认为") < text.index("裁决如下")


def test_a_latin_name_is_not_spaced_out(make_case, issue, pdf):
    """pdftotext's word boxes: the gaps inside "Lumiere Design GmbH" stay a normal space."""
    name = "Lumiere Design GmbH"
    workflow, unit, clocks, data, *_ = CASES["decision"]
    case = make_case(
        workflow, unit=unit, complainant={**COMPLAINANT, "name": name}, respondent=RESPONDENT
    )
    case.complainant_name = name
    extra = long_data("decision")
    notice = issue(case, "decision", at(STEP_AT), clocks=clocks, data={**data, **extra})
    out = subprocess.run(
        ["pdftotext", "-bbox", pdf.path(notice), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out
    )
    gaps = []
    for (_x0, y0, x1, w), (nx0, ny0, _nx1, nw) in zip(words, words[1:], strict=False):
        if w.endswith("Lumiere") and nw == "Design" and abs(float(y0) - float(ny0)) < 1:
            gaps.append(float(nx0) - float(x1))
    assert gaps, "the name is printed on one line at least once"
    # A space of the 16 pt serif is about 4–5 pt; a justified CJK line used to give it 20+ pt.
    assert all(gap < 7 for gap in gaps), gaps


def test_quotes_and_angle_brackets_beside_a_latin_name_print_as_typed(make_case, issue, pdf):
    """The Latin-run wrapping works on escaped HTML: it must never cut ``&#34;`` or ``&lt;`` in
    two, which printed the entity's text on the notice."""
    workflow, unit, clocks, data, *_ = CASES["decision"]
    case = make_case(workflow, unit=unit, complainant=COMPLAINANT, respondent=RESPONDENT)
    findings = "被请求人以\"Lumiere Design\"名义销售，另见<Star Light>款及'Nova Lamp'款。"
    extra = {**long_data("decision"), "findings": findings}
    notice = issue(case, "decision", at(STEP_AT), clocks=clocks, data={**data, **extra})
    text = pdf.raw_text(notice).replace("\n", "")  # the lines joined, the spaces kept
    assert '以"Lumiere Design"名义' in text and "另见<Star Light>款" in text
    assert "'Nova Lamp'" in text
    assert "&#" not in text and "&lt;" not in text and "&gt;" not in text


def test_a_referral_letter_lists_only_attachments_that_exist(make_case, issue, pdf):
    workflow, unit, clocks, data, *_ = CASES["referral_letter"]
    case = make_case(workflow, unit=unit, respondent=RESPONDENT)
    notice = issue(case, "referral_letter", at(STEP_AT), data=data)
    text = pdf.text(notice)
    assert "随函附投诉材料。" in text
    assert "答辩材料" not in text and "现场核查记录" not in text

    from caseflow.cases.models import Event
    from caseflow.extensions import db

    db.session.add(
        Event(case=case, kind="transition", trigger="receive_answer", occurred_at=at(STEP_AT))
    )
    db.session.flush()
    notice = issue(case, "referral_letter", at(STEP_AT), data=data)
    assert "随函附投诉材料、答辩材料。" in pdf.text(notice)


def test_one_unit_name_in_the_header_and_the_contact_line(make_case, issue, pdf):
    """The fair desk's short name (中国进出口商品交易会 知识产权投诉站) used to open the contact
    line under a masthead with its full name."""
    workflow, unit, clocks, data, *_ = CASES["outcome_notice"]
    case = make_case(workflow, unit=unit, respondent=RESPONDENT)
    notice = issue(case, "outcome_notice", at(STEP_AT), data=data)
    text = pdf.text(notice)
    full = case.unit.profile["full_name"]
    short = re.sub(r"\s+", "", case.unit.name)
    assert short != full and short not in text
    # The masthead, and the signature (wrapped in its box beside the QR code).
    assert text.count(full) == 1 and text.count(full[:18]) == 2
    assert "地址：广州市海珠区阅江中路380号" in text


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (
            {"target": "adjudication", "target_unit": "ZS"},
            "现将本案移交中山（灯饰）知识产权快速维权中心依法裁决。",
        ),
        ({"target": "court"}, "现将本案移交人民法院依法处理。"),
    ],
    ids=["adjudication", "court"],
)
def test_a_referral_letter_asks_once_and_carries_no_party_code(data, sentence, open_any, fire, pdf):
    """The 移交函 is addressed to the receiving centre or court, not to a party: it asks it to
    adjudicate (or handle) the case once, and prints no 办件查询码 (parties.md §2: a party's)."""
    with time_machine.travel(at("2026-10-16 12:00"), tick=False):
        case = open_any("fair_complaint")
        notice = issued(fire(case, "refer", "desk_officer", data=data))
    text = pdf.text(notice)
    assert sentence in text and "依法裁决依法处理" not in text
    assert "办件查询码" not in text and case.public_code not in text


def test_a_case_number_is_never_broken_across_lines(make_case, issue, pdf):
    """（案号：ZS- / ADJ-2026-00001）: a line used to end at the number's hyphens. The
    respondent's name walks the number along the line (ten renders over a 28-character line), and
    every time each printed case number stands whole on one line."""
    workflow, unit, clocks, data, *_ = CASES["hearing_notice"]
    for length in range(1, 29, 3):
        name = "佛山市南海区光耀灯饰厂"[:1] + "某" * length + "灯饰厂"
        case = make_case(workflow, unit=unit, respondent={**RESPONDENT, "name": name})
        case.respondent_name = name
        notice = issue(case, "hearing_notice", at(STEP_AT), clocks=clocks, data=data)
        lines = pdf.raw_text(notice).splitlines()
        printed = pdf.text(notice).count(case.number)
        whole = sum(line.replace(" ", "").count(case.number) for line in lines)
        assert printed == whole == 2, (length, [ln for ln in lines if "ADJ" in ln or "ZS-" in ln])


def test_a_long_latin_name_breaks_at_its_spaces_and_is_not_spaced_out(make_case, issue, pdf):
    """Over LATIN_RUN_MAX characters a name must wrap, but only between its words, never before
    a short one (GmbH & Co. KG stays whole), and its spaces are never widened to justify a line."""
    name = "Lumiere Design Manufacturing International GmbH & Co. KG"
    workflow, unit, clocks, data, *_ = CASES["decision"]
    for prefix in ("", "中山市"):  # the name starts at two places of the line
        complainant = {**COMPLAINANT, "name": prefix + name}
        case = make_case(workflow, unit=unit, complainant=complainant, respondent=RESPONDENT)
        case.complainant_name = prefix + name
        notice = issue(case, "decision", at(STEP_AT), clocks=clocks, data=data)
        out = subprocess.run(
            ["pdftotext", "-bbox", pdf.path(notice), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            out,
        )
        lines = {}
        for x0, y0, x1, text in words:
            lines.setdefault(round(float(y0)), []).append((float(x0), float(x1), text))
        tail = ("GmbH", "&amp;", "Co.", "KG")
        for line in lines.values():
            texts = [t for _, _, t in line]
            for a, b in zip(line, line[1:], strict=False):
                if b[2].startswith(tuple(name.split())) or b[2] in tail:
                    # A space of the 16 pt serif is about 4–5 pt; justified, 20 pt and more.
                    assert b[0] - a[1] < 7, (a, b)
            present = [t for t in tail if t in texts or any(x.startswith(t) for x in texts)]
            assert present in ([], list(tail)), f"GmbH & Co. KG split: {texts}"


@pytest.mark.parametrize("terms", range(1, 24))
def test_an_agreement_keeps_its_signatures_together_with_body_text_on_the_seal_page(
    terms, make_case, issue, pdf
):
    """A fair's on-site 调解协议书 (fair_complaint ``mediate``): one more term each time walks its
    end down a whole page. The three signature lines stay on one page, the page of the seal and
    date, and at least two lines of the agreement's text stand above them there (GB/T 9704
    7.3.5)."""
    data = {"terms": ["被投诉方立即撤下涉案展品并不再展出。"] * terms}
    case = make_case("fair_complaint", unit="CF", respondent=RESPONDENT)
    notice = issue(case, "agreement", at(STEP_AT), data=data)
    pages = _pages(pdf.path(notice))
    seal_page = [i for i, p in enumerate(pages) if ISSUE_DATE in re.sub(r"\s+", "", p)]
    assert len(seal_page) == 1
    signing = [
        i
        for i, page in enumerate(pages)
        for line in page.splitlines()
        if line.strip().startswith(("投诉人（签字", "被投诉人（签字", "调解员（签字"))
    ]
    assert signing == seal_page * 3, f"signature lines on pages {signing}, seal on {seal_page}"
    body = body_lines_on_seal_page(pages, notice)
    text = [line for line in body if "（签字" not in line and not line.startswith("日期")]
    assert len(text) >= 2, f"{terms} terms: the seal's page has body lines {body}"
