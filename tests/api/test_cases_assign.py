"""``POST /api/v1/cases/{id}/assign``: supervisors and admins of the case's unit give it to one of
its staff, or to nobody; everyone else is refused and nothing changes."""

import pytest

from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

pytestmark = pytest.mark.usefixtures("pending_notices")


@pytest.fixture
def case(open_case):
    return open_case("adjudication")


def path(case):
    return f"/api/v1/cases/{case.id}/assign"


def test_a_supervisor_assigns_and_unassigns_with_an_audit_event(api, staff, case):
    chief = api(staff["ZS"]["supervisor"])
    before = chief.get(f"/api/v1/cases/{case.id}").get_json()

    response = chief.post(
        path(case), json={"assignee": "caseworker_ZS", "version": before["version"]}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["assignee"] == "caseworker_ZS"
    assert body["version"] == before["version"] + 1
    event = body["events"][-1]
    assert event["kind"] == "assign" and event["actor"] == "supervisor_ZS"
    assert event["data"] == {"assignee": "caseworker_ZS"}

    response = chief.post(path(case), json={"assignee": None})
    assert response.status_code == 200 and response.get_json()["assignee"] is None


def test_an_admin_assigns_in_any_unit(api, staff, case):
    response = api(staff["admin"]).post(path(case), json={"assignee": "desk_officer_ZS"})
    assert response.status_code == 200 and response.get_json()["assignee"] == "desk_officer_ZS"


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        (("ZS", "caseworker"), {"assignee": "caseworker_ZS"}, 403, None),
        (("ZS", "viewer"), {"assignee": "caseworker_ZS"}, 403, None),
        (("PD", "supervisor"), {"assignee": "caseworker_PD"}, 404, None),
        (("ZS", "supervisor"), {"assignee": "caseworker_PD"}, 422, "assignee"),
        (("ZS", "supervisor"), {"assignee": "viewer_ZS"}, 422, "assignee"),
        (("ZS", "supervisor"), {"assignee": "nobody"}, 422, "assignee"),
        (("ZS", "supervisor"), {"assignee": 7}, 422, "assignee"),
        (("ZS", "supervisor"), {"assignee": ""}, 422, "assignee"),
        (("ZS", "supervisor"), {}, 422, "assignee"),
        (("ZS", "supervisor"), {"assignee": "caseworker_ZS", "version": "1"}, 422, "version"),
        (("ZS", "supervisor"), {"assignee": "caseworker_ZS", "version": 0}, 409, "version"),
        (("ZS", "supervisor"), ["caseworker_ZS"], 400, None),
    ],
)
def test_refusals_change_nothing(api, staff, case, who, body, status, field):
    client = api(staff[who[0]][who[1]])
    reader = api(staff["admin"])
    before = reader.get(f"/api/v1/cases/{case.id}").get_json()
    response = client.post(path(case), json=body, headers={"Accept-Language": "en"})
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] and error["message"].isascii(), error  # English on request
    if field:
        assert field in error["fields"]
    assert reader.get(f"/api/v1/cases/{case.id}").get_json() == before


def test_an_unknown_case_is_404(api, staff):
    response = api(staff["ZS"]["supervisor"]).post(
        "/api/v1/cases/nosuchcase/assign", json={"assignee": None}
    )
    assert response.status_code == 404
