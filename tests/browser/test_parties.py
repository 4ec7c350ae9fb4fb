"""The parties' pages on a phone (390 × 844) in a real browser: filing a complaint with two
camera photos, the status page opened from the QR, /verify, and the respondent's own page (an answer, and a
penalty statement with its hearing waiver).
Screenshots go to docs/screenshots/ (parties-*.png)."""

from pathlib import Path

import pytest
from sqlalchemy import select

from caseflow.cases.models import Case, Event
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.services import party_link_ensure
from tests.support import served_respondent_token

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def captcha_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", False)


def _doc_shot(page, name):
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide at {PHONE['width']}px"


def _photo(name, size=150_000):
    return {"name": name, "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0" + b"p" * size}


def test_a_complaint_filed_from_a_phone_with_two_photos(new_page, units):
    page = new_page(**PHONE)
    page.goto("/complain")
    _no_sideways_scroll(page)
    page.select_option("#f-unit", "ZS")
    page.fill("#f-complainant-name", "Lumen GmbH")
    page.fill("#f-complainant-contact", "+49 30 1234567")
    page.fill("#f-respondent-name", "古镇星光灯饰厂")
    page.select_option("#f-right-kind", "patent")
    page.fill("#f-right-number", "ZL202530123456.7")
    page.fill("#f-facts", "被投诉人在网店销售与我方外观设计专利相同的灯具，见照片。")
    page.check("input[name='consent.consent']")
    page.fill("#f-consent-email", "ip@lumen.example")
    # A photo over 10 MB is refused in the browser, before any upload; the typed text stays.
    camera = page.locator("input[capture=environment]")
    camera.set_input_files([_photo("IMG_BIG.jpg", 11 * 1024 * 1024)])
    assert "未添加" in page.inner_text("#chosen-files")
    assert page.evaluate("document.querySelector('input[capture=environment]').files.length") == 0
    assert page.input_value("#f-facts").startswith("被投诉人在网店")
    _doc_shot(page, "parties-complain-refused-file")
    camera.set_input_files([_photo("IMG_0001.jpg")])
    page.locator("input[data-evidence][multiple]").set_input_files([_photo("IMG_0002.jpg")])
    assert "IMG_0001.jpg" in page.inner_text("#chosen-files")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-complain-phone")
    page.click("#complain-form button[type=submit]")
    page.wait_for_selector("#filed")
    number, code = page.inner_text("#filed-number"), page.inner_text("#filed-code")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-filed-phone")
    case = db.session.scalar(select(Case).where(Case.number == number))
    assert (case.workflow, case.state, case.channel, case.public_code) == ("intake", "received", "web", code)
    receipt = page.request.get(page.get_attribute("#receipt-link", "href"))
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF")
    # The status page from the filing answer, on the phone, then in English.
    page.goto(f"/status?number={number}&code={code}")
    assert "已接收" in page.inner_text("#public-stage")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-status-phone")
    page.click(".session button:has-text('English')")
    page.wait_for_load_state()
    page.goto(f"/status?number={number}&code={code}")
    assert "Case status" in page.inner_text("h1")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-status-phone-en")


def test_a_refused_file_on_the_server_keeps_what_was_typed(new_page, units):
    page = new_page(**PHONE)
    page.goto("/complain")
    page.select_option("#f-unit", "ZS")
    page.fill("#f-complainant-name", "张三")
    page.fill("#f-complainant-contact", "13800000000")
    page.fill("#f-facts", "事实写在这里")
    # A renamed executable passes the browser's name check; the server reads its bytes.
    page.locator("input[data-evidence][multiple]").set_input_files(
        [{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 not a jpeg"}]
    )
    page.click("#complain-form button[type=submit]")
    page.wait_for_selector("#err-files")
    assert "不符" in page.inner_text("#err-files")
    assert page.input_value("#f-facts") == "事实写在这里"
    assert page.input_value("#f-complainant-name") == "张三"
    _no_sideways_scroll(page)


def test_verify_on_a_phone_in_english(new_page, people, open_case):
    case = open_case(people["caseworker"])
    case_fire(case, "accept", people["caseworker"], data={"handlers": ["甲", "乙", "丙"]})
    db.session.commit()  # the caller commits (a page would)
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id))
    page = new_page(**PHONE)
    page.goto(f"/verify/{notice.verification_code}")
    assert notice.sha256 in page.content()
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-verify-phone")
    page.click(".session button:has-text('English')")
    page.wait_for_load_state()
    page.goto(f"/verify/{notice.verification_code}")
    assert "Document verification" in page.inner_text("h1")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-verify-phone-en")


def test_the_respondent_answers_from_its_phone(new_page, people, open_case):
    worker = people["caseworker"]
    case = open_case(worker)
    token = served_respondent_token(case, worker)
    page = new_page(**PHONE)
    page.goto(f"/p/{token}")
    assert "提交答辩书" in page.content() and "答辩通知书" in page.content()
    assert "张承办" not in page.content()
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-party-page-phone")
    page.fill("#f-text", "我方产品系自行设计，不构成侵权。")
    page.locator("#submit-form input[capture=environment]").set_input_files([_photo("证据.jpg")])
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    assert "已提交" in page.content()
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "under_review"
    page.click(".session button:has-text('English')")
    page.wait_for_load_state()
    page.goto(f"/p/{token}")
    assert "Your case page" in page.inner_text("h1")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-party-page-phone-en")


def test_the_penalty_party_states_its_case_and_waives_the_hearing_from_its_phone(
    new_page, people, open_case
):
    """行政处罚法 arts 63–64: the box says what it gives up, and ticked it is the step's
    written waiver."""
    worker = people["caseworker"]
    case = open_case(worker, workflow="penalty")
    case_fire(case, "file_case", people["supervisor"], data={"handlers": ["张三", "李四"]})
    case_fire(case, "notify_intent", worker, data={"proposed_fine": 3000, "facts": "标注他人专利号"})
    db.session.commit()
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    page = new_page(**PHONE)
    page.goto(f"/p/{token}")
    page.fill("#f-text", "我方已停止标注，请求从轻处罚。")
    page.check("#f-waive")
    assert "第六十三条、第六十四条" in page.inner_text("#hint-waive")
    _no_sideways_scroll(page)
    _doc_shot(page, "parties-statement-waiver-phone")
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    assert "已提交" in page.content()
    db.session.expire_all()
    event = db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.trigger == "receive_statement")
    )
    assert event.data == {"hearing_waived": True, "statement": "我方已停止标注，请求从轻处罚。"}
