"""The credit register in a real browser (credit.md): a supervisor publishes a pending record and
approves a repair from the queue; a caseworker filters the register and opens a subject's history;
the public list on a phone at 390 px, in Chinese and English; a new case against a subject already
on the register shows repeat_of at the top of its page. Screenshots as credit-*.png."""

import pytest
import time_machine

from tests.web.test_credit import CODE, OTHER_CODE

pytestmark = pytest.mark.browser


@pytest.fixture
def pinned():
    """2026-12-01 10:00 Shanghai, ticking: the records' dates stay meaningful on any test day."""
    from tests.web.test_credit import NOW

    with time_machine.travel(NOW, tick=True):
        yield


def test_supervisor_publishes_and_repairs(new_page, people, credit_world, pinned, shot):
    page = new_page(people["supervisor"])
    page.click("nav.mainnav >> text=信用记录")
    page.wait_for_load_state()
    assert page.locator("#credit-records tr[data-record]").count() == 3
    page.click("text=公示与信用修复")
    page.wait_for_load_state()
    pending = credit_world["pending"]
    assert page.locator(f"#credit-pending tr[data-record='{pending.id}']").count() == 1
    shot(page, "credit-repairs")
    page.click(f"#credit-pending tr[data-record='{pending.id}'] button[data-action=publish]")
    page.wait_for_load_state()
    assert "已公示" in page.inner_text(".flash")
    published = credit_world["published"]
    row = page.locator(f"#credit-repair-queue tr[data-record='{published.id}']")
    row.locator("input[name=reason]").fill("已缴清罚款并完成整改")
    row.locator("button[data-action=repair]").click()
    page.wait_for_load_state()
    assert "已信用修复" in page.inner_text(".flash")


def test_caseworker_filters_the_register_and_opens_a_subject(
    new_page, people, credit_world, pinned, shot
):
    page = new_page(people["caseworker"])
    page.goto("/credit/register")
    page.select_option("select[name=status]", "pending_publication")
    page.click("#credit-filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#credit-records tr[data-record]").count() == 2
    page.goto("/credit/register")
    shot(page, "credit-register")
    page.click("#credit-records >> text=古镇星光灯饰有限公司")
    page.wait_for_load_state()
    history = page.inner_text("#subject-history")
    assert "信用代码匹配" in history and "名称匹配（较弱）" in history
    shot(page, "credit-subject")


def test_public_list_on_a_phone_in_both_languages(new_page, credit_world, pinned, shot):
    page = new_page(width=390, height=844)
    page.goto("/credit")
    cards = page.locator("#credit-list li[data-record]")
    assert cards.count() == 1 and CODE in cards.first.inner_text()
    assert OTHER_CODE not in page.content()
    # Laid out for the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "credit-public")
    page.click(".session button:has-text('English')")
    page.wait_for_load_state()
    assert "Credit information" in page.inner_text("h1")
    assert "Refusal to perform" in page.inner_text("#credit-list")
    shot(page, "credit-public-en")


def test_repeat_of_at_the_top_of_a_new_case(
    new_page, people, open_case, credit_world, pinned, shot
):
    again = open_case(
        people["caseworker"],
        respondent={"name": "古镇星光灯饰", "kind": "company", "code": CODE},
    )
    page = new_page(people["caseworker"])
    page.goto(f"/cases/{again.id}")
    banner = page.inner_text("#repeat-of")
    assert credit_world["case"].number in banner and "ZS" in banner
    shot(page, "case-repeat-of")
    page.goto("/inbox")
    assert "曾被认定侵权" in page.inner_text(f"tr[data-case='{again.number}']")


def _shoot_docs(page, name):
    """A screenshot for the documentation: docs/screenshots/NAME.png."""
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    docs.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(docs / f"{name}.png"), full_page=True)


def test_queue_lists_credit_records_and_a_record_is_revoked_and_withdrawn(
    new_page, people, credit_world, pinned
):
    """The supervisor lands on the dashboard: the 待审批 list shows the two records to publish
    beside the cases. The published record's page: its decision recorded as revoked (a reason,
    then a confirmation), the record then waits in the queue to be withdrawn, and is withdrawn
    the same way; it leaves the public list."""
    page = new_page(people["supervisor"])
    assert page.url.endswith("/dashboard")
    queue = page.locator("#approvals")
    pending, by_name = credit_world["pending"], credit_world["by_name"]
    for record in (pending, by_name):
        row = queue.locator(f"tr[data-credit='{record.id}'][data-action=publish]")
        assert "公示" in row.inner_text() and record.subject_name in row.inner_text()
    assert "2026年12月18日" in queue.locator(f"tr[data-credit='{pending.id}']").inner_text()
    queue.scroll_into_view_if_needed()
    _shoot_docs(page, "dashboard-approvals-credit")

    published = credit_world["published"]
    page.goto(f"/credit/{published.id}")
    assert "公示中" in page.inner_text("#record-status")
    # No reason: refused beside the field, nothing written.
    page.click("#end-revoke button[data-action=revoke]")
    page.wait_for_load_state()
    assert "此项为必填项" in page.inner_text("#end-revoke")
    page.fill("#revoke-reason", "广东省知识产权局复议决定撤销原决定（粤知复〔2026〕12号）")
    page.click("#end-revoke button[data-action=revoke]")
    page.wait_for_load_state()
    confirm = page.locator("#confirm-revoke")
    assert "登记后须在三个工作日内撤下该记录" in confirm.inner_text()
    _shoot_docs(page, "credit-record-confirm")
    confirm.locator("button[data-confirm=revoke]").click()
    page.wait_for_load_state()
    assert "已登记决定撤销" in page.inner_text(".flash")
    assert "决定已撤销，待撤下" in page.inner_text("#record-status")
    assert page.locator(f"#record-clocks tr[data-clock='credit_withdrawal.{published.id}']").count() == 1

    page.goto("/dashboard")
    row = page.locator(f"#approvals tr[data-credit='{published.id}'][data-action=withdraw]")
    assert "撤下" in row.inner_text()
    row.locator("a:has-text('撤下')").click()
    page.wait_for_load_state()
    assert f"/credit/{published.id}" in page.url
    page.fill("#withdraw-reason", "来源决定已被撤销，依法撤下")
    page.click("#end-withdraw button[data-action=withdraw]")
    page.wait_for_load_state()
    page.click("#confirm-withdraw button[data-confirm=withdraw]")
    page.wait_for_load_state()
    assert "已撤下该信用记录" in page.inner_text(".flash")
    assert "已撤下" in page.inner_text("#record-status")
    timeline = page.inner_text("#record-timeline")
    assert "登记决定撤销" in timeline and "来源决定已被撤销，依法撤下" in timeline
    _shoot_docs(page, "credit-record")
    page.goto("/credit")
    assert published.subject_name not in page.inner_text("main")
