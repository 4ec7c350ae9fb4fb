"""Issue 16, part 4: bad bytes give a 400 (or a 404 for a path naming nothing), never a 500 — NUL
in any path, query or form, and integers beyond the columns — for the web and the API alike.
Before the guard, PostgreSQL answered 500 to each NUL below and both databases to the huge page."""

import json
import re

import pytest

from tests.support import csrf_from

NUL = "\x00"
HUGE = "999999999999999999999"


@pytest.fixture
def signed_in(client, units, make_user, login):
    login(make_user("supervisor", units["ZS"]))
    return client


@pytest.mark.parametrize(
    "path",
    ["/verify/AB%00CD", "/cases/ab%00cd", "/inbox?q=a%00b", "/login?next=%00", "/status?q=%00"],
)
def test_nul_in_a_path_or_query_is_400_without_login(client, path):
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("path", ["/login", "/status"])
def test_nul_in_a_public_form_is_400(client, path):
    page = client.get(path)
    token = csrf_from(page.text) if "csrf_token" in page.text else ""
    answer = client.post(
        path,
        data={"username": "a\x00b", "password": "x\x00y", "q": "a\x00b", "csrf_token": token},
    )
    assert answer.status_code == 400


def test_nul_anywhere_signed_in_is_400(signed_in):
    assert signed_in.get("/inbox?q=a%00b").status_code == 400
    assert signed_in.get("/inbox?a%00=b").status_code == 400
    page = signed_in.get("/inbox")
    answer = signed_in.post(
        "/lang/en", data={"csrf_token": csrf_from(page.text), "next": "/inbox\x00"}
    )
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "path", [f"/inbox?page={HUGE}", f"/inbox?page=-{HUGE}", f"/desk?fair_id={HUGE}"]
)
def test_integers_out_of_range_are_400(signed_in, path):
    assert signed_in.get(path).status_code == 400  # /inbox?page=… was 500 on both databases


def test_ids_out_of_range_in_a_path_name_nothing(signed_in):
    assert signed_in.get(f"/admin/users/{HUGE}").status_code in (403, 404)
    assert signed_in.get(f"/notices/{HUGE}.pdf").status_code == 404


def test_the_api_shares_the_guard(api, units, make_user):
    client = api(make_user("caseworker", units["ZS"]))
    assert client.get("/api/v1/cases?q=a%00b").status_code == 400
    assert client.get(f"/api/v1/cases?page={HUGE}").status_code == 400
    answer = client.post("/api/v1/cases", json={"title": "a\x00b"})
    assert answer.status_code == 400 and answer.json["error"]["code"] == "malformed"


def test_every_web_route_survives_nul_in_its_path_and_form(app, signed_in):
    """Walk every web rule: a NUL in each string part of the path, in the query and in a form
    posted with a good CSRF token — a 4xx each time, never a 500."""
    token = csrf_from(signed_in.get("/inbox").text)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for argument in rule.arguments:
            converter = rule._converters[argument].__class__.__name__
            value = HUGE if converter == "IntegerConverter" else "a%00b"
            path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", value, path)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "GET":
                answer = signed_in.get(path + ("&" if "?" in path else "?") + "q=a%00b")
            else:
                answer = signed_in.post(path, data={"csrf_token": token, "note": "a\x00b"})
            assert 400 <= answer.status_code < 500, (method, path, answer.status_code)


def as_json(body) -> dict:
    """The request arguments for ``body`` as JSON with ``\\u`` escapes, the way a client sends a
    lone surrogate (the test client's own encoder writes the character raw and cannot)."""
    return {"data": json.dumps(body), "content_type": "application/json"}


@pytest.mark.parametrize("lone", ["\ud800", "\ud83d", "\udc00"])
def test_a_lone_surrogate_in_a_json_field_is_400_naming_the_field(api, units, make_user, lone):
    """JSON's ``\\ud800`` escape decodes to a lone surrogate that neither database driver can
    encode: it was a 500 at flush, on both databases."""
    from sqlalchemy import func, select

    from caseflow.cases.models import Case
    from caseflow.extensions import db

    client = api(make_user("caseworker", units["ZS"]))
    answer = client.post("/api/v1/cases", **as_json({"title": "x" + lone, "workflow": "adjudication"}))
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "malformed"
    assert "title" in answer.json["error"]["fields"]
    nested = client.post("/api/v1/cases", **as_json({"parties": [{"name": lone}]}))
    assert nested.status_code == 400 and "parties[0].name" in nested.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_lone_surrogate_in_a_public_complaint_is_400_without_login(client, units):
    from tests.parties.conftest import complaint_body

    body = complaint_body()
    body["facts"] = "x\ud800"
    answer = client.post("/api/v1/public/complaints", **as_json(body))
    assert answer.status_code == 400 and answer.json["error"]["code"] == "malformed"
    assert "facts" in answer.json["error"]["fields"]
    # The same body as the JSON part of a multipart filing, decoded by the view.
    multipart = client.post(
        "/api/v1/public/complaints",
        data={"data": json.dumps(body)},
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 400 and "data.facts" in multipart.json["error"]["fields"]


def test_a_nul_in_a_web_form_names_the_field(signed_in):
    page = signed_in.get("/inbox")
    answer = signed_in.post(
        "/lang/en", data={"csrf_token": csrf_from(page.text), "next": "/inbox\x00"}
    )
    assert answer.status_code == 400 and "字段 next" in answer.text
