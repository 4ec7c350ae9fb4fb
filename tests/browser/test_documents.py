"""Issue 14 in a real browser: drafting a decision and previewing it, the compensation worksheet
with an out-of-bound figure refused beside its field, and a mediation taken to judicial
confirmation whose bundle is downloaded from the case page. Screenshots and the preview PDF go
to test-artifacts/screenshots/."""

import hashlib
import io
import json
import subprocess
import zipfile

import pytest

from caseflow.extensions import db
from caseflow.timeutil import local_date, utcnow
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_ui import _fire, confirm

pytestmark = pytest.mark.browser


def test_a_decision_is_drafted_and_previewed(new_page, people, open_case, shot):
    worker = people["caseworker"]
    case = open_case(
        worker, complainant={"name": "Lumiere Design GmbH", "kind": "company", "country": "DE"}
    )
    case.state = "under_review"  # a fixture shortcut; the API tests walk the real path
    db.session.commit()
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    page.click("#draft-decision summary")
    page.fill(
        "#draft-decision-findings",
        "2026年1月，被请求人在其网店销售“晶彩”牌吸顶灯。\n经比对，该产品与涉案外观设计在整体视觉效果上无实质性差异",
    )
    page.fill(
        "#draft-decision-reasoning", "被请求人未经许可，为生产经营目的销售侵权产品，构成侵权。"
    )
    page.fill("#draft-decision-items", "被请求人立即停止销售侵权产品\n被请求人销毁库存侵权产品")
    shot(page, "draft-decision-form")
    page.click("form[data-draft=decision] button[type=submit]")
    page.wait_for_load_state()
    assert "草稿已保存" in page.inner_text(".flash, body")
    # Editable until issued: the saved text is back in the form.
    assert "被请求人销毁库存侵权产品" in page.input_value("#draft-decision-items")
    shot(page, "draft-decision-saved")

    href = page.get_attribute("#draft-decision a[data-preview=html]", "href")
    preview = new_page(worker)
    preview.goto(href)
    text = preview.inner_text("body")
    assert "草稿" in text and "经审理查明" in text and "一、被请求人立即停止销售侵权产品。" in text
    shot(preview, "draft-decision-preview-html")
    pdf_href = page.get_attribute("#draft-decision a[data-preview=pdf]", "href")
    response = page.request.get(pdf_href)
    assert response.ok and response.body().startswith(b"%PDF")
    target = SCREENSHOTS / "draft-decision-preview.pdf"
    target.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(target), str(SCREENSHOTS / "draft-decision-preview")],
        check=True,
    )


def test_the_compensation_worksheet(new_page, people, open_case, shot):
    worker = people["caseworker"]
    case = open_case(worker)
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    page.click("#compensation-form > summary")
    page.select_option("#compensation-basis", "statutory")
    page.fill("#compensation-statutory_amount", "6000000")
    page.click("form[data-form=compensation] button[type=submit]")
    page.wait_for_load_state()
    error = page.inner_text("#compensation-statutory_amount-error")
    assert "法定赔偿数额应在30,000.00至5,000,000.00之间" in error
    shot(page, "compensation-error")

    page.select_option("#compensation-basis", "licence_fee")
    page.fill("#compensation-statutory_amount", "")
    page.fill("#compensation-licence_fee", "150000")
    page.fill("#compensation-licence_multiple", "3")
    page.fill("#compensation-costs", "50000")
    page.click("form[data-form=compensation] button[type=submit]")
    page.wait_for_load_state()
    result = page.inner_text("#compensation-result")
    assert "人民币伍拾万元整" in result and "500,000.00" in result and "许可使用费的3倍" in result
    page.locator("#compensation").scroll_into_view_if_needed()
    shot(page, "compensation-result")


def test_a_mediation_to_judicial_confirmation_and_its_bundle(new_page, people, open_case, shot):
    worker = people["caseworker"]
    case = open_case(worker, workflow="mediation")
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    _fire(page, "consult_respondent")
    _fire(page, "record_consent")
    assert page.inner_text("#case-state") == "调解中"

    page.click("#sessions summary")
    # Held on the day the respondent consented (today): a session is of the mediation.
    page.fill("#session-held_on", local_date(utcnow()).isoformat())
    page.fill("#session-attendees", "张三\n李四\n调解员王五")
    page.fill("#session-outcome", "双方就赔偿数额达成一致")
    page.click("form[data-form=session] button[type=submit]")
    page.wait_for_load_state()
    assert "双方就赔偿数额达成一致" in page.inner_text("#sessions")

    page.click("#draft-agreement summary")
    page.fill("#draft-agreement-terms", "被申请人支付赔偿金人民币伍万元\n申请人放弃其他请求")
    page.click("form[data-draft=agreement] button[type=submit]")
    page.wait_for_load_state()
    _fire(page, "reach_agreement")
    assert page.inner_text("#case-state") == "达成协议"
    _fire(
        page,
        "apply_confirmation",
        court="中山市第一人民法院",
        court_case_number="(2026)粤2071民特12号",
    )
    assert page.inner_text("#case-state") == "司法确认中"
    assert "法院司法确认期限" in page.inner_text("#clocks")
    # The ruling number is required: refused beside the field.
    _fire(page, "record_confirmation")
    assert "必填" in page.inner_text("#record_confirmation-ruling_number-error")
    page.fill("#record_confirmation-ruling_number", "(2026)粤2071民特12号")
    confirm(page, "record_confirmation")
    page.click("form[data-trigger=record_confirmation] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "已司法确认"
    page.locator("#bundle").scroll_into_view_if_needed()
    shot(page, "mediation-confirmed")

    with page.expect_download() as download:
        page.click("#bundle-link")
    data = download.value.path().read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["court_case_number"] == "(2026)粤2071民特12号"
    kinds = {f.get("notice_kind") for f in manifest["files"]}
    assert "agreement" in kinds
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
