"""Issue 16, part 3: under the Content-Security-Policy (no inline script) the pages that run
JavaScript still work in Chromium, and the browser reports no CSP violation."""

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.browser


def _watch(page) -> list:
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security Policy" in message.text or "Refused to" in message.text
        else None,
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    return violations


def test_dashboard_chart_and_htmx_run_under_the_policy(new_page, people, open_case):
    from caseflow.engine import case_fire
    from caseflow.extensions import db

    now = datetime.now(UTC)
    case = open_case(people["caseworker"], received_at=now - timedelta(days=20))
    case_fire(case, "accept", people["caseworker"], occurred_at=now - timedelta(days=18),
              data={"handlers": ["张三", "李四", "王五"]})
    db.session.commit()  # the caller commits (a page would)
    page = new_page(people["supervisor"])
    violations = _watch(page)
    page.goto("/dashboard")
    page.wait_for_load_state("networkidle")
    # Chart.js drew the trend (the canvas got a size and pixels) from the static file.
    assert page.evaluate("typeof Chart !== 'undefined' && Chart.getChart('trend-chart') !== undefined")
    assert violations == []


def test_fair_desk_and_applicants_scripts_run_under_the_policy(new_page, people, fair_with_exhibitors):
    page = new_page(people["desk"])
    violations = _watch(page)
    page.goto("/desk")
    page.fill("#exhibitor-q", "11.2C15")
    page.click(".pick-exhibitor")  # htmx loaded the results; fair_desk.js handles the pick
    assert "佛山光耀灯饰有限公司" in page.inner_text("#exhibitor-picked")
    assert violations == []
    admin = new_page(people["admin"])
    admin_violations = _watch(admin)
    admin.goto("/applicants")
    if admin.locator("select[data-autosubmit]").count():
        admin.select_option("select[data-autosubmit]", index=1)
        admin.wait_for_url("**/applicants?unit=*")  # forms.js submitted the form
    assert admin_violations == []


def test_admin_sees_and_revokes_a_users_tokens(new_page, people, shot):
    from caseflow.accounts.services import token_create
    from caseflow.extensions import db

    token_create(people["caseworker"])
    token_create(people["caseworker"], days=30)
    db.session.commit()
    page = new_page(people["admin"])
    violations = _watch(page)
    page.goto(f"/admin/users/{people['caseworker'].id}")
    assert page.locator("#sessions-and-tokens tbody tr").count() == 2
    shot(page, "admin-user-tokens")
    page.locator("#sessions-and-tokens button[data-token]").first.click()
    page.wait_for_load_state()
    assert "已吊销" in page.inner_text("#sessions-and-tokens")
    assert violations == []
