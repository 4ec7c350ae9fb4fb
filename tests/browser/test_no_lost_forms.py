"""Issue 15 in a real browser: one test per row of the issue's table (the row number is in each
test's name), axe-core on every page, and the desk's walk-up-to-order tap count.

axe-core is vendored (tests/browser/vendor/axe-core-4.14.1.min.js, from ``npm pack axe-core``):
the tests run offline and only inject it into the page under test.
"""

import io
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from caseflow.cases.evidence import REQUEST_MAX_BYTES, Evidence
from caseflow.cases.models import Case, Event
from caseflow.extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("vendor") / "axe-core-4.14.1.min.js"

#: Data the tests type (names, titles): allowed in either language, as the issue says.
NAMES = (
    "OSRAM GmbH", "Bright Lamps Ltd", "佛山光耀灯饰有限公司", "中山古镇华灯厂",
    "第139届中国进出口商品交易会（第一期）", "广州 琶洲展馆", "中国对外贸易中心",
    "中山市明辉照明有限公司", "古镇星光灯饰厂", "LED 灯具外观设计专利侵权纠纷", "张承办", "李主任",
    "王只读", "赵承办", "陈专员", "系统管理员", "中文",
)


def axe_check(page, where: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    assert result == [], f"axe on {where}: {result}"


def _visible_text(page, allowed=()) -> str:
    text = page.evaluate("() => document.body.innerText")
    for name in sorted((*NAMES, *allowed), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")
CHINESE = re.compile(r"[\u3400-\u9fff]+")


def chinese_page_check(page, where: str, allowed=()) -> None:
    """A Chinese page shows no internal code and no English sentence."""
    text = _visible_text(page, allowed)
    assert SNAKE.findall(text) == [], f"{where}: internal codes {SNAKE.findall(text)}"
    assert ENGLISH_SENTENCE.findall(text) == [], f"{where}: English {ENGLISH_SENTENCE.findall(text)}"


def english_page_check(page, where: str, allowed=()) -> None:
    """An English page shows Chinese only in names and document titles."""
    text = _visible_text(page, allowed)
    assert CHINESE.findall(text) == [], f"{where}: Chinese {CHINESE.findall(text)}"
    assert SNAKE.findall(text) == [], f"{where}: internal codes {SNAKE.findall(text)}"


def _english(page):
    page.click(".session button:has-text('English')")
    page.wait_for_load_state()


def _pick_exhibitor(page, booth="11.2C15"):
    page.fill("#exhibitor-q", booth)
    page.wait_for_selector("#exhibitor-listbox [role=option]")
    page.click("#exhibitor-listbox [role=option]")


def _lodge(page, *, photos=None, name="OSRAM GmbH"):
    _pick_exhibitor(page)
    page.fill("#complainant_name", name)
    page.fill("#complainant_contact", "+49 89 6213 0")
    page.fill("#right_number", "ZL202330654321.0")
    if photos:
        page.set_input_files("#photos", files=photos)
    page.click("#lodge-form button[type=submit]")
    page.wait_for_url(re.compile(r"/desk\?fair_id=\d+#board"))


def _jpeg(width, height, quality=95) -> bytes:
    """A real photo-like JPEG (noise compresses badly, like a busy booth)."""
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


# --- row 1: uploads ------------------------------------------------------------------------------


def test_row01_tablet_photos_past_16_mb_are_reduced_in_the_browser_and_lodged(
    new_page, people, fair_with_exhibitors, shot, tmp_path
):
    """Four tablet photos (over 16 MB together) used to end on a bare 413 page."""
    from PIL import Image

    files, sizes = [], []
    for n in range(4):  # four different photos (the same picture twice is one piece of evidence)
        photo = _jpeg(3200, 2400)
        path = tmp_path / f"booth-{n}.jpg"
        path.write_bytes(photo)
        files.append(str(path))
        sizes.append(len(photo))
    assert sum(sizes) > 16 * 1024 * 1024
    page = new_page(people["desk"], width=768, height=1024)
    page.set_default_timeout(60000)
    page.goto("/desk")
    _pick_exhibitor(page)
    page.fill("#complainant_name", "OSRAM GmbH")
    page.fill("#complainant_contact", "+49 89 6213 0")
    page.fill("#right_number", "ZL202330654321.0")
    page.set_input_files("#photos", files=files)
    page.wait_for_selector("[data-downscale-note]")
    assert "MB →" in page.inner_text("[data-downscale-note]")
    shot(page, "desk-photos-reduced")
    page.click("#lodge-form button[type=submit]")
    page.wait_for_url(re.compile(r"#board"), timeout=60000)
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.workflow == "fair_complaint"))
    stored = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert len(stored) == 4
    for item in stored:  # reduced on the tablet: what is filed (and hashed) is what was sent
        import io

        from caseflow.cases.evidence import evidence_bytes

        with Image.open(io.BytesIO(evidence_bytes(item))) as image:
            assert max(image.size) <= 2560
        assert item.size < min(sizes)


def test_row01_an_oversized_file_is_refused_before_sending_and_the_server_answers_on_the_page(
    app, new_page, people, open_case, shot
):
    worker = people["caseworker"]
    case = open_case(worker)
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.fill("#evidence-description", "公证购买的样品")
    page.set_input_files(
        "#evidence-file",
        files=[{"name": "录像截图.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + b"0" * (11 * 1024 * 1024)}],
    )
    page.click("#evidence-form button[type=submit]")
    page.wait_for_selector("[data-upload-error]:not([hidden])")
    assert "超过单个文件 10 MB 的上限" in page.inner_text("[data-upload-error]")
    assert posts == [] and page.input_value("#evidence-description") == "公证购买的样品"
    shot(page, "evidence-too-large-in-browser")

    # Without the browser's check (an old browser), the server's answer is the same page.
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        page.evaluate("() => document.getElementById('evidence-form').removeAttribute('data-upload')")
        page.set_input_files(
            "#evidence-file",
            files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + b"0" * (2 * 1024 * 1024)}],
        )
        page.click("#evidence-form button[type=submit]")
        page.wait_for_load_state()
    finally:
        app.config["MAX_CONTENT_LENGTH"] = REQUEST_MAX_BYTES
    assert case.number in page.inner_text("#case-number")
    assert "未能接收" in page.inner_text("#evidence")
    assert page.input_value("#evidence-description") == "公证购买的样品"


# --- row 2: Enter in the booth search --------------------------------------------------------------


def test_row02_enter_in_the_booth_search_searches_and_picks_never_submits(
    new_page, people, fair_with_exhibitors
):
    page = new_page(people["desk"], width=768, height=1024)
    page.goto("/desk")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.fill("#exhibitor-q", "11.2C1")
    page.press("#exhibitor-q", "Enter")  # the tablet keyboard's 搜索/Go key
    page.wait_for_timeout(800)
    assert posts == [] and page.locator("[data-error-summary]").count() == 0
    page.wait_for_selector("#exhibitor-listbox [role=option]")
    page.press("#exhibitor-q", "Enter")  # picks the highlighted one
    assert posts == []
    assert "11.2C15" in page.inner_text("#exhibitor-picked")
    assert page.locator("[data-error-summary]").count() == 0


# --- row 3: a refused evidence upload is in sight ---------------------------------------------------


def test_row03_a_refused_upload_lands_at_the_evidence_with_focus_on_the_file(
    new_page, people, open_case, shot
):
    worker = people["caseworker"]
    case = open_case(worker)
    page = new_page(worker, width=1366, height=768)
    page.goto(f"/cases/{case.id}")
    page.set_input_files("#evidence-file", files=[{"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90"}])
    page.click("#evidence-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/{case.id}#evidence")
    assert page.evaluate("() => document.activeElement.id") == "evidence-file"
    summary = page.locator("#evidence [data-error-summary]")
    assert "文件类型不允许" in summary.inner_text()
    box = summary.bounding_box()
    assert 0 <= box["y"] < 768  # in sight, not at the bottom of the page
    shot(page, "evidence-refused")


# --- row 4: impossible dates ------------------------------------------------------------------------


def test_row04_an_impossible_date_says_so(new_page, people, units):
    page = new_page(people["desk"])
    page.goto("/fairs")
    page.fill("#fair-name", "第140届中国进出口商品交易会")
    page.fill("#fair-opens_at", "2026-12-32 10:00")
    page.fill("#fair-closes_at", "2026-12-31 18:00")
    page.click("#fair-new button[type=submit]")
    page.wait_for_load_state()
    assert "没有这个日期或时间：2026-12-32 10:00" in page.inner_text("#fair-opens_at-error")
    assert page.evaluate("() => document.activeElement.id") == "fair-opens_at"


# --- row 5: reload after a refused form ----------------------------------------------------------


def test_row05_a_refused_form_reloads_as_the_case_page(new_page, people, open_case, shot):
    worker = people["caseworker"]
    case = open_case(worker)
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    page.click("#trigger-accept > summary")
    page.fill("#accept-handlers", "张三\n李四")
    page.check("#accept-confirmed")
    page.click("form[data-trigger=accept] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/{case.id}#trigger-accept")
    summary = page.locator("#trigger-accept [data-error-summary]")
    assert "合议组应由三名以上单数承办人组成" in summary.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "accept-handlers"
    shot(page, "case-form-error")
    url = page.url
    page.goto("/inbox")
    again = page.goto(url)  # a bookmark, a shared link, the address bar
    assert again.status == 200 and page.inner_text("#case-state") == "已申请"
    old = page.request.get(f"/cases/{case.id}/fire/accept", max_redirects=0)  # not a 405
    assert old.status == 302 and old.headers["location"].endswith(f"/cases/{case.id}#trigger-accept")


# --- rows 6, 7, 8: the desk's complaint, its officer, facts, the order's text -------------------------


def test_row06_row07_row08_desk_complaint_assigned_with_facts_person_and_confirmed_order(
    new_page, people, fair_with_exhibitors, shot
):
    officer = people["desk"]
    page = new_page(officer, width=768, height=1024)
    page.goto("/desk")
    _pick_exhibitor(page)
    page.fill("#complainant_name", "王小明")
    page.select_option("#complainant_kind", "person")
    page.fill("#complainant_contact", "138 0000 0000")
    page.fill("#right_number", "ZL202330654321.0")
    page.fill("#facts", "展位展出 LED 吸顶灯 A-100 型，与外观设计专利图片一致")
    page.click("#lodge-form button[type=submit]")
    page.wait_for_url(re.compile(r"#board"))
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.workflow == "fair_complaint"))
    assert case.assignee_id == officer.id  # row 6: its alerts reach the officer who lodged it
    assert case.complainant["kind"] == "person"  # row 7
    assert case.data["facts"].startswith("展位展出 LED 吸顶灯")
    for trigger in ("accept", "notify_respondent"):
        page.locator(f".board-card button[data-trigger={trigger}]").first.click()
        page.wait_for_load_state()
    # Row 8: one tap opens the order's form; it needs the text and a second, confirming tap.
    page.locator(".board-card button[data-trigger=order_rectification]").first.click()
    panel = page.locator("form[data-confirm-form=order_rectification]").first
    assert panel.is_visible() and "不能撤回" in panel.inner_text()
    panel.locator("button[type=submit]").click()  # no text: the browser keeps the form
    assert panel.locator("textarea").evaluate("(t) => t.matches(':invalid')")
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "respondent_notified"
    page.goto("/desk")
    page.locator(".board-card button[data-trigger=order_rectification]").first.click()
    page.locator("form[data-confirm-form=order_rectification] textarea").first.fill("遮盖 A-100 型吸顶灯样品，撤下宣传册第 3 页")
    shot(page, "desk-confirm-order")
    page.locator("button[data-confirm=order_rectification]").first.click()
    page.wait_for_load_state()
    link = page.locator(".board-card a:has-text('整改通知书')").first
    pdf = page.request.get(link.get_attribute("href")).body()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "遮盖 A-100 型吸顶灯样品" in text.replace("\n", "")

    # A colleague may take it over: reassignable from the case page.
    page.goto(f"/cases/{case.id}")
    assert "陈专员" in page.inner_text("#parties")
    assert page.locator("#assign-form select").count() == 1


# --- row 9: referral to a unit that exists; the desk reads the linked case ----------------------------


def test_row09_referral_picks_an_existing_centre_and_the_desk_reads_the_linked_case(
    new_page, people, fair_with_exhibitors, units
):
    page = new_page(people["desk"], width=768, height=1024)
    page.goto("/desk")
    _lodge(page)
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.workflow == "fair_complaint"))
    page.goto(f"/cases/{case.id}")
    page.click("#trigger-refer > summary")
    options = page.locator("#refer-target_unit option").all_inner_texts()
    assert any("(ZS)" in o or "（ZS）" in o for o in options) and not any("CF" in o for o in options)
    page.select_option("#refer-target", "adjudication")
    page.select_option("#refer-target_unit", "ZS")
    page.check("#refer-confirmed")
    page.click("form[data-trigger=refer] button[type=submit]")
    page.wait_for_load_state()
    db.session.expire_all()
    linked = db.session.scalar(select(Case).where(Case.workflow == "adjudication"))
    assert linked.unit_id == units["ZS"].id
    page.goto(f"/cases/{case.id}")
    page.click(f"#links a:has-text('{linked.number}')")
    page.wait_for_load_state()
    assert page.inner_text("#case-number") == linked.number  # not a 403
    assert page.locator("#read-only").is_visible()
    assert page.locator("#actions").count() == 0 and page.locator("#evidence-form").count() == 0


# --- row 10: compliance photo on the board ------------------------------------------------------------


def test_row10_compliance_is_confirmed_with_a_photo_taken_on_the_board(
    new_page, people, fair_with_exhibitors, shot
):
    import hashlib

    page = new_page(people["desk"], width=768, height=1024)
    page.goto("/desk")
    _lodge(page)
    for trigger in ("accept", "notify_respondent"):
        page.locator(f".board-card button[data-trigger={trigger}]").first.click()
        page.wait_for_load_state()
    page.locator(".board-card button[data-trigger=order_withdrawal]").first.click()
    page.locator("form[data-confirm-form=order_withdrawal] textarea").first.fill("A-100 型样品")
    page.locator("button[data-confirm=order_withdrawal]").first.click()
    page.wait_for_load_state()
    photo = _jpeg(640, 480, quality=80)
    page.locator(".board-card button[data-trigger=confirm_compliance]").first.click()
    page.locator("form[data-confirm-form=confirm_compliance] input[type=file]").first.set_input_files(
        files=[{"name": "checked.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    shot(page, "desk-compliance-photo")
    page.locator("button[data-confirm=confirm_compliance]").first.click()
    page.wait_for_load_state()
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.workflow == "fair_complaint"))
    assert case.state == "resolved"
    item = db.session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    assert item.sha256 == hashlib.sha256(photo).hexdigest()  # small enough: sent as taken
    event = db.session.scalar(select(Event).where(Event.case_id == case.id, Event.trigger == "confirm_compliance"))
    assert event.data["evidence"] == {"evidence_id": item.id, "filename": "checked.jpg", "sha256": item.sha256}


# --- row 11: steps that cannot pass yet ---------------------------------------------------------------


def test_row11_a_step_whose_period_runs_is_disabled_with_its_date(new_page, people, open_case, shot):
    from caseflow.engine import case_fire

    worker = people["caseworker"]
    now = datetime.now(UTC)
    case = open_case(worker, received_at=now - timedelta(days=3))
    case_fire(case, "accept", worker, occurred_at=now - timedelta(days=2), data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker, occurred_at=now - timedelta(days=1))
    db.session.commit()  # the caller commits (a page would)
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    blocked = page.locator("[data-blocked=proceed_without_answer]")
    assert blocked.locator("button").is_disabled()
    # Served yesterday (11-29): the 15th day is Monday 12-14, so from Tuesday 12-15.
    assert blocked.locator("span").inner_text() == "2026年12月15日（周二）起可操作（答辩期限届满后）"
    assert page.locator("#trigger-receive_answer > summary").is_visible()  # what can be done, is
    shot(page, "case-step-disabled")


def test_row11_close_after_the_decision_is_disabled_with_the_day_it_can_be_done(
    new_page, people, open_case, shot
):
    """The adjudication walked to its decision at the pinned time (2026-11-30 10:00): the
    supervisor records the decision as made on Saturday 11-21. The 15 days to sue end on Sunday
    12-06, rolled over to Monday 12-07, so 结案 can be done from Tuesday 12-08; and the decision
    must first be recorded as published."""
    from caseflow.engine import case_fire
    from tests.engine.helpers import at

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(worker, received_at=at("2026-11-02 09:00"))
    case_fire(case, "accept", worker, occurred_at=at("2026-11-03 10:00"), data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker, occurred_at=at("2026-11-04 10:00"))
    case_fire(case, "receive_answer", worker, occurred_at=at("2026-11-12 10:00"))
    db.session.commit()

    boss = new_page(chief)
    boss.goto(f"/cases/{case.id}")
    boss.click("#trigger-decide > summary")
    boss.select_option("#decide-outcome", "infringing")
    boss.fill("#decide-findings", "被请求人销售的吸顶灯与涉案外观设计相近似。")
    boss.fill("#decide-reasoning", "被请求人未经许可销售侵权产品，构成侵权。")
    boss.fill("#decide-items", "被请求人立即停止销售侵权产品")
    boss.fill("#decide-occurred_at", "2026-11-21 10:00")
    boss.check("#decide-confirmed")
    boss.click("form[data-trigger=decide] button[type=submit]")
    boss.wait_for_load_state()
    assert boss.inner_text("#case-state") == "已裁决"

    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    close = page.locator("[data-blocked=close]")
    assert close.locator("button").is_disabled() and close.locator("button").inner_text() == "结案"
    assert page.locator("form[data-trigger=close]").count() == 0  # no form that would be refused
    assert close.locator("span").inner_text() == (
        "2026年12月8日（周二）起可操作（起诉期限届满后）；裁决书尚未登记公开，不能结案（登记公开后可操作）"
    )
    shot(page, "case-close-disabled")
    _english(page)
    assert page.locator("[data-blocked=close] span").inner_text() == (
        "Possible from 2026-12-08 (Tue), once “Period to sue” has run out; the decision has not been "
        "recorded as published yet (possible after Record publication)"
    )
    page.click(".session button:has-text('中文')")
    page.wait_for_load_state()
    # Recording the publication leaves only the date.
    page.click("#trigger-record_publication > summary")
    page.click("form[data-trigger=record_publication] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("[data-blocked=close] span") == "2026年12月8日（周二）起可操作（起诉期限届满后）"


# --- row 12: no internal codes or English in the Chinese UI -------------------------------------------


def test_row12_the_chinese_ui_shows_labels_and_chinese_messages(
    app, new_page, people, open_case, units, shot
):
    from caseflow.calendar.services import calendar_load
    from caseflow.engine import case_fire

    worker = people["caseworker"]
    now = datetime.now(UTC)
    open_case(worker, received_at=now - timedelta(days=21))  # its acceptance is overdue
    case = open_case(worker, received_at=now - timedelta(days=9))
    case_fire(case, "accept", worker, occurred_at=now - timedelta(days=1), data={"handlers": ["甲", "乙", "丙"]})
    db.session.commit()  # the caller commits (a page would)
    result = app.test_cli_runner().invoke(args=["sla", "sweep", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    # A local closure moves the case's due dates: the timeline says so in Chinese.
    today = now.astimezone().date()
    year = today.year
    closures = "\n".join(
        f"{(today + timedelta(days=d)).isoformat()} holiday 台风停工"
        for d in range(3, 6) if (today + timedelta(days=d)).year == year and (today + timedelta(days=d)).weekday() < 5
    )
    if closures:
        calendar_load(closures, source="台风", actor=people["admin"], unit="ZS")
        db.session.commit()
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    chinese_page_check(page, "case page")
    if closures:
        assert "因放假安排调整，到期日由" in page.inner_text("#timeline")
    # A time before the previous step: refused in Chinese with a Chinese date.
    page.click("#trigger-serve > summary")
    page.fill("#serve-occurred_at", (now - timedelta(days=5)).astimezone().strftime("%Y-%m-%d %H:%M"))
    page.check("#serve-confirmed")
    page.click("form[data-trigger=serve] button[type=submit]")
    page.wait_for_load_state()
    error = page.inner_text("#serve-occurred_at-error")
    assert re.search(r"不能早于上一操作（\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d）", error) and "/" not in error
    chinese_page_check(page, "refused step")
    page.goto("/alerts/")
    assert "立案审查期限" in page.inner_text("main") and "acceptance" not in page.inner_text("main")
    chinese_page_check(page, "alerts")
    for path in ("/inbox", "/cases/new"):
        page.goto(path)
        chinese_page_check(page, path)

    admin = new_page(people["admin"])
    admin.goto("/admin?tab=calendar")
    admin.set_input_files("#calendar-file", files=[{"name": "2027.txt", "mimeType": "text/plain",
                                                     "buffer": b"2027-01-01 vacation New Year\n2027/01/03 workday\n"}])
    admin.check("#calendar-confirmed")
    admin.click("form:has(#calendar-file) button[type=submit]")
    admin.wait_for_load_state()
    error = admin.inner_text("#calendar-file-error")
    assert "第 1 行" in error and "类型应为 holiday 或 workday" in error and "expected" not in error
    shot(admin, "admin-calendar-error")


# --- row 13: keyboard and screen readers -------------------------------------------------------------


def test_row13_the_exhibitor_search_is_a_combobox_and_every_page_has_a_skip_link(
    new_page, people, fair_with_exhibitors, shot
):
    page = new_page(people["desk"], width=768, height=1024)
    page.goto("/desk")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    box = page.locator("#exhibitor-q")
    assert box.get_attribute("role") == "combobox"
    box.fill("11.2C1")
    page.wait_for_selector("#exhibitor-listbox [role=option]")
    assert box.get_attribute("aria-expanded") == "true"
    first = box.get_attribute("aria-activedescendant")
    page.keyboard.press("ArrowDown")
    second = box.get_attribute("aria-activedescendant")
    assert first != second and page.get_attribute(f"#{second}", "aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "complainant_name"  # focus moves on
    assert "已选择：11.2C15" in page.inner_text("#exhibitor-live")
    assert page.get_attribute("#exhibitor-live", "aria-live") == "polite"
    shot(page, "desk-combobox")


# --- row 14: evidence thumbnails, duplicates, download names -----------------------------------------


def test_row14_thumbnails_duplicates_refused_and_an_ascii_download_name(
    new_page, people, open_case, shot
):
    worker = people["caseworker"]
    case = open_case(worker)
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    photo = _jpeg(800, 600, quality=80)
    for name in ("现场照片.jpg", "现场照片（副本）.jpg"):
        page.set_input_files("#evidence-file", files=[{"name": name, "mimeType": "image/jpeg", "buffer": photo}])
        page.click("#evidence-form button[type=submit]")
        page.wait_for_load_state()
    first = db.session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    error = page.inner_text("#evidence [data-error-summary]")
    assert "现场照片.jpg" in error and f"#{first.id}" in error
    page.click("#duplicate-of a")
    assert page.url.endswith(f"#evidence-{first.id}")
    thumb = page.locator(f"#evidence-{first.id} img")
    assert page.evaluate("(img) => img.naturalWidth", thumb.element_handle()) > 0
    shot(page, "evidence-thumbnails")
    response = page.request.get(f"/evidence/{first.id}")
    disposition = response.headers["content-disposition"]
    assert f'filename="{case.number}_evidence-{first.id}.jpg"' in disposition
    assert "filename*=UTF-8''" in disposition


# --- row 15: English -----------------------------------------------------------------------------------


def test_row15_english_verbs_plurals_and_notice_titles(
    new_page, people, fair_with_exhibitors, open_case, units, shot
):
    unit_names = tuple(u.name for u in units.values())
    page = new_page(people["desk"], width=768, height=1024)
    page.goto("/desk")
    _lodge(page)
    for trigger in ("accept", "notify_respondent"):
        page.locator(f".board-card button[data-trigger={trigger}]").first.click()
        page.wait_for_load_state()
    _english(page)
    buttons = page.locator(".board-card .actions").first.inner_text()
    assert "Order withdrawal" in buttons and "Order rectification" in buttons
    assert "Withdrawal ordered" not in buttons
    assert "Notice to answer" in page.inner_text(".board-card") or "notice" in page.inner_text(".board-card").lower()
    english_page_check(page, "desk in English", allowed=unit_names)

    worker = people["caseworker"]
    case = open_case(worker, received_at=datetime.now(UTC) - timedelta(days=2))
    other = new_page(worker)
    other.goto(f"/cases/{case.id}")
    _english(other)
    assert "1 day left" in other.inner_text("#clocks") or "days left" in other.inner_text("#clocks")
    assert "1 days" not in other.inner_text("main") and "1 months" not in other.inner_text("main")
    english_page_check(other, "case page in English", allowed=unit_names)
    shot(other, "case-en")


# --- row 16: the status filter -------------------------------------------------------------------------


def test_row16_the_status_filter_lists_the_units_workflows_once(new_page, people, fair_with_exhibitors):
    page = new_page(people["desk"])
    page.goto("/inbox")
    states = page.locator("#state option").all_inner_texts()
    assert "已投诉" in states and "已申请" not in states  # a fair desk's own states only
    assert len(states) == len(set(states)) < 20
    worker = new_page(people["caseworker"])
    worker.goto("/inbox")
    labels = worker.locator("#state option").all_inner_texts()
    assert labels.count("已申请") == 1 and "已投诉" not in labels


# --- row 17: placeholders ------------------------------------------------------------------------------


def _placeholders(page) -> list[str]:
    return page.eval_on_selector_all("[placeholder]", "els => els.map(e => e.getAttribute('placeholder'))")


#: A placeholder that is a date, or a case number, or a credit code of a real place.
CONCRETE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月")
CASE_NUMBER = re.compile(r"\b([A-Z]{2,})-[A-Z]{2,}-\d{4}-\d+")


def test_row17_placeholders_are_formats_or_the_users_own_unit(new_page, people, open_case, fair_with_exhibitors):
    """Every placeholder on every page a person sees is relevant to them: a date field shows the
    format (年-月-日), never an example date that goes stale; a case number is the user's own
    unit's, and the anonymous status page (anyone's case) shows the number's shape, no unit's."""
    pd = new_page(people["pd_worker"])
    pd.goto("/inbox")
    placeholder = pd.get_attribute("#q", "placeholder")
    assert placeholder.startswith("PD-ADJ-") and "ZS-" not in placeholder
    pd.goto("/cases/new")
    assert pd.get_attribute("#received_at", "placeholder") == "年-月-日 时:分"

    anonymous = new_page()
    anonymous.goto("/status")
    assert anonymous.get_attribute("#number", "placeholder") == "单位-程序-年份-序号"

    case = open_case(people["caseworker"])
    seen = {}
    sweep = (
        (pd, ("/inbox", "/cases/new", "/cases/new?workflow=pre_exam", "/applicants", "/alerts/", "/dashboard")),
        (anonymous, ("/status", "/complain", "/credit")),
        (new_page(people["caseworker"]), ("/inbox", f"/cases/{case.id}", "/cases/new", "/applicants")),
        (new_page(people["supervisor"]), ("/dashboard", "/credit/repairs")),
        (new_page(people["desk"]), ("/desk", "/fairs", f"/fairs/{fair_with_exhibitors.id}", "/inbox")),
        (new_page(people["admin"]), ("/admin", "/admin/units/ZS", "/admin/units/PD")),
    )
    for page, paths in sweep:
        for path in paths:
            page.goto(path)
            for text in _placeholders(page):
                seen.setdefault(text, path)
    assert seen, "no placeholders found"
    for text, path in seen.items():
        assert not CONCRETE_DATE.search(text), f"{path}: a date as placeholder: {text}"
        numbers = CASE_NUMBER.findall(text)
        assert numbers in ([], ["PD"], ["ZS"], ["CF"]), f"{path}: {text}"
    for path in ("/inbox", "/cases/new", "/applicants"):
        pd.goto(path)
        assert not any("ZS-" in t or "4420" in t for t in _placeholders(pd)), path  # Zhongshan's
    anonymous.goto("/status")
    assert not CASE_NUMBER.search(" ".join(_placeholders(anonymous)))


# --- rows 18, 19: error pages in the app frame, favicon ---------------------------------------------


def test_row18_row19_error_pages_in_the_app_frame_and_a_favicon(new_page, people, shot):
    page = new_page(people["caseworker"])
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto("/inbox")
    nav = page.inner_text(".mainnav")
    response = page.goto("/cases/no-such-case")
    assert response.status == 404
    assert page.inner_text(".mainnav") == nav  # the same header as every page
    assert page.locator(".panel#error").count() == 1 and page.locator("a.skip-link").count() == 1
    shot(page, "not-found")
    problems.clear()
    page.goto("/inbox")
    page.wait_for_load_state("networkidle")
    assert problems == []  # no favicon 404 in the console
    assert page.request.get("/favicon.ico").status == 200
    assert page.get_attribute("link[rel=icon]", "href").endswith("favicon.svg")


# --- axe-core on every page, and the tap count ------------------------------------------------------


def test_axe_finds_no_serious_violation_on_any_page(new_page, people, open_case, fair_with_exhibitors):
    audited = new_page

    def new_page(*args, **kwargs):  # the auditor's script may run despite the page's CSP
        return audited(*args, bypass_csp=True, **kwargs)

    worker = people["caseworker"]
    case = open_case(worker)
    anonymous = new_page()
    for path in ("/login", "/status"):
        anonymous.goto(path)
        axe_check(anonymous, path)
    page = new_page(worker)
    for path in ("/inbox", f"/cases/{case.id}", "/cases/new", "/applicants", "/alerts/", "/cases/nope"):
        page.goto(path)
        axe_check(page, path)
    page.click("#trigger-accept > summary") if page.locator("#trigger-accept").count() else None
    page.goto(f"/cases/{case.id}")
    page.click("#trigger-accept > summary")
    page.click("form[data-trigger=accept] button[type=submit]")
    page.wait_for_load_state()
    axe_check(page, "refused step")
    chief = new_page(people["supervisor"])
    chief.goto("/dashboard")
    axe_check(chief, "/dashboard")
    admin = new_page(people["admin"])
    for path in ("/admin", "/admin?tab=calendar", "/admin/units/ZS"):
        admin.goto(path)
        axe_check(admin, path)
    desk = new_page(people["desk"], width=768, height=1024)
    for path in ("/desk", "/fairs", f"/fairs/{fair_with_exhibitors.id}"):
        desk.goto(path)
        axe_check(desk, path)
    desk.goto("/desk")
    desk.fill("#exhibitor-q", "11.2C1")
    desk.wait_for_selector("#exhibitor-listbox [role=option]")
    axe_check(desk, "desk with results")


def test_walk_up_to_order_takes_at_most_12_taps(new_page, people, fair_with_exhibitors, shot):
    """A complainant walks up; the officer lodges the complaint and orders the withdrawal. Every
    tap (click, select, file pick) is counted; typing is not."""
    page = new_page(people["desk"], width=768, height=1024)
    taps = []

    def tap(selector):
        taps.append(selector)
        page.locator(selector).first.click()

    page.goto("/desk")
    tap("#exhibitor-q")
    page.keyboard.type("11.2C15")
    page.wait_for_selector("#exhibitor-listbox [role=option]")
    tap("#exhibitor-listbox [role=option]")
    page.keyboard.type("OSRAM GmbH")  # the focus moved to the complainant by itself
    tap("#complainant_contact")
    page.keyboard.type("+49 89 6213 0")
    tap("#right_number")
    page.keyboard.type("ZL202330654321.0")
    # The photo field, then the camera in the tablet's picker (it offers PDFs too, so it does not
    # open the camera by itself): two taps to take the photo.
    taps.extend(["#photos", "camera"])
    page.set_input_files("#photos", files=[{"name": "booth.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(640, 480, 80)}])
    tap("#lodge-form button[type=submit]")
    page.wait_for_url(re.compile(r"#board"))
    tap(".board-card button[data-trigger=accept]")
    page.wait_for_load_state()
    tap(".board-card button[data-trigger=notify_respondent]")
    page.wait_for_load_state()
    tap(".board-card button[data-trigger=order_withdrawal]")
    page.keyboard.type("A-100 型吸顶灯样品及宣传册")  # the text box has the focus
    tap("button[data-confirm=order_withdrawal]")
    page.wait_for_load_state()
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.workflow == "fair_complaint"))
    assert case.state == "withdrawal_ordered"
    print(f"walk-up to order: {len(taps)} taps")
    assert len(taps) <= 12, taps
    shot(page, "desk-board")


def test_row12_row15_every_page_speaks_the_users_language(new_page, people, open_case, fair_with_exhibitors, units):
    """Each role's pages in Chinese (no internal code, no English sentence) and in English (no
    Chinese outside names: people, units, fairs, exhibitors, holidays, official documents)."""
    from caseflow.calendar.models import CalendarDay, CalendarYear

    case = open_case(people["caseworker"])
    names = {u.name for u in units.values()} | {p.username for p in people.values()}
    names |= {d.name for d in db.session.scalars(select(CalendarDay))} | {
        y.source for y in db.session.scalars(select(CalendarYear))
    } | {d.source for d in db.session.scalars(select(CalendarDay))}
    for unit in units.values():
        names |= set(((unit.profile or {}).get("doc_patterns") or {}).values())
    names.add("全国年节及纪念日放假办法")  # an official document's title
    allowed = tuple(n for n in names if n)
    sweep = (
        ("caseworker", ("/inbox", f"/cases/{case.id}", "/cases/new", "/applicants", "/alerts/", "/nope")),
        ("supervisor", ("/dashboard",)),
        ("admin", ("/admin", "/admin?tab=calendar", "/admin?tab=units", "/admin/units/ZS")),
        ("desk", ("/desk", "/fairs", f"/fairs/{fair_with_exhibitors.id}", "/inbox")),
    )
    for who, paths in sweep:
        page = new_page(people[who])
        for path in paths:
            page.goto(path)
            chinese_page_check(page, f"{who} {path}", allowed)
        _english(page)
        for path in paths:
            page.goto(path)
            english_page_check(page, f"{who} {path} (English)", allowed)


def test_row12_row15_the_public_pages_speak_the_visitors_language(new_page, people, open_case, units):
    """The pages without login: /status before a look-up, after a refused one and after one with
    the case's real number and status code (its stage, deadlines and steps), and /verify of an
    issued notice and of an unknown code; in Chinese, then in English."""
    from caseflow.engine import case_fire
    from caseflow.notices.models import Notice

    worker = people["caseworker"]
    case = open_case(worker)
    case_fire(case, "accept", worker, data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker)  # the respondent's answer period: a party's deadline
    db.session.commit()
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id))
    assert notice.is_issued
    allowed = tuple(
        {u.name for u in units.values()} | {notice.title, notice.document_number, case.number, case.public_code}
        | {"SHA-256", notice.sha256, notice.verification_code, "NOSUCHCODE1"}
    )

    def status(page, *, number=None, code=None):
        page.goto("/status")
        if number is not None:
            page.fill("#number", number)
            page.fill("#code", code)
            page.click("form.pub-form button[type=submit]")
            page.wait_for_load_state()

    def visits(page, check, suffix=""):
        status(page)
        check(page, "/status" + suffix, allowed)
        status(page, number=case.number, code="WRONGCODE1")
        assert page.locator("#status-error").count() == 1
        check(page, "/status refused" + suffix, allowed)
        status(page, number=case.number, code=case.public_code)
        assert page.locator("#public-result [data-clock]").count() >= 1  # a party's deadline
        check(page, "/status found" + suffix, allowed)
        page.goto(f"/verify/{notice.verification_code}")
        assert notice.sha256 in page.inner_text("main")
        check(page, "/verify" + suffix, allowed)
        page.goto("/verify/NOSUCHCODE1")
        check(page, "/verify unknown" + suffix, allowed)

    page = new_page()
    visits(page, chinese_page_check)
    page.goto("/status")
    _english(page)
    visits(page, english_page_check, " (English)")
