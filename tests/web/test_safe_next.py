"""One rule for every ``next`` parameter (``caseflow.web.access.safe_next``): a path on this site
is followed, anything that could leave the site goes to the page's default."""

import pytest

from caseflow.cases.models import Case
from caseflow.extensions import db
from caseflow.web.access import safe_next
from tests.support import PASSWORD, csrf_from


@pytest.mark.parametrize("target", ["/inbox", "/cases/abc?tab=clocks", "/desk#board"])
def test_paths_on_this_site_are_followed(target):
    assert safe_next(target, "/default") == target


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)",
     "inbox", "/x\r\nLocation: https://evil.example/"],
)
def test_anything_that_could_leave_the_site_goes_to_the_default(target):
    assert safe_next(target, "/default") == "/default"


def test_login_and_claim_never_redirect_off_site(client, people, open_case):
    worker = people["caseworker"]
    case = open_case(worker)
    page = client.get("/login")
    response = client.post(
        "/login?next=//evil.example/",
        data={"username": worker.username, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    inbox = client.get("/inbox", query_string={"tab": "unassigned"})
    claimed = client.post(
        f"/cases/{case.id}/claim",
        data={"csrf_token": csrf_from(inbox.text), "next": "/\\evil.example/"},
    )
    assert claimed.status_code == 302 and claimed.headers["Location"].endswith("/inbox")
    assert db.session.get(Case, case.id).assignee_id == worker.id


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example/", "/\\evil.example/",
                                    "https://evil.example/"])
def test_the_language_switch_never_redirects_off_site(client, target):
    page = client.get("/status")
    switched = client.post("/lang/en", data={"next": target, "csrf_token": csrf_from(page.text)})
    assert switched.status_code == 302 and switched.headers["Location"] == "/"


def test_the_language_switch_returns_to_the_page_it_was_on(client):
    page = client.get("/status")
    switched = client.post(
        "/lang/zh_CN",
        data={"csrf_token": csrf_from(page.text)},
        headers={"Referer": "http://localhost/status?code=ABC"},
    )
    assert switched.headers["Location"] == "/status?code=ABC"
    elsewhere = client.post(
        "/lang/zh_CN",
        data={"csrf_token": csrf_from(page.text)},
        headers={"Referer": "https://evil.example/status"},
    )
    assert elsewhere.headers["Location"] == "/"
