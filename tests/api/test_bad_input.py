"""Never a 500: every POST and PUT under ``/api/v1`` (walked from ``app.url_map``) is sent bad
bodies — none, not JSON, a JSON array or scalar, a wrong type for every field the OpenAPI document
lists, nulls, huge strings, unknown and out-of-range ids — by a user allowed to call it. Each is
refused with a 4xx JSON error of the documented shape, and no table gains or loses a row."""

import io
import re

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from tests.api.records import credit_records, unit_records
from tests.api.test_cases_adjudication import RIGHT, ZS_COMPLAINANT, ZS_RESPONDENT, local
from tests.api.test_openapi import _api_routes
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

PREFIX = "/api/v1"
HUGE = "长" * 100_000
BIG_ID = 10**20  # beyond a 64-bit integer column
UNKNOWN_ID = 99_999_999
#: Wrong values per documented type.
WRONG = {
    "string": [123, 1.5, True, [], {}, ["x"]],
    "integer": ["1", 1.5, True, [], {}],
    "boolean": ["yes", 1, [], {}],
    "object": ["x", 1, [], ["x"], True],
    "array": ["x", 1, {}],
}
#: Routes whose whole input is the path: bodies are ignored, only unknown ids are bad.
NO_BODY = {
    "api.applicants_approve",
    "api.applicants_revoke",
    "api.party_link_create",
    "api.credit_publish",
    "api.alerts_outbox_retry",
}


def row_counts() -> dict:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def world(api, staff, applicant, fair):
    """An admin's client and the ids of one of everything: a case at ZS accepted (its notice
    rendered), an alert on it, a pending filing, a fair with exhibitors."""
    records = unit_records(api, staff, "ZS")
    worker, accepted = records["worker"], records["case"]
    notice, alert, pending = records["notice"], records["alert"], records["filing"]
    return {
        # One credit record per step, each in the status its accepted body needs.
        **credit_records(staff),
        "client": api(staff["admin"]),
        # Transitions are fired by the role the workflow names, not by an admin.
        "api.cases_fire": worker,
        # Consent and service are the caseworker's (parties.md §3, §4).
        "api.party_delivery_put": worker,
        "api.notice_service_put": worker,
        "api.party_link_create": worker,
        # The credit register's steps are the supervisor's of the record's unit (credit.md).
        **dict.fromkeys(
            (
                "api.credit_create",
                "api.credit_publish",
                "api.credit_repair",
                "api.credit_revoke",
                "api.credit_withdraw",
            ),
            api(staff["ZS"]["supervisor"]),
        ),
        "role": "respondent",
        "case_id": accepted["id"],
        "version": accepted["version"],
        "notice_id": notice["id"],
        "alert_id": alert.id,
        "applicant_id": pending.id,
        "fair_id": fair.id,
        "exhibitor_id": fair.booth["1.1A01"].id,
        "year": 2026,
        "name": "adjudication",
        "kind": "decision",
    }


def base_body(endpoint, ids):
    """A body that would be accepted, so that each bad variant differs from it in one thing."""
    return {
        "api.cases_create": {
            "workflow": "adjudication",
            "unit": "ZS",
            "channel": "walk_in",
            "received_at": local("2026-03-02"),
            "title": "另一起纠纷",
            "complainant": ZS_COMPLAINANT,
            "respondent": ZS_RESPONDENT,
            "right": {**RIGHT, "number": "ZL202330999999.1"},
            "priority": False,
            "data": {},
        },
        "api.cases_fire": {
            "trigger": "serve",
            "occurred_at": local("2026-02-16"),
            "note": "送达",
            "data": {},
            "version": ids["version"],
        },
        "api.cases_assign": {"assignee": "caseworker_ZS", "version": ids["version"]},
        "api.alerts_acknowledge": {"note": "已督办"},
        "api.notice_corrections_create": {"note": "地址有误"},
        # The world's pending filing, refused with its reason.
        "api.applicants_reject": {"reason": "名称与营业执照不符"},
        "api.applicants_create": {
            "unit": "ZS",
            "name": "另一家公司",
            "credit_code": "91440101MA5CYYYY0X",
        },
        "api.fairs_create": {
            "unit": "CF",
            "name": "第141届广交会",
            "venue": "广州 琶洲展馆",
            "opens_at": "2027-04-15T09:00:00+08:00",
            "closes_at": "2027-04-19T18:00:00+08:00",
            "organiser": "中国对外贸易中心",
        },
        "api.fairs_exhibitors_add": [{"name": "深圳某公司", "booth": "9.9Z99", "country": "CN"}],
        "api.calendar_year_load": {"days": [], "source": "test"},
        "api.public_complaints_create": {
            "unit": "ZS",
            "title": "网店销售侵权灯具",
            "facts": "被投诉人在网店销售与我方外观设计专利相同的灯具。",
            "complainant": {"name": "Lumen GmbH", "kind": "company", "contact": "+49 30 1234567"},
            "respondent": {"name": "古镇星光灯饰厂"},
            "right": {"kind": "patent", "number": "ZL202530123456.7"},
            "consent": {"email": "ip@lumen.example", "consent": True},
        },
        "api.party_delivery_put": {"email": "legal@star.example", "consent": True},
        "api.notice_service_put": {"served_at": "2026-02-16T10:00:00+08:00", "method": "post"},
        "api.credit_create": {
            "kind": "noncompliance",
            "subject": {"name": "某某照明电器厂", "code": None},
            "case_id": ids["decided_case_id"],
            "note": "拒不履行处罚决定",
            "occurred_at": None,
        },
        "api.credit_repair": {"reason": "已履行并整改", "occurred_at": None},
        "api.credit_revoke": {"reason": "行政复议撤销原决定", "occurred_at": None},
        "api.credit_withdraw": {"reason": "原决定已撤销", "occurred_at": None},
        "api.drafts_save": {"findings": "事实。", "reasoning": "理由。", "items": ["停止侵权。"]},
        "api.compensation_put": {
            "basis": "statutory",
            "statutory_amount": 100000,
            "wilful": False,
            "costs": "5000",
            "explanation": "参考同类案件",
        },
        "api.sessions_create": {"held_on": "2026-02-20", "attendees": ["张三"], "outcome": "未成"},
    }.get(endpoint, {})


def route_ids(endpoint, world) -> dict:
    """The path values for a route: a credit step has its own record (``world["record:…"]``)."""
    record = world.get(f"record:{endpoint}")
    return {**world, "record_id": record} if isinstance(record, int) else world


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in schema:
        return _resolve(document, schema["oneOf"][0])
    if "allOf" in schema:
        merged = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _resolve(document, part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        merged["nullable"] = bool(schema.get("nullable"))
        return merged
    return schema


def field_variants(document, schema, base):
    """``(label, body)`` pairs: each documented field made wrong in turn."""
    schema = _resolve(document, schema)
    if schema.get("type") == "array":  # a list of rows: spoil the first row's fields
        row_schema = _resolve(document, schema["items"])
        for label, row in field_variants(document, row_schema, base[0]):
            yield f"row {label}", [row, *base[1:]]
        return
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(document, prop)
        kind = prop.get("type")
        for wrong in WRONG.get(kind, []):
            yield f"{name}={wrong!r}", {**base, name: wrong}
        if not prop.get("nullable"):
            yield f"{name}=null", {**base, name: None}
        if kind == "string":
            yield f"{name}=huge", {**base, name: HUGE}
            yield f"{name}=NUL", {**base, name: "a\x00b"}
        if kind == "string" and prop.get("format") in ("date", "date-time"):
            for year in ("0001-01-01", "9999-12-31T23:59:59-14:00"):
                yield f"{name}={year}", {**base, name: year}
        if kind == "integer":
            yield f"{name}=big", {**base, name: BIG_ID}
            yield f"{name}=-1", {**base, name: -1}
            if name.endswith("_id"):
                yield f"{name}=unknown", {**base, name: UNKNOWN_ID}
        if kind == "object" and prop.get("properties"):  # parties, the right: one level down
            inner = base.get(name) or {}
            for label, spoiled in field_variants(document, prop, inner):
                yield f"{name}.{label}", {**base, name: spoiled}
    properties = schema.get("properties", {})
    if any(not _resolve(document, p).get("nullable") for p in properties.values()):
        yield "every field null", {name: None for name in properties}


def _fill(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)


def bad_requests(document, method, path_template, rule, ids):
    """``(label, path, kwargs)`` for one route."""
    ids = route_ids(rule.endpoint, ids)
    path = _fill(rule.rule, ids)
    base = base_body(rule.endpoint, ids)
    for name in rule.arguments:  # unknown and out-of-range ids in the path
        for unknown in (UNKNOWN_ID, BIG_ID, "x" * 300, "%00") if name != "year" else (1800, BIG_ID):
            bad_path = _fill(rule.rule, {**ids, name: unknown})
            yield f"{name}={str(unknown)[:12]}", bad_path, {"json": base}
    if rule.endpoint in NO_BODY:
        return
    yield "no body", path, {}
    yield "text", path, {"data": "2026-13-01 holiday 元旦\n\x00", "content_type": "text/plain"}
    if rule.endpoint == "api.fairs_exhibitors_add":  # uploads: garbage, wrong kind, no file
        for filename, content in (
            ("list.xlsx", b"PK\x03\x04 not really a workbook"),
            ("list.csv", "名称,展位,国家\n某公司\x00,1A01,CN\n".encode()),
            ("list.csv", b"\xff\xfe\x00garbage"),
            ("list.exe", b"MZ"),
        ):
            yield (
                f"upload {filename}",
                path,
                {
                    "data": {"file": (io.BytesIO(content), filename)},
                    "content_type": "multipart/form-data",
                },
            )
        yield (
            "upload without file",
            path,
            {"data": {"other": "x"}, "content_type": "multipart/form-data"},
        )
    yield "not json", path, {"data": "{not json", "content_type": "application/json"}
    yield "empty json", path, {"data": "", "content_type": "application/json"}
    yield "form", path, {"data": {"x": "1"}}
    yield "array", path, {"json": [1, "two", None]}
    yield "json null", path, {"data": "null", "content_type": "application/json"}
    yield "json string", path, {"json": "accept"}
    yield "json number", path, {"json": 7}
    yield "deep", path, {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"}
    operation = document["paths"][path_template][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    if _resolve(document, schema).get("required"):
        yield "empty object", path, {"json": {}}
    for label, body in field_variants(document, schema, base):
        yield label, path, {"json": body}


def _write_routes(app):
    return [(m, p, r) for m, p, r in _api_routes(app) if m in ("post", "put")]


def test_every_write_route_is_covered(app):
    endpoints = {r.endpoint for _, _, r in _write_routes(app)}
    assert endpoints <= {*NO_BODY, *(e for e in _BASES)}, endpoints - set(_BASES)


_BASES = (
    "api.cases_create",
    "api.cases_fire",
    "api.cases_assign",
    "api.alerts_acknowledge",
    "api.notice_corrections_create",
    "api.applicants_create",
    "api.applicants_reject",
    "api.fairs_create",
    "api.fairs_exhibitors_add",
    "api.calendar_year_load",
    "api.public_complaints_create",
    "api.party_delivery_put",
    "api.notice_service_put",
    "api.credit_create",
    "api.credit_repair",
    "api.credit_revoke",
    "api.credit_withdraw",
    "api.drafts_save",
    "api.compensation_put",
    "api.sessions_create",
)


def test_bad_input_is_a_4xx_json_error_and_changes_nothing(app, world):
    document = app.test_client().get(f"{PREFIX}/openapi.json").get_json()
    client = world["client"]
    before = row_counts()
    failures = []
    for method, path_template, rule in _write_routes(app):
        client = world.get(rule.endpoint, world["client"])
        for label, path, kwargs in bad_requests(document, method, path_template, rule, world):
            response = client._call(method.upper(), path, **kwargs)
            body = response.get_json(silent=True)
            where = f"{method.upper()} {path[:60]} [{label}] → {response.status_code}"
            after = row_counts()
            if after != before:
                changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
                failures.append(f"{where}: rows changed {changed}")
                before = after
            if not 400 <= response.status_code < 500:
                failures.append(f"{where}: {str(body)[:200]}")
                continue
            error = (body or {}).get("error") if isinstance(body, dict) else None
            if not (
                isinstance(error, dict)
                and isinstance(error.get("code"), str)
                and isinstance(error.get("message"), str)
                and error["message"]
                and isinstance(error.get("fields"), dict)
            ):
                failures.append(f"{where}: not the error shape: {str(body)[:200]}")
                continue
    assert failures == [], "\n".join(failures)


def test_english_on_request_chinese_by_default(world):
    client, path = world["client"], f"{PREFIX}/cases/{world['case_id']}/transitions"
    chinese = client.post(path, json={"trigger": 7}).get_json()["error"]
    english = client.post(path, json={"trigger": 7}, headers={"Accept-Language": "en"})
    english = english.get_json()["error"]
    assert not chinese["message"].isascii() and english["message"].isascii()
    assert english["code"] == chinese["code"] == "invalid" and "trigger" in english["fields"]
    missing = client.post(
        path,
        data="[",
        content_type="application/json",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    ).get_json()["error"]
    assert missing["message"] == "the request body must be a JSON object"


def test_the_base_bodies_are_accepted(app, world):
    """The bad variants above each differ in one thing from a body that works."""
    from openapi_schema_validator import OAS30Validator, validate

    document = app.test_client().get(f"{PREFIX}/openapi.json").get_json()
    for method, path_template, rule in _write_routes(app):
        client = world.get(rule.endpoint, world["client"])
        if rule.endpoint in NO_BODY or rule.endpoint == "api.calendar_year_load":
            continue  # the calendar's body is the calendar area's test
        case = world["client"].get(f"{PREFIX}/cases/{world['case_id']}").get_json()
        world["version"] = case["version"]  # the previous step moved it on
        response = client._call(
            method.upper(),
            _fill(rule.rule, route_ids(rule.endpoint, world)),
            json=base_body(rule.endpoint, world),
        )
        assert response.status_code in (200, 201), (rule.endpoint, response.get_json())
        # …and the answer is the documented one.
        responses = document["paths"][path_template][method]["responses"]
        schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
        validate(
            response.get_json(),
            {**schema, "components": document["components"]},
            cls=OAS30Validator,
        )


QUERY_VALUES = [
    "",
    "x",
    "-1",
    "0",
    str(BIG_ID),
    "1.5",
    "2026-13-45",
    # Dates that exist but that no arithmetic on them survives (the end of their day, a period).
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59-14:00",
    "true",
    "长" * 5000,
    "%",
    "\x00",
]


def test_bad_query_strings_are_never_a_server_error(app, world):
    """Every GET with every documented query parameter set to nonsense: 200 or a 4xx error."""
    document = app.test_client().get(f"{PREFIX}/openapi.json").get_json()
    client, failures = world["client"], []
    for method, path_template, rule in _api_routes(app):
        if method != "get":
            continue
        path = _fill(rule.rule, world)
        params = [
            p["name"]
            for p in document["paths"][path_template][method].get("parameters", [])
            if p["in"] == "query"
        ]
        for name in params:
            for value in QUERY_VALUES:
                response = client.get(path, query_string={name: value})
                if response.status_code >= 500:
                    failures.append(f"GET {path}?{name}={value[:20]!r} → {response.status_code}")
                elif response.status_code >= 400:
                    error = response.get_json()["error"]
                    assert set(error) == {"code", "message", "fields"}
    assert failures == [], "\n".join(failures)


#: The field each route's probe spoils: the calendar's is in the ``days`` form of its ``oneOf``.
PROBE = {"api.calendar_year_load": ("days", [{"date": 7, "kind": "holiday"}], "days.1.date")}


def test_every_body_is_refused_by_the_schema_not_by_a_view(app, world):
    """One validation: a number where the document says text, in a field of each route, is the
    schema's 422 — its message, the field's dotted path, the type's reason — on every route that
    takes a body, whatever the view or the service would have said."""
    document = app.test_client().get(f"{PREFIX}/openapi.json").get_json()
    text = "应为文本 / must be text"
    seen = []
    for method, path_template, rule in _write_routes(app):
        if rule.endpoint in NO_BODY:
            continue
        client = world.get(rule.endpoint, world["client"])
        ids = route_ids(rule.endpoint, world)
        base = base_body(rule.endpoint, ids)
        operation = document["paths"][path_template][method]
        schema = _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
        if rule.endpoint in PROBE:
            name, wrong, field = PROBE[rule.endpoint]
            body = {**base, name: wrong}
        elif schema.get("type") == "array":  # exhibitors: rows reported by row number
            body, field = [{**base[0], "booth": 7}], None
        else:
            name = next(n for n, p in schema["properties"].items() if p.get("type") == "string")
            body, field = {**base, name: 7}, name
        response = client._call(method.upper(), _fill(rule.rule, ids), json=body)
        error = response.get_json()["error"]
        where = (rule.endpoint, error)
        assert response.status_code == 422, where
        if field is None:
            assert error["fields"] == {"rows": {"1": f"booth: {text}"}}, where
        else:
            assert error["message"] == f"请求数据有误：{field}", where
            assert error["fields"] == {field: text}, where
        seen.append(rule.endpoint)
    assert set(seen) == set(_BASES)


def _reasons(fields: dict):
    for value in fields.values():
        if isinstance(value, dict):
            yield from _reasons(value)
        else:
            yield value


def test_422_reasons_are_chinese_and_english(api, staff):
    """interfaces.md: a 422's ``fields`` says why in Chinese and English ("中文 / English", the
    API's convention); walked with ``Accept-Language: en`` through the errors that were Chinese
    only."""
    en = {"Accept-Language": "en"}
    worker, desk = api(staff["ZS"]["caseworker"]), api(staff["CF"]["desk_officer"])
    fair = {
        "name": "第139届中国进出口商品交易会",
        "venue": "广州",
        "organiser": "中国对外贸易中心",
        "opens_at": "2026-04-15T09:00:00+08:00",
        "closes_at": "2026-04-19T18:00:00+08:00",
    }
    created = desk.post(f"{PREFIX}/fairs", json=fair)
    assert created.status_code == 201, created.get_json()
    fair_id = created.get_json()["id"]
    refusals = [
        worker.post(
            f"{PREFIX}/cases",
            headers=en,
            json={
                "workflow": "adjudication",
                "channel": "fax",
                "title": "灯具",
                "complainant": ZS_COMPLAINANT,
                "respondent": ZS_RESPONDENT,
                "right": RIGHT,
            },
        ),
        desk.post(
            f"{PREFIX}/fairs",
            headers=en,
            json={**fair, "name": " ", "closes_at": "2026-04-14T18:00:00+08:00"},
        ),
        desk.post(f"{PREFIX}/fairs", headers=en, json={**fair, "opens_at": "next week"}),
        desk.post(
            f"{PREFIX}/fairs/{fair_id}/exhibitors",
            headers=en,
            json=[{"name": "", "booth": "A1", "country": "CN"}, {"name": "甲", "booth": "", "country": "火星"}],
        ),
        desk.post(
            f"{PREFIX}/fairs/{fair_id}/exhibitors",
            headers=en,
            data={"file": (io.BytesIO(b""), "list.csv")},
            content_type="multipart/form-data",
        ),
        worker.post(
            f"{PREFIX}/applicants",
            headers=en,
            json={"name": "", "credit_code": "91350100M000100Y44"},
        ),
    ]
    for response in refusals:
        assert response.status_code == 422, response.get_json()
        fields = response.get_json()["error"]["fields"]
        assert fields
        for reason in _reasons(fields):
            chinese, sep, english = str(reason).partition(" / ")
            assert sep and re.search("[\u4e00-\u9fff]", chinese), reason
            assert re.search("[a-z]{3}", english) and not re.search("[\u4e00-\u9fff]", english), (
                reason
            )
    # The rows keep their numbers, each with both languages.
    rows = refusals[3].get_json()["error"]["fields"]["rows"]
    assert set(rows) == {"1", "2"} and "booth is empty; unknown country" in rows["2"]


def test_an_unknown_workflow_is_refused_in_both_languages(app, staff):
    """The service's own check (the web form and the public filing reach it without the API's
    schema)."""
    from caseflow.cases.services import case_open
    from caseflow.errors import ValidationFailed

    worker = staff["ZS"]["caseworker"]
    with pytest.raises(ValidationFailed) as refused:
        case_open(workflow="arbitration", unit=worker.unit, actor=worker, channel="walk_in")
    reason = refused.value.fields["workflow"]
    assert " / " in reason and "one of" in reason.partition(" / ")[2]
