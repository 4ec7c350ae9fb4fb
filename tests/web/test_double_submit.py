"""A form sent twice (a double click, a resent request) does its work once: the new-case form
carries a one-time token, and the second submit is pointed to the case the first opened."""

import re

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Case
from caseflow.extensions import db
from tests.support import NEW_INTAKE_FORM, at_once, csrf_from

NEW_CASE = NEW_INTAKE_FORM


def _filled_form(client) -> dict:
    page = client.get("/cases/new")
    submission = re.search(r'name="submission"[^>]*value="([^"]+)"', page.text)
    assert submission, "no one-time token on the new-case form"
    return {**NEW_CASE, "csrf_token": csrf_from(page.text), "submission": submission.group(1)}


def _cases() -> int:
    db.session.rollback()  # a fresh snapshot: other connections have committed
    return db.session.scalar(select(func.count(Case.id)))


def test_the_new_case_form_sent_twice_opens_one_case(client, people, login):
    login(people["caseworker"])
    form = _filled_form(client)
    first = client.post("/cases/new", data=form)
    assert first.status_code == 302
    second = client.post("/cases/new", data=form, follow_redirects=True)
    assert second.status_code == 200 and second.request.path == first.location
    case = db.session.scalar(select(Case))
    assert f"此表单已经提交过，没有重复登记：案件为 {case.number}" in second.text
    assert _cases() == 1
    # A fresh copy of the form opens the next case.
    assert client.post("/cases/new", data=_filled_form(client)).status_code == 302
    assert _cases() == 2


def test_a_refused_submit_leaves_the_token_for_the_corrected_one(client, people, login):
    login(people["caseworker"])
    form = _filled_form(client)
    assert client.post("/cases/new", data={**form, "title": ""}).status_code == 422
    assert client.post("/cases/new", data=form).status_code == 302
    assert _cases() == 1


@pytest.mark.postgres
def test_two_simultaneous_submits_of_one_form_open_one_case(app, client, people, login):
    """Two POSTs of one form in flight at once (same session, same token): the second waits for
    the first and is pointed to its case. Before, each opened a case."""
    login(people["caseworker"])
    form = _filled_form(client)
    session_cookie = client.get_cookie("session")

    def submit(_i):
        browser_tab = app.test_client()
        browser_tab.set_cookie("session", session_cookie.value, domain=session_cookie.domain)
        answer = browser_tab.post("/cases/new", data=form)
        return answer.status_code, answer.location

    answers = at_once(app, submit, n=2)
    assert [status for status, _ in answers] == [302, 302]
    assert answers[0][1] == answers[1][1]  # both shown the one case
    assert _cases() == 1
