"""Browser tests: the app served on 127.0.0.1 by werkzeug in a thread, against the test database,
driven by Debian's Chromium through Playwright (one browser for the whole session).

Screenshots of each main page go to ``test-artifacts/screenshots/``.
"""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support import PASSWORD
from tests.web.conftest import fair_with_exhibitors, open_case, people  # noqa: F401 (fixtures)
from tests.web.test_credit import credit_world  # noqa: F401 (the credit pages' fixture)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # date inputs as a caseworker's browser shows them
]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(user=None, width=1280)``: a fresh browser context (own cookies), logged in as
    ``user`` through the login form when given."""
    contexts = []

    def factory(user=None, width=1280, height=900, bypass_csp=False):
        context = browser.new_context(
            base_url=live_server,
            # Only the axe audit injects a script of its own; every other test runs under the
            # app's Content-Security-Policy as a person's browser does.
            bypass_csp=bypass_csp,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            page.goto("/login")
            page.fill("#username", user.username)
            page.fill("#password", PASSWORD)
            page.click(".login-card button[type=submit]")
            page.wait_for_load_state()
            assert "/login" not in page.url, page.content()
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
