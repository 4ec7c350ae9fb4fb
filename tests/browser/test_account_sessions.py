"""Issue 16, ASVS 3.3.4 in Chromium: the account page lists the user's sessions one by one; one
is logged out with its own button, then all the others with one button (both POST with CSRF).

The other browsers are test clients with their own address and user agent, logged in through the
same login form against the same server and database."""

import re

import pytest

from tests.support import login_form_post

pytestmark = pytest.mark.browser

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 Safari/604.1"
HOME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def _other_browser(app, user, addr, agent):
    client = app.test_client()
    environ = {"REMOTE_ADDR": addr, "HTTP_USER_AGENT": agent}
    assert login_form_post(client, user.username, environ_base=environ).status_code == 302
    return client


def test_sessions_are_listed_and_logged_out_on_the_account_page(app, new_page, people, shot):
    worker = people["caseworker"]
    phone = _other_browser(app, worker, "172.16.0.7", PHONE)
    home = _other_browser(app, worker, "10.20.30.40", HOME)
    page = new_page(worker)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.click("text=我的账户")  # from the header of every page
    page.wait_for_url("**/account")
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == 3
    current = page.locator("#sessions tr.current")
    assert "本会话" in current.inner_text() and "Chrome" in current.inner_text()
    text = page.inner_text("#sessions")
    assert "172.16.0.7" in text and "Safari 18 · iOS" in text
    assert "10.20.30.40" in text and "Chrome 131 · Windows" in text
    shot(page, "account-sessions")

    # One session: the phone.
    page.locator("#sessions tr", has_text="172.16.0.7").locator("button", has_text="退出此会话").click()
    page.wait_for_load_state()
    assert "该会话已退出" in page.inner_text("main")
    assert rows.count() == 2 and "172.16.0.7" not in page.inner_text("#sessions")
    assert phone.get("/units/ZS").status_code == 302  # that browser is at the login page
    assert home.get("/units/ZS").status_code == 200

    # All the others: this browser stays in.
    page.click("#end-others button")
    page.wait_for_load_state()
    assert "已退出其他 1 个会话" in page.inner_text("main")
    assert rows.count() == 1 and re.search("本会话", rows.first.inner_text())
    assert page.locator("#end-others button").is_disabled()
    assert home.get("/units/ZS").status_code == 302
    page.goto("/units/ZS")
    assert "/login" not in page.url
    assert errors == []
