"""Browser tests: the app served on 127.0.0.1 by werkzeug in a thread, against the test database,
driven by Debian's Chromium through Playwright (one browser for the whole session).

Screenshots of each main page go to ``test-artifacts/screenshots/``.
"""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support import login_form_post
from tests.web.conftest import fair_complaint, fair_with_exhibitors, open_case, people  # noqa: F401 (fixtures)
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
def new_page(app, browser, live_server):
    """``new_page(user=None, width=1280)``: a fresh browser context (own cookies), logged in as
    ``user`` when given, on the user's landing page.

    The login is the real form, posted with its CSRF token by the test client under the browser's
    own User-Agent; the browser is handed the session cookie it would have got. Typing the form in
    Chromium costs a second a test and is tested once, by the tests of the login page itself.
    """
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
            user_agent = page.evaluate("navigator.userAgent")
            context.add_cookies(
                [
                    {"name": name, "value": value, "url": live_server}
                    for name, value in _logged_in_cookies(app, user, user_agent).items()
                ]
            )
            page.goto("/")
            assert "/login" not in page.url, page.content()
        return page

    yield factory
    for context in contexts:
        context.close()


def _logged_in_cookies(app, user, user_agent) -> dict[str, str]:
    client = app.test_client()
    response = login_form_post(client, user.username, headers={"User-Agent": user_agent})
    assert response.status_code == 302 and "/login" not in response.location, response.text
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return {cookie.key: cookie.value}


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
