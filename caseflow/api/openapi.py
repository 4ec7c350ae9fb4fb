"""``GET /api/v1/openapi.json``: the OpenAPI 3 description of the API (interfaces.md), no token.

Written by hand, next to the routes it describes; the workflow and trigger names are filled in
from ``workflows/`` so the enumerations cannot drift.
"""

from flask import jsonify

import workflows
from caseflow.api import bp


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    str(code): {"$ref": f"#/components/responses/{name}"}
    for code, name in (
        (400, "Malformed"),
        (401, "NotAuthenticated"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (409, "Conflict"),
        (422, "Invalid"),
    )
}


def _op(summary, responses, *, body=None, params=(), public=False):
    op = {"summary": summary, "responses": {**responses, **_ERRORS}}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = list(params)
    if public:
        op["security"] = []
    return op


def _query(name, schema, description=""):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict:
    instant = {"type": "string", "format": "date-time"}
    party = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["person", "company"]},
            "country": {"type": "string"},
            "contact": {"type": "string"},
        },
    }
    right = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["patent", "trademark", "copyright"]},
            "number": {"type": "string"},
            "patent_type": {"type": "string", "enum": ["invention", "utility_model", "design"]},
            "classification": {"type": "string"},
        },
    }
    triggers = sorted({t.trigger for wf in workflows.WORKFLOWS.values() for t in wf.TRANSITIONS})
    schemas = {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        },
        "Party": party,
        "Right": right,
        "CaseCreate": {
            "type": "object",
            "required": ["workflow", "complainant"],
            "properties": {
                "workflow": {"type": "string", "enum": list(workflows.WORKFLOWS)},
                "unit": {"type": "string", "description": "unit code; defaults to the user's"},
                "channel": {"type": "string"},
                "received_at": {**instant, "description": "not in the future; default now"},
                "title": {"type": "string"},
                "complainant": _ref("Party"),
                "respondent": _ref("Party"),
                "right": _ref("Right"),
                "fair_id": {"type": "integer"},
                "exhibitor_id": {"type": "integer"},
                "applicant_id": {"type": "integer"},
                "priority": {"type": "boolean"},
                "data": {"type": "object"},
            },
        },
        "Clock": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "label": {"type": "string"},
                "status": {
                    "type": "string",
                    "enum": ["running", "paused", "met", "breached", "cancelled"],
                },
                "started_at": instant,
                "due_at": instant,
                "provisional": {"type": "boolean"},
            },
        },
        "Event": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string"},
                "trigger": {"type": "string", "nullable": True},
                "from": {"type": "string", "nullable": True},
                "to": {"type": "string", "nullable": True},
                "occurred_at": instant,
                "recorded_at": instant,
                "actor": {"type": "string", "nullable": True},
                "note": {"type": "string"},
                "data": {"type": "object"},
            },
        },
        "CaseSummary": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "number": {"type": "string", "example": "ZS-ADJ-2026-00012"},
                "workflow": {"type": "string"},
                "unit": {"type": "string"},
                "state": {"type": "string"},
                "version": {"type": "integer"},
                "next_due_at": {**instant, "nullable": True},
            },
        },
        "Case": {
            "allOf": [
                _ref("CaseSummary"),
                {
                    "type": "object",
                    "properties": {
                        "complainant": _ref("Party"),
                        "respondent": _ref("Party"),
                        "right": _ref("Right"),
                        "clocks": {"type": "array", "items": _ref("Clock")},
                        "available_triggers": {"type": "array", "items": {"type": "object"}},
                        "events": {"type": "array", "items": _ref("Event")},
                        "notices": {"type": "array", "items": {"type": "object"}},
                        "linked_cases": {"type": "array", "items": {"type": "object"}},
                    },
                },
            ]
        },
        "Fire": {
            "type": "object",
            "required": ["trigger"],
            "properties": {
                "trigger": {"type": "string", "enum": triggers},
                "occurred_at": {
                    **instant,
                    "description": "default now; never in the future, never before the last event",
                },
                "note": {"type": "string"},
                "data": {"type": "object", "description": "the trigger's fields (GET /workflows)"},
                "version": {"type": "integer", "description": "stale → 409"},
            },
        },
    }

    def error(description):
        return _json(_ref("Error"), description)

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "caseflow API",
            "version": "1",
            "description": "Cases, clocks and notices of China's IP protection centres and "
            "trade-fair complaint desks. Errors are JSON with field-level reasons.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {
                "Malformed": error("malformed request"),
                "NotAuthenticated": error("no or bad token"),
                "Forbidden": error("role or unit scope"),
                "NotFound": error("not found"),
                "Conflict": error("state or version conflict"),
                "Invalid": error("invalid data; fields says which and why"),
            },
        },
        "paths": {
            "/openapi.json": {
                "get": _op("This document", {"200": _json({"type": "object"})}, public=True)
            },
            "/workflows": {
                "get": _op(
                    "Every workflow: states, transitions, clocks",
                    {"200": _json({"type": "object"})},
                )
            },
            "/workflows/{name}": {
                "get": _op(
                    "One workflow", {"200": _json({"type": "object"})}, params=[_path("name")]
                )
            },
            "/cases": {
                "get": _op(
                    "Cases visible to the user, soonest due first",
                    {"200": _json({"type": "object"})},
                    params=[
                        _query("workflow", {"type": "string", "enum": list(workflows.WORKFLOWS)}),
                        _query("state", {"type": "string"}),
                        _query("overdue", {"type": "boolean"}),
                        _query("due_before", instant),
                        _query("unit", {"type": "string"}),
                        _query("q", {"type": "string"}, "number, title or party name"),
                        _query("page", {"type": "integer", "minimum": 1}),
                    ],
                ),
                "post": _op(
                    "Open a case", {"201": _json(_ref("Case"), "Created")}, body=_ref("CaseCreate")
                ),
            },
            "/cases/{id}": {
                "get": _op("One case", {"200": _json(_ref("Case"))}, params=[_path("id")])
            },
            "/cases/{id}/transitions": {
                "post": _op(
                    "Fire a trigger",
                    {"200": _json(_ref("Case"))},
                    body=_ref("Fire"),
                    params=[_path("id")],
                )
            },
            "/stats": {
                "get": _op(
                    "Per workflow: opened, closed, open overdue, closing clocks met, median days",
                    {"200": _json({"type": "object"})},
                    params=[
                        _query("unit", {"type": "string"}),
                        _query("from", {"type": "string", "format": "date"}),
                        _query("to", {"type": "string", "format": "date"}),
                    ],
                )
            },
            "/alerts": {
                "get": _op(
                    "Alerts visible to the user",
                    {"200": _json({"type": "object"})},
                    params=[_query("since", instant), _query("level", {"type": "string"})],
                )
            },
            "/notices/{id}": {
                "get": _op(
                    "A notice's record", {"200": _json({"type": "object"})}, params=[_path("id")]
                )
            },
            "/notices/{id}.pdf": {
                "get": _op(
                    "A notice's PDF",
                    {"200": {"description": "PDF", "content": {"application/pdf": {}}}},
                    params=[_path("id")],
                )
            },
            "/calendar/{year}": {
                "get": _op(
                    "A calendar year", {"200": _json({"type": "object"})}, params=[_path("year")]
                ),
                "put": _op(
                    "Load a calendar year (admin)",
                    {"200": _json({"type": "object"})},
                    params=[_path("year")],
                ),
            },
            "/applicants": {
                "post": _op(
                    "Register an applicant's filing (备案)", {"201": _json({"type": "object"})}
                )
            },
            "/applicants/{id}/approve": {
                "post": _op(
                    "Approve a filing (supervisor)",
                    {"200": _json({"type": "object"})},
                    params=[_path("id")],
                )
            },
            "/fairs": {"post": _op("Create a fair", {"201": _json({"type": "object"})})},
            "/fairs/{id}": {
                "get": _op("A fair", {"200": _json({"type": "object"})}, params=[_path("id")])
            },
            "/fairs/{id}/exhibitors": {
                "post": _op(
                    "Add exhibitors (JSON list, CSV or XLSX)",
                    {"201": _json({"type": "object"})},
                    params=[_path("id")],
                )
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
