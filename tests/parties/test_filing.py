"""Online filing (parties.md §1) through ``POST /api/v1/public/complaints``: the web intake, its
evidence and receipt, the per-address limit, the honeypot, the captcha, and bad input."""

import io
import json
import re

import pytest
from sqlalchemy import select

from caseflow.cases.evidence import Evidence
from caseflow.cases.models import Case, Event
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.models import PartyConsent
from tests.parties.conftest import complaint_body, jpeg, pdf_text

URL = "/api/v1/public/complaints"


def _file(client, body, files=(), addr="198.51.100.7", **kw):
    if files:
        data = {"data": json.dumps(body)}
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
        return client.post(
            URL,
            data=data,
            content_type="multipart/form-data",
            environ_base={"REMOTE_ADDR": addr},
            **kw,
        )
    return client.post(URL, json=body, environ_base={"REMOTE_ADDR": addr}, **kw)


def test_a_complaint_filed_with_two_photos_is_a_web_intake_with_its_receipt(client, units):
    response = _file(
        client,
        complaint_body(consent={"email": "ip@lumen.example", "consent": True}),
        files=[("IMG_0001.jpg", jpeg()), ("IMG_0002.JPG", jpeg(3000))],
    )
    assert response.status_code == 201, response.json
    answer = response.json
    case = db.session.scalar(select(Case).where(Case.number == answer["number"]))
    assert (case.workflow, case.state, case.channel) == ("intake", "received", "web")
    assert answer["public_code"] == case.public_code and len(case.public_code) == 10
    assert case.complainant["contact"] == "+49 30 1234567"
    evidence = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert sorted(e.filename for e in evidence) == ["IMG_0001.jpg", "IMG_0002.JPG"]
    assert all(len(e.sha256) == 64 for e in evidence)
    consent = db.session.scalar(select(PartyConsent).where(PartyConsent.case_id == case.id))
    assert consent.consent and consent.email == "ip@lumen.example"
    kinds = [e.kind for e in db.session.scalars(select(Event).where(Event.case_id == case.id))]
    assert kinds.count("evidence") == 2 and "delivery_consent" in kinds and "opened" in kinds
    # The receipt: issued, and downloadable with the number and the code.
    receipt = db.session.scalar(select(Notice).where(Notice.case_id == case.id))
    assert receipt.kind == "filing_receipt" and receipt.is_issued
    assert answer["filing_receipt"]["document_number"] == receipt.document_number
    pdf = client.get(answer["filing_receipt"]["url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "网上投诉回执" in text and case.number in text and case.public_code in text
    assert answer["acceptance_due_at"] and "受理" in text


def test_the_receipt_prints_the_time_the_filing_was_received(client, units):
    """parties.md §1: the receipt states the received *time* (a filing at 16:04 is not one at
    09:00 when the acceptance period is counted, and the filer may need to prove it)."""
    import time_machine

    from tests.parties.conftest import local

    with time_machine.travel(local(2026, 11, 30, 16, 4, 30), tick=False):
        response = _file(client, complaint_body())
    assert response.status_code == 201, response.json
    text = re.sub(r"\s+", "", pdf_text(client.get(response.json["filing_receipt"]["url"]).data))
    assert "你方于2026年11月30日16时04分通过网上投诉举报平台提交" in text


def test_five_filings_an_hour_then_429_with_retry_after(client, units):
    for _ in range(5):
        assert _file(client, complaint_body(), addr="203.0.113.5").status_code == 201
    refused = _file(client, complaint_body(), addr="203.0.113.5")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 3000
    assert refused.json["error"]["code"] == "rate_limited"
    # Another address is not affected.
    assert _file(client, complaint_body(), addr="203.0.113.6").status_code == 201


def test_the_honeypot_refuses_and_nothing_is_filed(client, units):
    response = _file(client, complaint_body(website="http://spam.example"))
    assert response.status_code == 400
    assert db.session.scalar(select(Case)) is None


def test_the_captcha_when_switched_on(client, units, app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    missing = _file(client, complaint_body())
    assert missing.status_code == 422 and "captcha_answer" in missing.json["error"]["fields"]
    challenge = client.get("/api/v1/public/captcha").json
    a, b = (int(x) for x in challenge["question"].split(" = ")[0].split(" + "))
    wrong = _file(
        client, complaint_body(captcha_token=challenge["token"], captcha_answer=str(a + b + 1))
    )
    assert wrong.status_code == 422
    assert "新" in wrong.json["error"]["fields"]["captcha_answer"]  # take a new question
    # One question, one answer: after a wrong one the right one is refused on the same token.
    again = _file(
        client, complaint_body(captcha_token=challenge["token"], captcha_answer=str(a + b))
    )
    assert again.status_code == 422 and "captcha_answer" in again.json["error"]["fields"]
    challenge = client.get("/api/v1/public/captcha").json
    a, b = (int(x) for x in challenge["question"].split(" = ")[0].split(" + "))
    right = _file(
        client, complaint_body(captcha_token=challenge["token"], captcha_answer=str(a + b))
    )
    assert right.status_code == 201
    # A solved captcha files once: replayed, it is refused and nothing more is filed (one token
    # filed five complaints, until the address's hourly limit stopped the sixth).
    replayed = _file(
        client,
        complaint_body(captcha_token=challenge["token"], captcha_answer=str(a + b)),
        addr="198.51.100.8",
    )
    assert replayed.status_code == 422 and "captcha_answer" in replayed.json["error"]["fields"]
    assert len(db.session.scalars(select(Case)).all()) == 1
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", False)
    assert client.get("/api/v1/public/captcha").json == {"enabled": False}


def _challenge(client):
    challenge = client.get("/api/v1/public/captcha").json
    a, b = (int(x) for x in challenge["question"].split(" = ")[0].split(" + "))
    return challenge["token"], a + b


def test_one_captcha_question_takes_one_answer(client, units, app, monkeypatch):
    """Answers 2…18 on one "a + b = ?" token used to end in a 201: a wrong answer left the
    token unspent (its spend rolled back with the refusal). Now every answer spends it."""
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    token, _sum = _challenge(client)
    answers = [
        _file(client, complaint_body(captcha_token=token, captcha_answer=str(n)), addr=f"192.0.2.{n}")
        for n in range(2, 19)
    ]
    assert [r.status_code for r in answers] == [422] * 17
    assert db.session.scalar(select(Case)) is None


def test_wrong_captcha_answers_are_limited_per_address(client, units, app, monkeypatch):
    """20 wrong answers an hour from one address, then 429 (even for a right answer); they are
    not filings: the 5-filings limit still lets five through, and other addresses go on."""
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    addr = "203.0.113.77"
    for _ in range(6):
        token, total = _challenge(client)
        wrong = _file(client, complaint_body(captcha_token=token, captcha_answer=str(total + 1)), addr=addr)
        assert wrong.status_code == 422
    for _ in range(5):
        token, total = _challenge(client)
        filed = _file(client, complaint_body(captcha_token=token, captcha_answer=str(total)), addr=addr)
        assert filed.status_code == 201, filed.json
    other = "203.0.113.78"
    for _ in range(20):
        token, total = _challenge(client)
        wrong = _file(client, complaint_body(captcha_token=token, captcha_answer=str(total + 1)), addr=other)
        assert wrong.status_code == 422
    token, total = _challenge(client)
    limited = _file(client, complaint_body(captcha_token=token, captcha_answer=str(total)), addr=other)
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 3000
    token, total = _challenge(client)
    assert _file(
        client, complaint_body(captcha_token=token, captcha_answer=str(total)), addr="203.0.113.79"
    ).status_code == 201


def test_a_wrong_captcha_sent_twice_from_the_form_is_refused_twice(client, units, app, monkeypatch):
    """The wrong answer's spend is committed without the form's send token: a double tap of a
    refused form is refused again, not taken for a complaint already filed."""
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    form = client.get("/complain").text
    data = {
        name: re.search(rf'name="{name}" value="([^"]+)"', form).group(1)
        for name in ("csrf_token", "captcha_token", "submission")
    }
    data.update({"unit": "ZS", "facts": "被投诉人销售侵权灯具", "captcha_answer": "99"})
    first = client.post("/complain", data=data)
    second = client.post("/complain", data=data)
    assert first.status_code == second.status_code == 422
    assert "验证码不正确或已过期，请回答新的题目" in second.text
    assert db.session.scalar(select(Case)) is None


@pytest.mark.parametrize(
    "body, field",
    [
        (complaint_body(facts="a\x00b"), None),
        (complaint_body(facts="很" * 20_001), "facts"),
        (complaint_body(complainant={"name": "x" * 201, "contact": "1"}), "complainant.name"),
        (complaint_body(complainant={"name": "甲", "contact": ""}), "complainant.contact"),
        (complaint_body(complainant={"name": 12, "contact": ["1"]}), "complainant.name"),
        (complaint_body(complainant="甲"), "complainant"),
        (complaint_body(unit="NOPE"), "unit"),
        (complaint_body(unit="CF"), "unit"),
        (complaint_body(unit=7), "unit"),
        (complaint_body(right={"kind": "trade secret"}), "right.kind"),
        (complaint_body(consent={"email": "not-an-address", "consent": True}), "consent.email"),
        (complaint_body(consent={"consent": True}), "consent.email"),
        (complaint_body(consent={"consent": "yes", "email": "a@b.example"}), "consent.consent"),
        (complaint_body(facts=None), "facts"),
    ],
)
def test_bad_input_is_a_clear_4xx_never_500(client, units, body, field):
    response = _file(client, body, headers={"Accept-Language": "en"})
    assert 400 <= response.status_code < 500, response.json
    error = response.json["error"]
    assert error["message"]
    if field:
        assert field in error["fields"], error
    assert db.session.scalar(select(Case)) is None


@pytest.mark.parametrize(
    "files, reason",
    [
        ([("big.jpg", jpeg(10 * 1024 * 1024))], "10 MB"),
        ([("tool.exe", b"MZ\x90\x00")], "类型"),
        ([("fake.jpg", b"MZ\x90\x00 not a jpeg")], "不符"),
        ([("empty.pdf", b"")], "为空"),
        ([(f"p{i}.jpg", jpeg(10)) for i in range(11)], "10"),
    ],
)
def test_refused_files_name_the_reason_and_file_nothing(client, units, files, reason):
    response = _file(client, complaint_body(), files=files)
    assert response.status_code == 422, response.json
    assert reason in response.json["error"]["fields"]["files"]
    assert db.session.scalar(select(Case)) is None


def test_a_decompression_bomb_is_refused_and_files_nothing(client, units):
    """A 388 KB PNG of 20000 × 20000 pixels filed anonymously: refused by its header's pixel
    count (never decoded), nothing filed, nothing stored."""
    from caseflow.storage import storage
    from tests.support import png_of_zeros

    stored = set(storage().list_keys("evidence/"))  # the storage outlives one test
    response = _file(client, complaint_body(), files=[("截图.png", png_of_zeros(20000, 20000))])
    assert response.status_code == 422, response.json
    assert "像素" in response.json["error"]["fields"]["files"]
    assert db.session.scalar(select(Case)) is None
    assert set(storage().list_keys("evidence/")) == stored


def test_malformed_bodies(client, units):
    assert client.post(URL, data="not json", content_type="application/json").status_code == 400
    assert client.post(URL, json=["a list"]).status_code == 400
    bad_part = client.post(URL, data={"data": "{nope"}, content_type="multipart/form-data")
    assert bad_part.status_code == 400
    nul_field = client.post(
        URL, data={"facts": "a\x00b", "unit": "ZS"}, content_type="multipart/form-data"
    )
    assert nul_field.status_code == 400
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    too_big = client.post(URL, data=b"x" * (limit + 1), content_type="application/json")
    assert too_big.status_code == 413


def test_a_file_name_with_a_nul_is_refused(client, units):
    response = _file(client, complaint_body(), files=[("a\x00.jpg", jpeg())])
    assert response.status_code == 400
    form = client.get("/complain").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    page = client.post(
        "/complain",
        data={"csrf_token": csrf, "files": [(io.BytesIO(jpeg()), "b\x00.jpg")], "facts": "x"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400 and "NUL" in page.text
    assert db.session.scalar(select(Case)) is None


def test_multipart_with_dotted_fields(client, units):
    data = {
        "unit": "ZS",
        "complainant.name": "张三",
        "complainant.contact": "13800000000",
        "facts": "在商场发现假冒专利产品",
        "consent.consent": "on",
        "consent.phone": "138 0000 0000",
        "files": [(io.BytesIO(jpeg()), "photo.jpg")],
    }
    response = client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    case = db.session.scalar(select(Case))
    consent = db.session.scalar(select(PartyConsent))
    assert case.complainant["name"] == "张三" and consent.phone == "13800000000"


def test_the_refused_form_names_its_fields_as_a_person_reads_them(client, units):
    """The banner above a refused public form says which fields and why, by their labels: never
    an internal key such as ``complainant.name`` or ``complainant.kind``."""
    form = client.get("/complain").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = {
        "csrf_token": csrf,
        "unit": "",
        "complainant.name": "",
        "facts": "在商场发现假冒专利产品",
    }
    banners = []
    for kind in ("alien", "person"):  # a forged choice is refused first, by the schema
        page = client.post("/complain", data={**body, "complainant.kind": kind})
        assert page.status_code == 422
        banners.append(re.search(r'id="form-error">([^<]*)<', page.text).group(1))
        assert "在商场发现假冒专利产品" in page.text  # what was typed stays
    assert banners[0].startswith("请更正：投诉人类型（")
    assert banners[1].startswith("请更正：")
    assert "受理单位（必填）" in banners[1] and "投诉人姓名或名称（必填）" in banners[1]
    for key in ("unit", "complainant.name", "complainant.kind", "required"):
        assert all(key not in banner for banner in banners), banners
    assert db.session.scalar(select(Case)) is None


def test_consent_given_on_the_form_follows_the_complaint_into_adjudication(
    client, units, make_user
):
    """parties.md §3: consent may be given on the online filing form. Routed to adjudication,
    the complaint's new case has the same parties at the same addresses: its notices go out
    electronically without asking the complainant again, and its timeline says so."""
    from caseflow.cases.models import CaseLink
    from caseflow.engine import case_fire

    answer = _file(client, complaint_body(consent={"email": "ip@lumen.example", "consent": True}))
    intake = db.session.scalar(select(Case).where(Case.number == answer.json["number"]))
    case_fire(
        intake,
        "accept",
        make_user("caseworker", "ZS"),
        data={"route": "adjudication"},
        render_notices=False,
    )
    db.session.commit()
    link = db.session.scalar(select(CaseLink).where(CaseLink.source_id == intake.id))
    carried = db.session.scalar(select(PartyConsent).where(PartyConsent.case_id == link.target_id))
    assert (carried.role, carried.consent, carried.email) == (
        "complainant",
        True,
        "ip@lumen.example",
    )
    note = db.session.scalar(
        select(Event.note).where(Event.case_id == link.target_id, Event.kind == "delivery_consent")
    )
    assert note == f"沿用 {intake.number} 的送达地址确认：同意电子送达（请求人）"


def test_a_wrong_captcha_comes_back_with_every_other_error_at_once(client, units, app, monkeypatch):
    """Submitting the form empty used to name only the captcha; the empty fields came a round
    later. All come back together, and nothing is filed without the right answer."""
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    form = client.get("/complain").text
    page = client.post(
        "/complain",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1),
            "captcha_token": re.search(r'name="captcha_token" value="([^"]+)"', form).group(1),
            "captcha_answer": "",
        },
    )
    assert page.status_code == 422
    banner = re.search(r'id="form-error">([^<]*)<', page.text).group(1)
    for label in ("受理单位（必填）", "投诉人姓名或名称（必填）", "投诉事实和理由（必填）", "验证码（验证码不正确或已过期，请回答新的题目）"):
        assert label in banner, banner
    # The spent question is replaced by a new one.
    assert re.search(r'name="captcha_token" value="([^"]+)"', page.text).group(1) != re.search(
        r'name="captcha_token" value="([^"]+)"', form
    ).group(1)
    assert page.text.count('class="err"') >= 4  # each beside its field
    wrong = _file(client, complaint_body(captcha_token="x", captcha_answer="1", facts=""))
    assert wrong.status_code == 422
    assert {"captcha_answer", "facts"} <= set(wrong.json["error"]["fields"])
    right_fields = _file(client, complaint_body(captcha_token="x", captcha_answer="1"))
    assert set(right_fields.json["error"]["fields"]) == {"captcha_answer"}  # still refused
    assert db.session.scalar(select(Case)) is None


@pytest.mark.parametrize(
    ("respondent", "right", "says"),
    [
        (True, True, "提交的关于古镇星光灯饰厂涉嫌侵犯ZL202530123456.7号外观设计专利的投诉举报已收到"),
        (True, False, "提交的关于古镇星光灯饰厂的投诉举报已收到"),
        (False, True, "提交的涉嫌侵犯ZL202530123456.7号外观设计专利的投诉举报已收到"),
        (False, False, "提交的投诉举报已收到"),
    ],
)
def test_the_receipt_names_what_was_filed_in_every_combination(client, units, respondent, right, says):
    """网上投诉回执: "提交的的投诉举报" when neither a respondent nor a right was given."""
    body = complaint_body()
    if not respondent:
        body["respondent"] = {"name": "", "contact": ""}
    if not right:
        body["right"] = {"kind": "", "number": ""}
    answer = _file(client, body).json
    text = "".join(pdf_text(client.get(answer["filing_receipt"]["url"]).data).split())
    assert says in text and "的的" not in text


@pytest.mark.parametrize(
    ("complaint_type", "basis", "last_day"),
    [
        (None, "《专利行政执法办法》", "2026年11月9日"),
        ("samr_complaint", "《市场监督管理投诉举报处理暂行办法》", "2026年11月11日"),
    ],
)
def test_the_receipt_cites_the_rule_its_acceptance_date_is_counted_by(
    units, complaint_type, basis, last_day
):
    """The receipt promises the acceptance clock's due date: an infringement complaint (the
    default) counts 5 working days under 专利行政执法办法, a SAMR-type complaint 7 under SAMR Order
    20; the 依据 line names the same rule (it used to cite Order 20 over a 5-day date)."""
    import os

    from flask import current_app

    from caseflow.cases.services import case_open
    from caseflow.notices.services import notice_queue, notices_render_pending
    from tests.parties.conftest import local

    received_at = local(2026, 11, 2, 10)  # a Monday: 5 working days end on the 9th, 7 on the 11th
    case = case_open(
        workflow="intake",
        unit=units["ZS"],
        actor=None,
        public=True,
        channel="web",
        received_at=received_at,
        complainant={"name": "Lumen GmbH", "contact": "+49 30 1234567"},
        data={"facts": "网店销售假冒专利产品", **({"complaint_type": complaint_type} if complaint_type else {})},
    )
    opened = db.session.scalar(select(Event).where(Event.case_id == case.id, Event.kind == "opened"))
    receipt = notice_queue(case=case, kind="filing_receipt", event=opened, addressee="complainant")
    receipt_id = receipt.id
    db.session.commit()
    notices_render_pending([receipt_id])
    receipt = db.session.get(Notice, receipt_id)
    with open(os.path.join(current_app.config["CASEFLOW_STORAGE"], receipt.file_path), "rb") as pdf:
        text = "".join(pdf_text(pdf.read()).split())
    assert f"本中心将于{last_day}前作出是否受理的决定" in text
    assert f"依据：{basis}" in text
    assert ("暂行办法" in text) == (complaint_type == "samr_complaint")


def _complain_page(client, **over) -> dict:
    """A freshly opened /complain page filled in: its CSRF and one-time tokens, and a complaint."""
    form = client.get("/complain").text
    return {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1),
        "submission": re.search(r'name="submission" value="([^"]+)"', form).group(1),
        "unit": "ZS",
        "complainant.name": "张三",
        "complainant.kind": "person",
        "complainant.contact": "13800000000",
        "facts": "在商场发现假冒专利产品",
        **over,
    }


def test_the_same_form_sent_twice_files_one_complaint_with_or_without_the_captcha(client, units):
    """A double tap or a resend after a dropped connection sends the page's form again: the
    second send files nothing. The browser that filed is shown its receipt; any other send of
    that form learns it was filed, and where to follow it."""
    fields = _complain_page(client)
    first = client.post("/complain", data=fields)
    assert first.status_code == 303 and first.location.endswith("/complain/filed")
    again = client.post("/complain", data=fields)
    assert again.status_code == 303 and again.location.endswith("/complain/filed")
    assert len(db.session.scalars(select(Case)).all()) == 1

    with client.session_transaction() as browser:
        browser.pop("complaint_filed")  # another browser's resend of the same page
    elsewhere = client.post("/complain", data=fields, follow_redirects=True)
    assert "此投诉已经提交过，没有重复提交" in elsewhere.text
    assert len(db.session.scalars(select(Case)).all()) == 1

    # A fresh page is a fresh form: it files.
    assert client.post("/complain", data=_complain_page(client)).status_code == 303
    assert len(db.session.scalars(select(Case)).all()) == 2


def test_a_refused_send_leaves_its_form_usable(client, units):
    """A form refused for a missing field rolls back whole: corrected and sent with the same
    token, it files."""
    fields = _complain_page(client, **{"complainant.name": ""})
    assert client.post("/complain", data=fields).status_code == 422
    corrected = client.post("/complain", data={**fields, "complainant.name": "张三"})
    assert corrected.status_code == 303 and corrected.location.endswith("/complain/filed")
    assert db.session.scalar(select(Case)).complainant["name"] == "张三"
