"""A supervisor's day in a real browser (issue 11): landing on the dashboard, the 待审批 queue with
a case waiting for 作出裁决, the figures explained in one line each, a reversed period refused
beside the fields, and the XLSX downloaded and read back. Screenshots go to docs/screenshots/."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from caseflow.engine import case_fire
from caseflow.extensions import db

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shoot(page, name):
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


def _waiting_for_decision(open_case, people):
    """Through the engine: accepted, served, answered → under review, waiting for 作出裁决."""
    worker = people["caseworker"]
    now = datetime.now(UTC)
    case = open_case(worker, received_at=now - timedelta(days=20))
    steps = (
        ("accept", 19, {"handlers": ["甲", "乙", "丙"]}),
        ("serve", 18, {}),
        ("receive_answer", 6, {}),
    )
    for trigger, days_ago, data in steps:
        case_fire(
            case, trigger, worker, occurred_at=now - timedelta(days=days_ago), data=data,
            render_notices=False,
        )
        db.session.commit()  # the caller commits (a page would)
    return case


def test_supervisor_lands_on_the_queue_and_exports_the_xlsx(new_page, people, open_case):
    waiting = _waiting_for_decision(open_case, people)
    late = open_case(people["caseworker"], received_at=datetime.now(UTC) - timedelta(days=21))

    page = new_page(people["supervisor"])
    assert page.url.endswith("/dashboard")  # the supervisor's own page
    queue = page.locator("#approvals")
    assert waiting.number in queue.inner_text() and "作出裁决" in queue.inner_text()
    assert "6 天" in queue.locator(f"tr[data-case='{waiting.number}']").inner_text()
    assert late.number in page.locator("#overdue").inner_text()
    assert "仍在计时而已过到期日的计为超期" in page.locator(".kpis").inner_text()
    _shoot(page, "dashboard-approvals")

    page.click(f"#approvals tr[data-case='{waiting.number}'] a:has-text('作出裁决')")
    page.wait_for_load_state()
    assert f"/cases/{waiting.id}" in page.url

    page.goto("/dashboard")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = book["超期"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == late.number)
    assert row[6].is_date and row[7].value > 0  # the last day as a date; days overdue
    assert book["按期率"]["E2"].number_format == "0.0%"

    with page.expect_download() as info:
        page.click("#annual-report")
    report = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert report["汇总"]["B1"].value == "收案"

    page.fill("#date_from", "2026-11-30")
    page.fill("#date_to", "2026-11-01")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "止日不能早于起日" in page.locator("#date_to-error").inner_text()
    _shoot(page, "dashboard-reversed-period")


def test_each_role_lands_on_its_own_page(new_page, people):
    for role, landing, marker in (
        ("supervisor", "/dashboard", "待审批"),
        ("desk", "/desk", "投诉站"),
        ("admin", "/admin", "系统管理"),
        ("caseworker", "/inbox", "待办案件"),
    ):
        page = new_page(people[role])
        assert page.url.endswith(landing), (role, page.url)
        assert marker in page.content()
        if role == "admin":
            _shoot(page, "landing-admin")
        if role == "desk":
            _shoot(page, "landing-desk")
