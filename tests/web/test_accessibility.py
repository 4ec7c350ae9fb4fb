"""The pages' markup for assistive technology (GB/T 37668-2019 ≈ WCAG 2.0 AA): errors tied to
their fields, tables with headers, named landmarks, a text alternative for the trend chart, the
language of the language switch, and a public error page for a party's bad link.

(tests/browser/test_accessibility.py drives the same pages in Chromium: focus, touch, contrast.)"""

import re

import pytest

from caseflow.engine import case_fire
from caseflow.extensions import db
from tests.support import csrf_from, served_respondent_token


@pytest.fixture(autouse=True)
def captcha_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", False)


def _tag(html: str, element_id: str) -> str:
    """The opening tag of the element with ``element_id``."""
    match = re.search(rf'<[a-z]+\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no #{element_id} on the page"
    return match.group(0)


def _attr(tag: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def _described(html: str, element_id: str) -> list[str]:
    """What the field's aria-describedby points to; each id must be on the page."""
    ids = (_attr(_tag(html, element_id), "aria-describedby") or "").split()
    for described in ids:
        _tag(html, described)
    return ids


def _served_respondent(people, open_case) -> str:
    worker = people["caseworker"]
    return served_respondent_token(open_case(worker), worker)


# --- 2. field errors tied to their fields ----------------------------------------------------------


def test_a_refused_complaint_ties_each_error_to_its_field(client, units):
    form = client.get("/complain").text
    # The hints are read with their fields before anything goes wrong.
    assert "hint-files" in _described(form, "f-files")
    page = client.post(
        "/complain",
        data={"csrf_token": csrf_from(form), "unit": "", "complainant.name": "", "facts": "",
              "consent.consent": "1", "consent.email": "bad"},
    )
    assert page.status_code == 422
    html = page.text
    for field, error in (
        ("f-unit", "err-unit"),
        ("f-complainant-name", "err-complainant-name"),
        ("f-facts", "err-facts"),
        ("f-consent-email", "err-consent-email"),
    ):
        assert _attr(_tag(html, field), "aria-invalid") == "true", field
        assert error in _described(html, field), field
    assert "err-" not in " ".join(_described(html, "f-respondent-name"))
    # Every error has an id; the summary links each field and takes the focus (forms.js).
    assert not re.search(r'<span class="err"(?![^>]*\bid=)', html)
    summary = _tag(html, "form-error")
    assert "data-error-summary" in summary and _attr(summary, "tabindex") == "-1"
    assert 'data-focus="f-unit"' in html and 'data-focus="f-facts"' in html
    assert re.search(r"<title>错误：网上投诉举报", html)


def test_the_captcha_error_is_tied_to_its_field(client, units, app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    form = client.get("/complain").text
    html = client.post(
        "/complain", data={"csrf_token": csrf_from(form), "captcha_answer": "x"}
    ).text
    assert "err-captcha" in _described(html, "f-captcha")


def test_a_refused_party_form_ties_its_errors_to_its_fields(client, people, open_case):
    token = _served_respondent(people, open_case)
    page = client.get(f"/p/{token}").text
    csrf = csrf_from(page)
    # The forms come back at their own section, not at the top of the page.
    assert f'action="/p/{token}/submit#party-submit"' in page
    assert f'action="/p/{token}/consent#consent"' in page
    html = client.post(f"/p/{token}/submit", data={"csrf_token": csrf, "text": ""}).text
    assert _attr(_tag(html, "f-text"), "aria-invalid") == "true"
    assert "err-text" in _described(html, "f-text")
    assert "data-error-summary" in _tag(html, "submit-error")
    html = client.post(
        f"/p/{token}/consent", data={"csrf_token": csrf, "email": "bad", "consent": "1"}
    ).text
    assert _attr(_tag(html, "c-email"), "aria-invalid") == "true"
    assert "err-email" in _described(html, "c-email")
    assert "data-error-summary" in _tag(html, "consent-error")
    assert 'data-focus="c-email"' in html


def test_a_wrong_status_code_is_tied_to_the_code_field(client, units):
    form = client.get("/status").text
    assert "hint-code" in _described(form, "code")
    html = client.post(
        "/status", data={"csrf_token": csrf_from(form), "number": "ZS-ADJ-2026-00001", "code": "WRONG12345"}
    ).text
    assert _attr(_tag(html, "code"), "aria-invalid") == "true"
    assert "status-error" in _described(html, "code")
    assert "data-error-summary" in _tag(html, "status-error")
    assert re.search(r"<title>错误：", html)


def test_a_refused_login_ties_its_errors_to_its_fields(client, people):
    form = client.get("/login").text
    html = client.post("/login", data={"csrf_token": csrf_from(form)}).text
    assert _attr(_tag(html, "username"), "aria-invalid") == "true"
    assert "username-error" in _described(html, "username")
    assert "data-error-summary" in html and 'data-focus="username"' in html
    assert re.search(r"<title>错误：登录", html)


# --- 5. the language switch after a refused POST goes back to a page -------------------------------


def test_the_language_switch_on_a_refused_post_returns_to_the_get_page(client, people, open_case):
    token = _served_respondent(people, open_case)
    csrf = csrf_from(client.get(f"/p/{token}").text)
    html = client.post(
        f"/p/{token}/consent", data={"csrf_token": csrf, "email": "bad", "consent": "1"},
        headers={"Referer": f"http://localhost/p/{token}"},
    ).text
    assert re.search(rf'name="next" value="/p/{token}\??"', html)
    # Without a referrer, the page the form lives on.
    html = client.post(f"/p/{token}/submit", data={"csrf_token": csrf, "text": ""}).text
    assert re.search(rf'name="next" value="/p/{token}\??"', html)
    # A page served on GET and POST returns to itself.
    html = client.post("/complain", data={"csrf_token": csrf}).text
    assert re.search(r'name="next" value="/complain\??"', html)


# --- 8. the trend chart's text alternative --------------------------------------------------------


def test_the_trend_chart_has_a_text_alternative_and_a_table(client, people, login):
    login(people["supervisor"])
    html = client.get("/dashboard").text
    chart = _tag(html, "trend-chart")
    assert _attr(chart, "role") == "img" and _attr(chart, "aria-label")
    table = re.search(r'<details[^>]*id="trend-table".*?</details>', html, re.S)
    assert table, "no table of the weekly numbers"
    assert all(word in table.group(0) for word in ("<th", "新收", "结案", "超期"))


# --- 9. the case page's progress bar --------------------------------------------------------------


def test_the_progress_bar_says_which_steps_are_done(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    case_fire(case, "accept", worker, data={"handlers": ["甲", "乙", "丙"]})
    db.session.commit()
    login(worker)
    html = client.get(f"/cases/{case.id}").text
    done = re.findall(r'<li class="done[^"]*"[^>]*>(.*?)</li>', html, re.S)
    assert done and all("已完成" in item for item in done), done


# --- 10. tables have headers ----------------------------------------------------------------------

EMPTY_TH = re.compile(r"<th\b[^>]*>\s*</th>")


def test_no_table_has_an_empty_header(client, people, open_case, login, make_token):
    open_case(people["caseworker"])
    admin = people["admin"]
    make_token(admin)
    login(admin)
    pages = ["/inbox", "/account", "/applicants", "/admin?tab=calendar", f"/admin/users/{admin.id}", "/alerts/outbox"]
    for path in pages:
        html = client.get(path).text
        assert not EMPTY_TH.search(html), (path, EMPTY_TH.search(html).group(0))


def test_the_median_days_table_has_headers(client, people, login):
    login(people["supervisor"])
    html = client.get("/dashboard").text
    section = re.search(r'<section class="panel" id="on-time">.*?</section>', html, re.S).group(0)
    assert section.count("<table") == section.count("<thead>") == 2


# --- 11. the inbox's saved filters ----------------------------------------------------------------


def test_the_saved_filter_name_has_a_label_and_delete_names_its_filter(client, people, login):
    login(people["caseworker"])
    csrf = csrf_from(client.get("/inbox").text)
    client.post("/inbox/filters", data={"csrf_token": csrf, "name": "我的超期", "query": "badge=overdue"})
    html = client.get("/inbox").text
    name = re.search(r'<form[^>]*id="save-filter".*?</form>', html, re.S).group(0)
    field_id = _attr(re.search(r'<input[^>]*name="name"[^>]*>', name).group(0), "id")
    assert field_id and re.search(rf'<label[^>]*for="{field_id}"', name)
    assert 'aria-label="删除筛选 我的超期"' in html


# --- 12. the fair desk's heading ------------------------------------------------------------------


def test_the_fair_desk_starts_with_a_main_heading(client, people, login):
    login(people["desk"])
    html = client.get("/desk").text
    headings = re.findall(r"<h([1-6])\b", html)
    assert headings[0] == "1", headings


# --- 13. and 14. the language switch's language, named navigation ---------------------------------


def test_the_language_switch_is_marked_in_its_own_language(client, units):
    html = client.get("/status").text
    assert re.search(r'<button class="link" type="submit" lang="en">English</button>', html)


def test_navigation_landmarks_are_named(client, people, login):
    login(people["admin"])
    for path in ("/inbox", "/admin", "/alerts/"):
        html = client.get(path).text
        for nav in re.findall(r"<nav\b[^>]*>", html):
            assert _attr(nav, "aria-label"), (path, nav)
    assert 'aria-label="主导航"' in client.get("/inbox").text


# --- 15. a party's bad link and an unknown document ------------------------------------------------


def test_a_bad_party_link_gets_the_public_error_page(client, units):
    page = client.get("/p/this-link-does-not-exist-at-all")
    assert page.status_code == 404
    html = page.text
    assert '<body class="public">' in html and "public.css" in html
    assert 'href="/status"' in html
    main = re.search(r"<main\b.*?</main>", html, re.S).group(0)
    assert 'href="/login"' not in main and 'href="/"' not in main  # not the staff's start page
    assert re.search(r"<title>[^<]*链接[^<]*</title>", html)


def test_an_unknown_document_says_so_in_its_title(client, units):
    page = client.get("/verify/ZZZZZZZZZZ")
    assert page.status_code == 404
    assert re.search(r"<title>未找到该文书 · 文书核验", page.text)
