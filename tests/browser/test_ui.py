"""The main journeys in a real browser: each role's start page, an adjudication case from filing to
decision, a fair complaint at the desk on a tablet, a supervisor's overdue list and extension, a
Chinese form error, and the 404 for another unit's case."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from caseflow.cases.models import Case, Event
from caseflow.extensions import db
from caseflow.timeutil import iso
from tests.support import PASSWORD

pytestmark = pytest.mark.browser


def confirm(page, trigger):
    """Tick the box a step that cannot be taken back asks for on the case page (if it has one)."""
    box = page.locator(f"#{trigger}-confirmed")
    if box.count():
        box.check()


def _fire(page, trigger, **fields):
    """Open the trigger's form on the case page, fill it, confirm a step that cannot be taken
    back, and submit."""
    page.click(f"#trigger-{trigger} > summary")
    for name, value in fields.items():
        page.fill(f"#{trigger}-{name}", value)
    confirm(page, trigger)
    page.click(f"form[data-trigger={trigger}] button[type=submit]")
    page.wait_for_load_state()


def test_each_role_logs_in_to_its_start_page(new_page, people, shot, live_server):
    anonymous = new_page()
    anonymous.goto("/login")
    shot(anonymous, "login")
    anonymous.goto("/status")
    assert "案件进度查询" in anonymous.inner_text("h1")
    shot(anonymous, "public-status")

    for role, path, marker in (
        ("caseworker", "/inbox", "待办案件"),
        ("viewer", "/inbox", "待办案件"),
        ("desk", "/desk", "投诉站"),
        ("supervisor", "/dashboard", "督办看板"),
        ("admin", "/admin", "系统管理"),
    ):
        if role == "caseworker":  # one types the login form in the browser, as a person does
            page = new_page()
            page.goto("/login")
            page.fill("#username", people[role].username)
            page.fill("#password", PASSWORD)
            page.click(".login-card button[type=submit]")
            page.wait_for_load_state()
        else:
            page = new_page(people[role])
        assert page.url.endswith(path), (role, page.url)  # each role lands on its own page
        assert marker in page.content()
        if role == "caseworker":  # English is one click away, and stays for the session
            page.click(".session button:has-text('English')")
            page.wait_for_load_state()
            assert "Inbox" in page.inner_text("h1")
            shot(page, "inbox-en")
        if role == "admin":
            shot(page, "admin-users")
            page.goto("/admin?tab=calendar")
            assert "暂定" in page.content()
            shot(page, "admin-calendar")


def test_caseworker_takes_an_adjudication_case_to_decision(new_page, people, open_case, shot):
    worker, chief = people["caseworker"], people["supervisor"]
    earlier = open_case(worker, complainant={"name": "古镇灯饰协会", "kind": "company"})
    page = new_page(worker)
    # Filed at the window through the new-case form.
    page.goto("/inbox")
    page.click("#case-new-link")
    page.select_option("#workflow", "adjudication")
    page.select_option("#channel", "walk_in")
    page.fill("#title", "LED 吸顶灯外观设计专利侵权纠纷")
    page.fill("#complainant_name", "中山市明辉照明有限公司")
    page.fill("#complainant_contact", "0760-2222 8888")
    page.fill("#respondent_name", "古镇星光灯饰厂")
    page.fill("#right_number", "ZL202530123456.7")
    page.select_option("#patent_type", "design")
    shot(page, "case-new")
    page.click("#case-new button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "已申请"
    number = page.inner_text("#case-number")
    case = db.session.scalar(select(Case).where(Case.number == number))
    page.goto("/inbox")
    assert number in page.inner_text("#inbox") and earlier.number in page.inner_text("#inbox")
    shot(page, "inbox")

    page.click(f"text={number}")
    assert page.inner_text("#case-state") == "已申请"
    # Two handlers: the engine's rule (three or more, odd) comes back in Chinese beside the field.
    _fire(page, "accept", handlers="张三\n李四")
    assert "合议组应由三名以上单数承办人组成" in page.inner_text("#accept-handlers-error")
    shot(page, "case-form-error")
    page.fill("#accept-handlers", "张三\n李四\n王五")
    confirm(page, "accept")
    page.click("form[data-trigger=accept] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "已立案"
    assert "年" in page.inner_text("#clocks") and "工作日" in page.inner_text("#clocks")
    _fire(page, "serve", note="被请求人当面签收")
    assert page.inner_text("#case-state") == "待答辩"
    _fire(page, "receive_answer")
    assert page.inner_text("#case-state") == "审理中"
    assert 'data-trigger="decide"' not in page.content()  # the decision is the supervisor's
    # The caseworker drafts the decision on the case; the supervisor issues it from the draft.
    page.click("#draft-decision summary")
    page.fill("#draft-decision-findings", "被请求人销售的吸顶灯与涉案外观设计相近似。")
    page.fill("#draft-decision-reasoning", "被请求人未经许可销售侵权产品，构成侵权。")
    page.fill("#draft-decision-items", "被请求人立即停止销售侵权产品")
    page.click("form[data-draft=decision] button[type=submit]")
    page.wait_for_load_state()

    chief_page = new_page(chief)
    chief_page.goto(f"/cases/{case.id}")
    page_select = "#decide-outcome"
    chief_page.click("#trigger-decide > summary")
    chief_page.select_option(page_select, "infringing")
    confirm(chief_page, "decide")
    chief_page.click("form[data-trigger=decide] button[type=submit]")
    chief_page.wait_for_load_state()
    assert chief_page.inner_text("#case-state") == "已裁决"

    page.goto(f"/cases/{case.id}")
    assert "行政裁决书" in page.inner_text("#notices")
    shot(page, "case")
    with page.expect_download() as download:
        page.click("#notices a:has-text('行政裁决书')")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")


def test_withdrawing_a_request_on_the_case_page_asks_for_confirmation_first(
    new_page, people, open_case, shot
):
    """撤回请求 ends the case and issues a notice: the first press only shows that it needs the
    box ticked; nothing is withdrawn until it is."""
    from caseflow.notices.models import Notice

    worker = people["caseworker"]
    case = open_case(worker)
    page = new_page(worker)
    page.goto(f"/cases/{case.id}")
    page.click("#trigger-withdraw > summary")
    panel = page.locator("#trigger-withdraw .confirm-panel")
    assert "此操作不能撤回：案件即告办结，所有时限停止，文书将立即出具。" in panel.inner_text()
    page.fill("#withdraw-reason", "请求人申请撤回")
    page.click("form[data-trigger=withdraw] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "已申请"
    assert page.inner_text("#withdraw-confirmed-error") == "请勾选后再提交"
    assert page.input_value("#withdraw-reason") == "请求人申请撤回"
    shot(page, "case-confirm-step")
    db.session.expire_all()
    assert db.session.scalar(select(Notice).where(Notice.case_id == case.id)) is None
    # The service panel's e-mail and phone fields are styled as every other text field.
    for kind in ("email", "tel"):
        style = page.eval_on_selector(
            f"#service input[type={kind}]", "e => getComputedStyle(e).borderTopLeftRadius"
        )
        assert style == "4px", (kind, style)
    page.check("#withdraw-confirmed")
    page.click("form[data-trigger=withdraw] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "已撤回"
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "withdrawn"


def test_desk_officer_lodges_a_complaint_on_a_tablet_and_orders_withdrawal(
    new_page, people, fair_with_exhibitors, shot
):
    page = new_page(people["desk"], width=768, height=1024)
    page.goto("/desk")
    page.fill("#exhibitor-q", "11.2C15")
    page.click(".pick-exhibitor")
    assert "佛山光耀灯饰有限公司" in page.inner_text("#exhibitor-picked")
    page.fill("#complainant_name", "OSRAM GmbH")
    page.fill("#complainant_contact", "+49 89 6213 0")
    page.fill("#complainant_country", "DE")
    page.fill("#right_number", "ZL202330654321.0")
    page.select_option("#patent_type", "design")
    page.set_input_files(
        "#photos",
        files=[
            {"name": "booth.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 photo"}
        ],
    )
    shot(page, "desk-lodge")
    page.click("#lodge-form button[type=submit]")
    page.wait_for_load_state()
    card = page.locator(".board-card").first
    assert "优先" in card.inner_text()  # a foreign rights holder goes first
    assert "小时" in card.inner_text()  # hour countdowns on the board
    for trigger in ("accept", "notify_respondent"):
        page.locator(f".board-card button[data-trigger={trigger}]").first.click()
        page.wait_for_load_state()
    # An irreversible order: the first tap asks what must be withdrawn, the second confirms.
    page.locator(".board-card button[data-trigger=order_withdrawal]").first.click()
    page.locator("form[data-confirm-form=order_withdrawal] textarea").first.fill("LED 吸顶灯 A-100 型样品及宣传册")
    page.locator("button[data-confirm=order_withdrawal]").first.click()
    page.wait_for_load_state()
    card = page.locator(".board-card").first
    assert "责令撤展" in card.inner_text()
    # The order to the exhibitor, and the complainant's copy beside it (展会办法 art 14).
    assert card.locator("a:has-text('撤展通知书（致投诉人）')").count() == 1
    link = card.locator("a:has-text('撤展通知书（致展商）')")
    href = link.get_attribute("href")
    assert href.endswith(".pdf")
    assert page.request.get(href).body().startswith(b"%PDF")  # ready to print
    shot(page, "desk-board")


def test_supervisor_sees_an_overdue_case_and_approves_an_extension(
    app, new_page, people, open_case, shot
):
    from caseflow.engine import case_fire

    now = datetime.now(UTC)
    # Late on the unit's one-month target; the 3-month period still runs, so it can be extended
    # (an extension is granted before the period ends: deadlines.md §3).
    case = open_case(people["caseworker"], received_at=now - timedelta(days=42))
    case_fire(
        case,
        "accept",
        people["caseworker"],
        occurred_at=now - timedelta(days=40),
        data={"handlers": ["张三", "李四", "王五"]},
    )
    db.session.commit()  # the caller commits (a page would)
    # Time simulated through the CLI: the sweep raises the overdue alerts as of now.
    result = app.test_cli_runner().invoke(args=["sla", "sweep", "--now", iso(now)])
    assert result.exit_code == 0, result.output
    assert f"{case.number} closing_target overdue" in result.output

    page = new_page(people["supervisor"])
    page.goto("/dashboard")
    row = page.locator(f"#overdue tr[data-case='{case.number}']").first
    assert "超期" in page.inner_text("#overdue")
    shot(page, "dashboard")
    row.locator("button[data-approve=extend]").click()  # the form loads into the row (htmx)
    row.locator("#extend-reason").fill("案情复杂，需延长审理期限")
    row.locator("form[data-trigger=extend] button[type=submit]").click()
    page.wait_for_load_state()
    assert "已完成：延长审理期限" in page.content()
    db.session.expire_all()
    assert db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.trigger == "extend")
    )
    page.goto("/alerts/")
    assert case.number in page.content()
    shot(page, "alerts")


def test_another_units_case_is_a_404_page(new_page, people, open_case, shot):
    pd_case = open_case(people["pd_worker"], unit="PD")
    page = new_page(people["caseworker"])
    response = page.goto(f"/cases/{pd_case.id}")
    # Issue 16: exactly what a missing case answers, so case ids of other units cannot be probed.
    assert response.status == 404
    assert "不存在" in page.content()
    shot(page, "forbidden")
    assert db.session.get(Case, pd_case.id).state == "filed"


def test_new_pages_fair_import_pre_exam_refusal_and_unit_profile(new_page, people, units, shot):
    """A desk officer registers a fair typing its dates and loads a list with a bad row; a
    caseworker's pre-exam request is refused beside the field; an admin's bad period too."""
    from caseflow.applicants.creditcode import credit_code_check_char
    from caseflow.applicants.services import applicant_approve, applicant_register

    desk = new_page(people["desk"])
    desk.goto("/fairs")
    desk.fill("#fair-name", "第140届中国进出口商品交易会（第一期）")
    desk.fill("#fair-venue", "广州 琶洲展馆")
    desk.fill("#fair-opens_at", "2026-10-15 09:00")
    desk.fill("#fair-closes_at", "2026-10-19 18:00")
    desk.click("#fair-new button[type=submit]")
    desk.wait_for_load_state()
    assert "请导入参展商名单" in desk.content()
    desk.set_input_files(
        "#import-file",
        files=[
            {
                "name": "exhibitors.csv",
                "mimeType": "text/csv",
                "buffer": "名称,展位号,国家或地区\n佛山光耀灯饰有限公司,11.2C15,中国\n,11.2C16,CN\n".encode(),
            }
        ],
    )
    desk.click("#exhibitor-import button[type=submit]")
    desk.wait_for_load_state()
    assert "名称不能为空" in desk.inner_text("#row-errors")
    shot(desk, "fair-import-error")

    code = "91442000MA4UJ8AB1"
    applicant = applicant_register(
        unit=units["ZS"],
        actor=people["supervisor"],
        name="中山市明辉照明有限公司",
        credit_code=code + credit_code_check_char(code),
    )
    applicant_approve(applicant, actor=people["supervisor"])
    db.session.commit()  # the services flush; the browser's requests read committed rows
    worker = new_page(people["caseworker"])
    worker.goto("/applicants")
    shot(worker, "applicants")
    worker.goto("/cases/new?workflow=pre_exam")
    assert worker.get_attribute("#received_at", "placeholder") == "年-月-日 时:分"  # the format, no stale date
    worker.select_option("#applicant_id", str(applicant.id))
    worker.fill("#title", "LED 筒灯发明专利快速预审")
    worker.select_option("#patent_type", "invention")
    worker.fill("#classification", "A61K 31/00")
    worker.click("#case-new button[type=submit]")
    worker.wait_for_load_state()
    assert "不在本中心发明预审领域内" in worker.inner_text("#classification-error")
    shot(worker, "case-new-pre-exam-refused")

    admin = new_page(people["admin"])
    admin.goto("/admin/units/ZS")
    admin.fill("#clock__review__design", "two workdays")
    admin.click("#unit-profile button[type=submit]")
    admin.wait_for_load_state()
    assert "期限格式不正确" in admin.inner_text("#clock__review__design-error")
    shot(admin, "admin-unit")
