"""Least privilege over the API, route by route: a user of another unit can neither read nor
change a PD case, notice, alert or filing, nor a CF fair; a viewer of the owning unit reads and
changes nothing; an admin reads everything. Every route with an id in its path is in the table
(walked from ``app.url_map``), and no refused request changes a row."""

import pytest

from tests.api.records import decided_case, unit_records
from tests.api.test_bad_input import PREFIX, _fill, row_counts
from tests.api.test_cases_adjudication import RIGHT, ZS_COMPLAINANT, ZS_RESPONDENT, local
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

#: (endpoint, method, body or None, owner) — owner is the unit whose resource the path names.
#: Bodies are valid, so a refusal comes from the scope or the role, not from validation.
ROUTES = [
    ("api.cases_show", "GET", None, "PD"),
    ("api.cases_fire", "POST", {"trigger": "serve", "occurred_at": local("2026-02-16")}, "PD"),
    ("api.cases_assign", "POST", {"assignee": "caseworker_PD"}, "PD"),
    ("api.notice_get", "GET", None, "PD"),
    ("api.notice_pdf", "GET", None, "PD"),
    ("api.notice_corrections_create", "POST", {"note": "地址有误"}, "PD"),
    ("api.alerts_acknowledge", "POST", {"note": "已督办"}, "PD"),
    ("api.applicants_show", "GET", None, "PD"),
    ("api.applicants_approve", "POST", {}, "PD"),
    ("api.applicants_revoke", "POST", {}, "PD"),
    ("api.applicants_reject", "POST", {"reason": "名称与营业执照不符"}, "PD"),
    ("api.party_delivery_put", "PUT", {"email": "a@b.example", "consent": True}, "PD"),
    ("api.party_link_create", "POST", None, "PD"),
    ("api.party_link_delete", "DELETE", None, "PD"),
    (
        "api.notice_service_put",
        "PUT",
        {"served_at": "2026-02-16T10:00:00+08:00", "method": "post"},
        "PD",
    ),
    ("api.fairs_show", "GET", None, "CF"),
    ("api.fairs_exhibitors_search", "GET", None, "CF"),
    (
        "api.fairs_exhibitors_add",
        "POST",
        [{"name": "深圳某公司", "booth": "9.9Z99", "country": "CN"}],
        "CF",
    ),
    ("api.credit_publish", "POST", None, "PD"),
    ("api.credit_repair", "POST", {"reason": "已整改"}, "PD"),
    ("api.credit_revoke", "POST", {"reason": "原决定已撤销"}, "PD"),
    ("api.credit_withdraw", "POST", {"reason": "原决定已撤销"}, "PD"),
    ("api.drafts_index", "GET", None, "PD"),
    ("api.drafts_save", "PUT", {"findings": "事实。"}, "PD"),
    ("api.drafts_preview", "GET", None, "PD"),
    ("api.compensation_show", "GET", None, "PD"),
    ("api.compensation_put", "PUT", {"basis": "statutory", "statutory_amount": 100000}, "PD"),
    ("api.sessions_index", "GET", None, "PD"),
    (
        "api.sessions_create",
        "POST",
        {"held_on": "2026-02-20", "attendees": ["张三"], "outcome": "未成"},
        "PD",
    ),
    ("api.confirmation_bundle", "GET", None, "PD"),
]
#: Routes naming a unit in the body or the query string instead of the path.
UNIT_WRITES = [
    (
        "/cases",
        {
            "workflow": "adjudication",
            "unit": "PD",
            "channel": "walk_in",
            "title": "越权立案",
            "complainant": ZS_COMPLAINANT,
            "respondent": ZS_RESPONDENT,
            "right": RIGHT,
        },
    ),
    ("/applicants", {"unit": "PD", "name": "越权备案公司", "credit_code": "91440101MA5CYYYY0X"}),
    (
        "/fairs",
        {
            "unit": "CF",
            "name": "越权展会",
            "venue": "广州",
            "opens_at": "2027-04-15T09:00:00+08:00",
            "closes_at": "2027-04-19T18:00:00+08:00",
        },
    ),
]
#: Routes anyone signed in may read, and what only admins may touch; a token belongs to a user,
#: not a unit (tests/foundation/test_sessions.py covers it).
#: A credit record is read by every unit, shown to others as the fact only (credit.md).
UNSCOPED = {
    "api.workflows_show",
    "api.calendar_year_read",
    "api.calendar_year_load",
    "api.credit_get",
    "api.tokens_revoke",
}


@pytest.fixture
def pd_world(api, staff, fair):
    """At PD: an accepted adjudication case with its issued notice and an alert, and a pending
    filing; at CF: a fair with exhibitors."""
    from caseflow.credit.services import credit_record_noncompliance

    records = unit_records(api, staff, "PD")
    accepted, notice, alert, filing = (records[k] for k in ("case", "notice", "alert", "filing"))
    record = credit_record_noncompliance(
        actor=staff["PD"]["supervisor"],
        subject={"name": "某某照明电器厂"},
        case_id=decided_case(staff, "PD"),
    )
    return {
        "record_id": record.id,
        "case_id": accepted["id"],
        "notice_id": notice["id"],
        "alert_id": alert.id,
        "applicant_id": filing.id,
        "fair_id": fair.id,
        "role": "respondent",
        "kind": "decision",
    }


def _rows():
    """Row counts, but for the tokens the test itself issues to its clients."""
    return {k: v for k, v in row_counts().items() if k != "api_tokens"}


def _call(client, method, path, body):
    return client._call(method, path, **({} if body is None else {"json": body}))


def test_every_route_with_an_id_is_in_the_table(app):
    ids = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/") and rule.arguments
    }
    assert ids - UNSCOPED == {endpoint for endpoint, *_ in ROUTES}


def test_another_units_user_reads_and_changes_nothing(app, api, staff, pd_world):
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    before = _rows()
    for endpoint, method, body, owner in ROUTES:
        outsider = "ZS" if owner == "PD" else "PD"
        for role in ("supervisor", "caseworker", "desk_officer", "viewer"):
            client = api(staff[outsider][role])
            response = _call(client, method, _fill(rules[endpoint].rule, pd_world), body)
            # Exactly what a missing object answers (issue 16: ids of other units can't be probed).
            assert response.status_code == 404, (endpoint, role, response.get_json())
            assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    for path, body in UNIT_WRITES:
        outsider = api(staff["ZS"]["supervisor"])
        response = outsider.post(PREFIX + path, json=body)
        assert response.status_code == 403, (path, response.get_json())
    assert _rows() == before


def test_lists_show_only_the_users_unit(api, staff, pd_world):
    zs = api(staff["ZS"]["supervisor"])
    assert zs.get(f"{PREFIX}/cases").get_json()["total"] == 0
    assert zs.get(f"{PREFIX}/cases?unit=PD").status_code == 403  # not an empty list
    assert zs.get(f"{PREFIX}/stats?unit=PD").status_code == 403  # not a row of zeros
    assert zs.get(f"{PREFIX}/alerts").get_json()["alerts"] == []
    assert zs.get(f"{PREFIX}/fairs").get_json()["fairs"] == []
    assert zs.get(f"{PREFIX}/applicants?unit=PD").status_code == 403
    assert zs.get(f"{PREFIX}/alerts/outbox").status_code == 403
    pd = api(staff["PD"]["viewer"])
    assert pd.get(f"{PREFIX}/cases").get_json()["total"] == 2  # accepted, and the one decided
    assert len(pd.get(f"{PREFIX}/alerts").get_json()["alerts"]) >= 1
    assert pd.get(f"{PREFIX}/alerts/outbox").status_code == 403


def test_a_viewer_of_the_unit_reads_but_changes_nothing(app, api, staff, pd_world):
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    before = _rows()
    for endpoint, method, body, owner in ROUTES:
        viewer = api(staff[owner]["viewer"])
        response = _call(viewer, method, _fill(rules[endpoint].rule, pd_world), body)
        expected = (200,) if method == "GET" else (403,)
        assert response.status_code in expected, (endpoint, response.get_json(silent=True))
    for path, body in UNIT_WRITES:
        owner = body["unit"]
        response = api(staff[owner]["viewer"]).post(PREFIX + path, json=body)
        assert response.status_code == 403, (path, response.get_json())
    assert (
        api(staff["PD"]["viewer"])
        .put(f"{PREFIX}/calendar/2026", data="2026-01-01 holiday 元旦", content_type="text/plain")
        .status_code
        == 403
    )
    assert _rows() == before


def test_an_admin_reads_every_unit(app, api, staff, pd_world):
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    admin = api(staff["admin"])
    for endpoint, method, _, _ in ROUTES:
        if method == "GET":
            response = admin.get(_fill(rules[endpoint].rule, pd_world))
            assert response.status_code == 200, endpoint
    assert admin.get(f"{PREFIX}/cases").get_json()["total"] == 2
    assert admin.get(f"{PREFIX}/alerts/outbox").status_code == 200


def test_answers_match_the_documented_response_schemas(app, api, staff, pd_world):
    """Every GET of the table, and the lists, as the admin sees them, validate against the 200
    schema of the OpenAPI document (nullable fields, nested parties, clocks, events, notices)."""
    from openapi_schema_validator import OAS30Validator, validate

    from tests.api.test_openapi import _api_routes

    document = app.test_client().get(f"{PREFIX}/openapi.json").get_json()
    admin = api(staff["admin"])
    values = {**pd_world, "year": 2026, "name": "adjudication"}
    checked = 0
    for method, path_template, rule in _api_routes(app):
        if method != "get" or rule.endpoint in (
            "api.notice_pdf",
            "api.openapi",
            # Public lookups answer only with a case number and its status code.
            "api.public_status",
            "api.public_receipt",
            "api.drafts_preview",  # a PDF
            "api.confirmation_bundle",  # a ZIP
        ):
            continue
        query = {"unit": "PD"} if rule.endpoint == "api.applicants_index" else {}
        response = admin.get(_fill(rule.rule, values), query_string=query)
        assert response.status_code == 200, (rule.endpoint, response.get_json())
        content = document["paths"][path_template]["get"]["responses"]["200"]["content"]
        schema = {**content["application/json"]["schema"], "components": document["components"]}
        validate(response.get_json(), schema, cls=OAS30Validator)
        checked += 1
    assert checked >= 15
