"""English mode: after the switch, the pages' own words (navigation, labels, buttons, states,
countdowns) are English. Data people typed (party names, titles, unit names) stays as typed."""

import re

import pytest

from tests.support import csrf_from

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _untranslated(html: str, data: list[str]) -> list[str]:
    """Chinese left in the page's visible text once the data strings are taken out."""
    # Scripts, and examples of file contents (<code>), are not prose.
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    # The switch back is labelled in its own language.
    for item in sorted([*data, "中文"], key=len, reverse=True):
        text = text.replace(item, " ")
    return CJK.findall(text)


@pytest.fixture
def english(client):
    def switch(page_text):
        response = client.post("/lang/en", data={"csrf_token": csrf_from(page_text)})
        assert response.status_code == 302
        # The test client reuses the test's app context, where Flask-Babel caches the locale.
        from flask_babel import refresh

        refresh()

    return switch


def test_pages_in_english_have_no_chinese_words_of_their_own(
    client, people, units, open_case, login, english
):
    worker = people["caseworker"]
    case = open_case(worker)
    data = [
        worker.display_name,
        case.title,
        case.complainant_name,
        case.respondent_name,
        *(u.name for u in units.values()),
    ]
    login(worker)
    english(client.get("/inbox").text)
    for path in ("/inbox", f"/cases/{case.id}", "/cases/new", "/applicants"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _untranslated(page.text, data) == [], (path, _untranslated(page.text, data))
    case_page = client.get(f"/cases/{case.id}").text
    assert "working days left" in case_page or "due today" in case_page
    assert "Inbox" in case_page and "Filed" in case_page


def test_admin_and_fair_pages_in_english(
    client, people, units, fair_with_exhibitors, login, english
):
    admin = people["admin"]
    data = [u.display_name for u in people.values()] + [u.name for u in units.values()]
    data += [fair_with_exhibitors.name, fair_with_exhibitors.venue, fair_with_exhibitors.organiser]
    data += [e.name for e in fair_with_exhibitors.exhibitors]
    # A unit profile is data too: its contact, address and document-number patterns.
    for unit in units.values():
        profile = unit.profile or {}
        data += [profile.get("contact") or "", profile.get("address") or ""]
        data += list((profile.get("doc_patterns") or {}).values())
    # The official calendar's sources (国办发明电〔2025〕7号) are data as well.
    from caseflow.calendar.selectors import calendar_year_get

    data += [calendar_year_get(year)["source"] or "" for year in range(2024, 2030)]
    data = [item for item in data if item]
    login(admin)
    english(client.get("/admin").text)
    paths = (
        "/admin",
        "/admin?tab=units",
        "/admin?tab=calendar",
        "/admin?tab=outbox",
        "/admin/units/ZS",
        f"/admin/users/{people['caseworker'].id}",
        "/fairs",
        f"/fairs/{fair_with_exhibitors.id}",
        "/dashboard",
    )
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        assert _untranslated(page.text, data) == [], (path, _untranslated(page.text, data))
    login(people["desk"])
    for path in ("/desk", "/alerts/"):
        page = client.get(path)
        assert page.status_code in (200, 404), path
        assert _untranslated(page.text, data) == [], (path, _untranslated(page.text, data))


def test_credit_record_page_and_the_queue_in_english(client, people, units, login, english, credit_world):
    """The record page with its buttons and the confirmation, and the dashboard's credit rows."""
    import time_machine

    from tests.web.test_credit import NOW

    chief = people["supervisor"]
    record = credit_world["published"]
    data = [
        chief.display_name,
        *(u.name for u in units.values()),
        *(r.subject_name for r in credit_world.values() if hasattr(r, "subject_name")),
        "复议撤销",
    ]
    login(chief)
    with time_machine.travel(NOW, tick=True):
        english(client.get("/dashboard").text)
        page = client.get(f"/credit/{record.id}")
        assert _untranslated(page.text, data) == [], _untranslated(page.text, data)
        assert "Record the decision revoked" in page.text and "Withdraw the record" in page.text
        token = csrf_from(page.text)
        asked = client.post(
            f"/credit/{record.id}/revoke", data={"revoke-csrf_token": token, "revoke-reason": "复议撤销"}
        )
        assert _untranslated(asked.text, data) == [], _untranslated(asked.text, data)
        assert "withdrawn within 3 working days" in asked.text
        dashboard = client.get("/dashboard").text
    section = dashboard.split('id="approvals"')[1].split("</section>")[0]
    assert _untranslated(section, data) == [], _untranslated(section, data)
    assert "Publish" in section and "Refusal to perform" in section
