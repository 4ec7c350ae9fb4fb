"""The OpenAPI document describes every route under ``/api/v1`` (walked from ``app.url_map``),
every method with its request body, responses and errors, and is valid OpenAPI 3."""

import re

import pytest
from openapi_spec_validator import validate

PREFIX = "/api/v1"
BODY_METHODS = {"post", "put"}
#: Routes that take no body: the path says everything.
NO_BODY = {
    ("post", "/applicants/{applicant_id}/approve"),
    ("post", "/applicants/{applicant_id}/revoke"),
    ("post", "/cases/{case_id}/parties/{role}/link"),
    ("post", "/credit/{record_id}/publish"),
    ("post", "/alerts/outbox/retry"),
}


def _openapi_path(rule: str) -> str:
    """``/api/v1/fairs/<int:fair_id>`` → ``/fairs/{fair_id}``."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule[len(PREFIX) :])


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method.lower(), _openapi_path(rule.rule), rule


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get(f"{PREFIX}/openapi.json")  # no token needed
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_route_and_method_is_described(app, document):
    routes = list(_api_routes(app))
    assert len(routes) > 25
    missing = [(m, p) for m, p, _ in routes if m not in document["paths"].get(p, {})]
    assert missing == []
    # …and nothing is described that does not exist.
    served = {(m, p) for m, p, _ in routes}
    described = {(m, p) for p, item in document["paths"].items() for m in item}
    assert described - served == set()


def test_each_operation_has_parameters_bodies_responses_and_errors(app, document):
    for method, path, rule in _api_routes(app):
        operation = document["paths"][path][method]
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(rule.arguments), (method, path)
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), (method, path)
        for code in ("400", "403", "404", "422"):
            assert code in responses, (method, path, code)
        if path != "/openapi.json":
            assert "401" in responses
        if method in BODY_METHODS and (method, path) not in NO_BODY:
            assert "application/json" in operation["requestBody"]["content"], (method, path)


def test_refs_resolve(document):
    text = repr(document)
    schemas, responses = document["components"]["schemas"], document["components"]["responses"]
    for kind, name in re.findall(r"#/components/(schemas|responses)/(\w+)", text):
        assert name in (schemas if kind == "schemas" else responses), name


def test_the_error_shape_is_the_one_served(app, document):
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message", "fields"}
    served = app.test_client().get(f"{PREFIX}/me").get_json()  # 401 without a token
    assert set(served) == {"error"} and set(served["error"]) == {"code", "message", "fields"}


def test_served_bodies_carry_the_documented_properties(api, make_user, units, document):
    """A few real answers have exactly the documented top-level properties (no drift)."""
    admin = api(make_user("admin"))
    schemas = document["components"]["schemas"]
    for path, schema in (("/me", "Me"), ("/stats", "Stats"), ("/calendar/2026", "CalendarYear")):
        body = admin.get(PREFIX + path).get_json()
        assert set(body) <= set(schemas[schema]["properties"]), path
