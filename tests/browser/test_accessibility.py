"""Accessibility on a phone and with a keyboard, in a real browser (GB/T 37668-2019, which follows
WCAG 2.0 AA): a refused public form puts its error in view with the focus on it, evidence picked
twice adds up, focus is visible on the file buttons, touch targets are at least 44 px, the language
switch after a refused POST lands on a page, and the grey badges keep 4.5:1 contrast.

Screenshots at 375 px go to test-artifacts/screenshots/a11y-*.png."""

import pytest

from caseflow.extensions import db
from tests.browser.test_no_lost_forms import axe_check
from tests.support import served_respondent_token

pytestmark = pytest.mark.browser

#: The smallest phone the audit used (an iPhone SE).
PHONE = {"width": 375, "height": 667}


@pytest.fixture(autouse=True)
def captcha_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", False)


@pytest.fixture
def respondent_link(people, open_case):
    """The respondent's own page of an adjudication case awaiting its answer."""
    worker = people["caseworker"]
    return f"/p/{served_respondent_token(open_case(worker), worker)}"


def _photo(name, size=150_000):
    return {"name": name, "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + name.encode() + b"p" * size}


def _in_view(page, selector) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= innerHeight && r.height > 0; }""",
        selector,
    )


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def _wait_for_focus(page, ids, seconds=5) -> None:
    """Until the focus is on one of ``ids`` (forms.js moves it once the page has loaded); the
    page's CSP allows no wait_for_function."""
    import time

    deadline = time.monotonic() + seconds
    while _focused(page) not in ids and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert _focused(page) in ids, _focused(page)


def _described_by(page, element_id) -> list[str]:
    return (page.get_attribute(f"#{element_id}", "aria-describedby") or "").split()


# --- 1. a refused submission or consent on the party's page ---------------------------------------


def test_a_refused_submit_on_the_party_page_shows_its_error_in_view_with_the_focus(
    new_page, respondent_link, shot
):
    page = new_page(**PHONE)
    page.goto(respondent_link)
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#submit-error")
    _wait_for_focus(page, ("f-text", "submit-error"))
    # The focus is on the field in error (whose description is the error) or on the error itself.
    focused = _focused(page)
    assert focused == "submit-error" or _described_by(page, focused) == ["err-text"]
    assert _in_view(page, f"#{focused}")
    assert _in_view(page, "#submit-error" if focused == "submit-error" else "#err-text")
    shot(page, "a11y-party-submit-refused-375")


def test_a_refused_consent_on_the_party_page_shows_its_error_in_view_with_the_focus(
    new_page, respondent_link, shot
):
    page = new_page(**PHONE)
    page.goto(respondent_link)
    page.fill("#c-email", "bad")
    page.click("#consent button[type=submit]")
    page.wait_for_selector("#consent-error")
    _wait_for_focus(page, ("c-email",))
    assert "err-email" in _described_by(page, "c-email")
    assert page.get_attribute("#c-email", "aria-invalid") == "true"
    assert _in_view(page, "#c-email") and _in_view(page, "#err-email")
    shot(page, "a11y-party-consent-refused-375")


# --- 2. field errors on the public forms and the login form ---------------------------------------


def test_a_refused_complaint_moves_the_focus_to_its_first_field_in_error(new_page, units, shot):
    page = new_page(**PHONE)
    page.goto("/complain")
    page.click("#complain-form button[type=submit]")
    page.wait_for_selector("#form-error")
    _wait_for_focus(page, ("f-unit",))
    assert page.title().startswith("错误：")
    assert _in_view(page, "#f-unit")
    # The summary's links take the focus to their field.
    page.click("#form-error a[data-focus='f-facts']")
    assert _focused(page) == "f-facts"
    shot(page, "a11y-complain-refused-375")


def test_a_refused_login_moves_the_focus_to_the_field(new_page, people):
    page = new_page()
    page.goto("/login")
    page.click("form button.primary")
    page.wait_for_selector(".field-error")
    _wait_for_focus(page, ("username",))
    assert page.get_attribute("#username", "aria-invalid") == "true"


# --- 3. evidence picked twice adds up -------------------------------------------------------------


@pytest.mark.parametrize("where", ["/complain", "party"])
def test_a_second_pick_of_evidence_keeps_the_first(new_page, units, respondent_link, where, shot):
    page = new_page(**PHONE)
    page.goto("/complain" if where == "/complain" else respondent_link)
    camera = page.locator("input[capture=environment]")
    chooser = page.locator("input[data-evidence][multiple]")
    camera.set_input_files([_photo("photo1.png")])
    camera.set_input_files([_photo("photo2.png")])
    chooser.set_input_files([_photo("scan1.png")])
    chooser.set_input_files([_photo("scan2.png"), _photo("scan3.png")])
    listed = page.inner_text("#chosen-files")
    for name in ("photo1.png", "photo2.png", "scan1.png", "scan2.png", "scan3.png"):
        assert name in listed, listed
    sent = "Array.from(document.querySelectorAll('input[data-evidence]')).flatMap(i => Array.from(i.files).map(f => f.name))"
    assert sorted(page.evaluate(sent)) == ["photo1.png", "photo2.png", "scan1.png", "scan2.png", "scan3.png"]
    shot(page, "a11y-evidence-added-up-375")
    # Each file can be taken out again; the rest stay.
    page.click("#chosen-files li:has-text('photo1.png') button")
    assert "photo1.png" not in page.inner_text("#chosen-files")
    assert sorted(page.evaluate(sent)) == ["photo2.png", "scan1.png", "scan2.png", "scan3.png"]
    # The server's limit of 10 files holds in the browser too: the 11th is named and left out.
    chooser.set_input_files([_photo(f"more{i}.png", 1000) for i in range(7)])
    assert len(page.evaluate(sent)) == 10
    assert "more6.png" in page.inner_text("#chosen-files li.bad")


def test_evidence_picked_twice_is_filed_with_the_complaint(new_page, units):
    from sqlalchemy import select

    from caseflow.cases.evidence import Evidence

    page = new_page(**PHONE)
    page.goto("/complain")
    page.select_option("#f-unit", "ZS")
    page.fill("#f-complainant-name", "Lumen GmbH")
    page.fill("#f-complainant-contact", "+49 30 1234567")
    page.fill("#f-facts", "被投诉人在网店销售与我方外观设计专利相同的灯具，见照片。")
    camera = page.locator("input[capture=environment]")
    camera.set_input_files([_photo("photo1.png")])
    camera.set_input_files([_photo("photo2.png")])
    page.click("#complain-form button[type=submit]")
    page.wait_for_selector("#filed")
    db.session.expire_all()
    assert sorted(e.filename for e in db.session.scalars(select(Evidence))) == ["photo1.png", "photo2.png"]


# --- 4. keyboard focus on the file buttons --------------------------------------------------------


def test_keyboard_focus_is_visible_on_the_file_buttons(new_page, units):
    page = new_page(**PHONE)
    page.goto("/complain")
    page.focus("#f-facts")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('input[capture]')")
    outline = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement.closest('label.filebtn'));
                   return [s.outlineStyle, s.outlineWidth]; }"""
    )
    assert outline == ["solid", "3px"]


# --- 5. the language switch after a refused POST --------------------------------------------------


def test_the_language_switch_after_a_refused_party_form_lands_on_the_party_page(
    new_page, respondent_link
):
    page = new_page(**PHONE)
    page.goto(respondent_link)
    page.fill("#c-email", "bad")
    page.click("#consent button[type=submit]")
    page.wait_for_selector("#consent-error")
    with page.expect_navigation() as navigation:
        page.click(".session button:has-text('English')")
    assert navigation.value.status == 200
    assert page.url.split("#")[0].endswith(respondent_link)
    assert "Your case page" in page.inner_text("h1")


def test_the_language_switch_after_a_refused_admin_form_lands_on_the_admin_page(new_page, people):
    page = new_page(people["admin"])
    page.goto("/admin?tab=users")
    page.locator("form[action$='/admin/users'] button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/users")
    with page.expect_navigation() as navigation:
        page.click(".session button:has-text('English')")
    assert navigation.value.status == 200
    assert "/admin" in page.url and not page.url.endswith("/admin/users")


# --- 6. contrast of the grey badges ----------------------------------------------------------------


def test_the_grey_badges_have_enough_contrast(new_page, people):
    page = new_page(people["caseworker"], bypass_csp=True)
    page.goto("/inbox")
    page.evaluate(
        """() => { const p = document.createElement('p');
                   p.innerHTML = '<span class="badge badge-cancelled">已取消</span> <span class="badge badge-none">无</span>';
                   document.querySelector('main').appendChild(p); }"""
    )
    axe_check(page, "grey badges")


# --- 7. touch targets on the public phone pages ----------------------------------------------------


def _too_small(page, selector) -> list:
    return page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel))
              .map(e => [e.innerText || e.name || e.id, Math.round(e.getBoundingClientRect().height)])
              .filter(([_n, h]) => h < 44)""",
        selector,
    )


def test_touch_targets_on_the_public_phone_pages_are_at_least_44px(
    new_page, respondent_link, credit_world, shot
):
    from caseflow.notices.models import Notice  # noqa: F401 (the served case has its notices)

    page = new_page(**PHONE)
    page.goto(respondent_link)
    assert _too_small(page, "label.filebtn") == []
    assert _too_small(page, "#party-notices .pub-list a") == []
    assert _too_small(page, "header .session button.link") == []
    page.goto("/complain")
    assert _too_small(page, "label.filebtn, p.pub-center a, header .session button.link") == []
    shot(page, "a11y-complain-375")
    page.goto("/credit")
    assert _too_small(page, ".credit-search input, .credit-search button") == []
    page.goto("/login")
    assert _too_small(page, "button.primary, header .session button.link") == []


# --- 16. the inbox's claim button at 768 px --------------------------------------------------------


def test_the_claim_button_reads_on_one_line_on_a_tablet(new_page, people, open_case):
    worker = people["caseworker"]
    for _ in range(2):
        open_case(worker)
    page = new_page(people["supervisor"], width=768, height=1024)
    page.goto("/inbox")
    lines = page.evaluate(
        """() => Array.from(document.querySelectorAll('table .btn')).map(b => {
              const r = document.createRange(); r.selectNodeContents(b);
              return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; })"""
    )
    assert lines and max(lines) == 1, lines


def test_the_staff_pages_fit_a_tablet_in_english(new_page, people, open_case):
    """English words are longer than Chinese ones: at 768 px the inbox's Claim buttons, the
    dashboard's approvals and the admin's menu stay on the screen (no sideways scrolling)."""
    worker = people["caseworker"]
    for workflow in ("adjudication", "penalty"):
        open_case(worker, workflow=workflow)
    for user, paths in (
        ("caseworker", ("/inbox",)),
        ("supervisor", ("/inbox", "/dashboard")),
        ("admin", ("/alerts/", "/admin/users", "/admin/units/ZS")),
    ):
        page = new_page(people[user], width=768, height=1024)
        page.click(".session button:has-text('English')")
        page.wait_for_load_state()
        for path in paths:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == "en"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 768, (user, path, width)


# --- axe-core on the pages the audit concerned, as they are after a refusal too ----------------------


def test_axe_finds_no_serious_violation_on_the_public_pages_on_a_phone(
    new_page, people, respondent_link, shot
):
    page = new_page(bypass_csp=True, **PHONE)  # the auditor's script may run despite the CSP
    for path in ("/complain", respondent_link, "/p/no-such-link-at-all-000000", "/verify/ZZZZZZZZZZ", "/credit"):
        page.goto(path)
        axe_check(page, path)
        if path.startswith("/p/no-such"):
            shot(page, "a11y-party-link-invalid-375")
    page.goto("/complain")
    page.click("#complain-form button[type=submit]")
    page.wait_for_selector("#form-error")
    axe_check(page, "refused /complain")
    page.goto(respondent_link)
    page.fill("#c-email", "bad")
    page.click("#consent button[type=submit]")
    page.wait_for_selector("#consent-error")
    axe_check(page, "refused consent")
    page.goto("/login")
    page.click("form button.primary")
    page.wait_for_selector(".field-error")
    axe_check(page, "refused /login")
    admin = new_page(people["admin"], bypass_csp=True)
    for path in ("/alerts/outbox", f"/admin/users/{people['admin'].id}", "/account"):
        admin.goto(path)
        axe_check(admin, path)
