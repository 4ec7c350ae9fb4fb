"""``GET /api/v1/openapi.json``: the OpenAPI 3 description of the API (interfaces.md), no token.

Written by hand, next to the routes it describes; the workflow and trigger names are filled in
from ``workflows/`` so the enumerations cannot drift.
"""

from flask import jsonify

import workflows
from caseflow.alerts.models import LEVELS
from caseflow.api import bp
from caseflow.apidoc import (
    _BOOL,
    _INSTANT,
    _INT,
    _NULL_INSTANT,
    _NULL_TEXT,
    _TEXT,
    NOTE_MAX,
    _id,
    _json,
    _nullable,
    _obj,
    _op,
    _path,
    _query,
    _ref,
    _text,
)
from caseflow.applicants.models import APPLICANT_STATUSES

#: A year's schedule file: a line a day at most, with room for long holiday names.
SCHEDULE_MAX = 100_000


def _schemas() -> dict:
    # Request bodies: a null optional field counts as absent only where ``nullable`` says so;
    # ``maxLength`` follows the columns, and every string of a body has one
    # (caseflow.api.schema validates bodies against these, and nothing else).
    party_fields = {
        "name": _text(200),
        "kind": _text(16, nullable=True, enum=["person", "company"]),
        "country": _text(64, nullable=True),
        "contact": _text(200, nullable=True),
        "code": _text(
            40,
            nullable=True,
            description="unified social credit code (统一社会信用代码), checksum verified",
        ),
    }
    party = _obj(party_fields, required=("name",))
    # A new case's complainant: whether it needs a name is the workflow's (the case service says
    # so on complainant.name); a pre-exam's requester is its filed applicant, and may add only
    # its contact (api.md).
    requester = _obj(party_fields)
    right = _obj(
        {
            "kind": _text(16, enum=["patent", "trademark", "copyright"]),
            "number": _text(100),
            "patent_type": _text(32, nullable=True, enum=["invention", "utility_model", "design"]),
            "classification": _text(100, nullable=True),
            # pre_exam's eligibility (procedures.md §2): neither may be pre-examined.
            "pct": {**_BOOL, "nullable": True, "description": "pre_exam: a PCT application"},
            "divisional": {
                **_BOOL,
                "nullable": True,
                "description": "pre_exam: a divisional application",
            },
        },
        required=("kind",),
    )
    triggers = sorted({t.trigger for wf in workflows.WORKFLOWS.values() for t in wf.TRANSITIONS})
    return {
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "code": _TEXT,
                        "message": {
                            "type": "string",
                            "description": "Chinese; English with Accept-Language: en",
                        },
                        # A reason per field; a list's rows nest (``{"rows": {"3": "…"}}``).
                        "fields": {"type": "object", "additionalProperties": {}},
                    },
                    required=("code", "message", "fields"),
                )
            },
            required=("error",),
        ),
        "Me": _obj(
            {
                "username": _TEXT,
                "display_name": _TEXT,
                "role": _TEXT,
                "unit": _NULL_TEXT,
            }
        ),
        "Token": _obj(
            {
                "id": _INT,
                "user": _TEXT,
                "created_at": _INSTANT,
                "expires_at": _NULL_INSTANT,
                "last_used_at": _NULL_INSTANT,
                "revoked": _BOOL,
            }
        ),
        "Party": party,
        "Requester": requester,
        "Right": right,
        "CaseCreate": _obj(
            {
                "workflow": _text(32, enum=list(workflows.WORKFLOWS)),
                "unit": _text(16, nullable=True, description="unit code; defaults to the user's"),
                "channel": _text(32, nullable=True),
                "received_at": _text(
                    64,
                    nullable=True,
                    format="date-time",
                    description="not in the future; default now",
                ),
                "title": _text(300, nullable=True),
                "complainant": {
                    **_nullable(_ref("Requester")),
                    "description": "required, but for pre_exam: its requester is the filed "
                    "applicant (applicant_id), under the filing's name and credit code; and for "
                    "a penalty, opened directly from an inspection (channel inspection), where "
                    "a reporter may be named",
                },
                "respondent": _nullable(_ref("Party")),
                "right": _nullable(_ref("Right")),
                "fair_id": _id("fair_complaint: the fair"),
                "exhibitor_id": _id("fair_complaint: the exhibitor, at that fair"),
                "applicant_id": _id("pre_exam: an approved filing (备案) of the unit"),
                "priority": {**_BOOL, "nullable": True},
                "data": {"type": "object", "nullable": True},
            },
            required=("workflow",),
        ),
        "Clock": _obj(
            {
                "name": _TEXT,
                "label": _TEXT,
                "status": {
                    "type": "string",
                    "enum": ["running", "paused", "met", "breached", "cancelled"],
                },
                "period": _NULL_TEXT,
                "started_at": _INSTANT,
                "due_at": _INSTANT,
                "due_on": {
                    "type": "string",
                    "format": "date",
                    "description": "the last day (local); due_at is its 24:00 instant",
                },
                "due_text": _TEXT,
                "provisional": {**_BOOL, "description": "this clock's own due date is provisional"},
                "paused_at": _NULL_INSTANT,
                "stopped_at": _NULL_INSTANT,
                "extended": {},
            }
        ),
        "Event": _obj(
            {
                "id": _INT,
                "kind": _TEXT,
                "trigger": _NULL_TEXT,
                "from": _NULL_TEXT,
                "to": _NULL_TEXT,
                "occurred_at": _INSTANT,
                "recorded_at": _INSTANT,
                "actor": _NULL_TEXT,
                "note": _NULL_TEXT,
                "data": {"type": "object", "nullable": True},
            }
        ),
        "CaseSummary": _obj(
            {
                "id": _TEXT,
                "number": {"type": "string", "example": "ZS-ADJ-2026-00012"},
                "workflow": _TEXT,
                "unit": _TEXT,
                "state": _TEXT,
                "state_label": _TEXT,
                "is_closed": _BOOL,
                "version": _INT,
                "title": _TEXT,
                "priority": _BOOL,
                "complainant": _ref("Party"),
                "respondent": _ref("Party"),
                "received_at": _INSTANT,
                "next_due_at": _NULL_INSTANT,
                "repeat_of": {"type": "array", "items": _ref("RepeatOf")},
            }
        ),
        "RepeatOf": _obj(
            {
                "number": _TEXT,
                "unit": _TEXT,
                "kind": _TEXT,
                "decided_on": {"type": "string", "format": "date", "nullable": True},
                "patent_number": {
                    **_NULL_TEXT,
                    "description": "only for the asking unit's own cases",
                },
                "match": {"type": "string", "enum": ["code", "name"]},
                "same_patent": {
                    "type": "boolean",
                    "description": "the finding was on this case's patent (in any unit)",
                },
            }
        ),
        "Credit": _obj(
            {
                "id": _INT,
                "kind": {"type": "string", "enum": [k for k, _ in workflows.credit.KINDS]},
                "kind_label": _TEXT,
                "unit": _TEXT,
                "subject": _obj({"name": _TEXT, "code": _NULL_TEXT}),
                "case_number": _TEXT,
                "decided_on": {"type": "string", "format": "date"},
                "status": {
                    "type": "string",
                    "enum": [k for k, _ in workflows.credit.STATUSES],
                    "description": "absent for another unit's unpublished record",
                },
                "status_label": _TEXT,
                "case_id": _NULL_TEXT,
                "document_number": _NULL_TEXT,
                "patent_number": _NULL_TEXT,
                "minor": _BOOL,
                "published_on": {"type": "string", "format": "date", "nullable": True},
                "display_until": {"type": "string", "format": "date", "nullable": True},
                "display_until_provisional": {
                    **_BOOL,
                    "description": "display_until was counted on a provisional year "
                    "(deadlines.md §1)",
                },
                "repair_eligible_on": {"type": "string", "format": "date", "nullable": True},
                "repair_eligible_on_provisional": {
                    **_BOOL,
                    "description": "repair_eligible_on was counted on a provisional year",
                },
                "revoked_at": _NULL_INSTANT,
                "ended_at": _NULL_INSTANT,
                "details": {"type": "object"},
                "end_reason": _TEXT,
                "clocks": {
                    "type": "array",
                    "items": {
                        "allOf": [
                            _ref("Clock"),
                            _obj(
                                {
                                    "case_clock": {
                                        **_TEXT,
                                        "description": "the clock's name among its case's "
                                        "clocks (credit_publication.17)",
                                    }
                                }
                            ),
                        ]
                    },
                    "description": "named as credit.md names them: publication, display, "
                    "repair_eligible, withdrawal",
                },
            }
        ),
        "CreditPage": _obj(
            {
                "items": {"type": "array", "items": _ref("Credit")},
                "total": _INT,
                "page": _INT,
                "pages": _INT,
            }
        ),
        "CreditCreate": _obj(
            {
                "kind": _text(32, enum=["noncompliance"]),
                "subject": _obj(
                    {"name": _text(200), "code": _text(40, nullable=True)},
                    required=("name",),
                    description="the case's respondent, the party its decision binds (by code "
                    "where both have one, else by folded name; another → 422); omitted: the "
                    "respondent",
                ),
                "case_id": _text(32),
                "note": _text(NOTE_MAX, nullable=True),
                "occurred_at": _text(64, nullable=True, format="date-time"),
            },
            required=("kind", "case_id"),
        ),
        "CreditStep": _obj(
            {
                "reason": _text(NOTE_MAX, minLength=1),
                "occurred_at": _text(64, nullable=True, format="date-time"),
            },
            required=("reason",),
        ),
        "Case": {
            "allOf": [
                _ref("CaseSummary"),
                _obj(
                    {
                        "channel": _NULL_TEXT,
                        "right": _ref("Right"),
                        "data": {"type": "object", "nullable": True},
                        "fair_id": {**_INT, "nullable": True},
                        "exhibitor_id": {**_INT, "nullable": True},
                        "applicant_id": {**_INT, "nullable": True},
                        "assignee": _NULL_TEXT,
                        "opened_at": _INSTANT,
                        "closed_at": _NULL_INSTANT,
                        "clocks": {"type": "array", "items": _ref("Clock")},
                        "available_triggers": {
                            "type": "array",
                            "items": _obj({"trigger": _TEXT, "label": _TEXT, "dest": _NULL_TEXT}),
                        },
                        "events": {"type": "array", "items": _ref("Event")},
                        "notices": {"type": "array", "items": _ref("NoticeBrief")},
                        "linked_cases": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "id": _TEXT,
                                    "number": _TEXT,
                                    "workflow": _TEXT,
                                    "state": _TEXT,
                                    "kind": _TEXT,
                                    "direction": _TEXT,
                                }
                            ),
                        },
                        "read_only": {
                            **_BOOL,
                            "description": "true: another unit's case linked to one of yours, "
                            "followed as the case page shows it — no available_triggers, the "
                            "parties without their contacts, no data, no event notes or data, "
                            "no notice delivery, only the links to your unit's cases; the "
                            "evidence stays with the handling unit",
                        },
                    }
                ),
            ]
        },
        "CasePage": _obj(
            {
                "items": {"type": "array", "items": _ref("CaseSummary")},
                "total": _INT,
                "page": _INT,
                "per_page": _INT,
            }
        ),
        "Fire": _obj(
            {
                "trigger": _text(40, enum=triggers),
                "occurred_at": _text(
                    64,
                    nullable=True,
                    format="date-time",
                    description="default now; never in the future, never before the last event",
                ),
                "note": _text(NOTE_MAX, nullable=True),
                "data": {
                    "type": "object",
                    "nullable": True,
                    "description": "the trigger's fields (GET /workflows)",
                },
                "version": {"type": "integer", "nullable": True, "description": "stale → 409"},
            },
            required=("trigger",),
        ),
        # Drafts, compensation, mediation sessions (caseflow.api.case_documents).
        "Draft": _obj(
            {
                "findings": _text(50000, nullable=True, description="经审理查明; paragraphs"),
                "reasoning": _text(50000, nullable=True, description="本中心认为"),
                "items": {
                    "type": "array",
                    "nullable": True,
                    "items": _text(50000),
                    "description": "the operative items, numbered when printed",
                },
                "terms": {
                    "type": "array",
                    "nullable": True,
                    "items": _text(50000),
                    "description": "an agreement's terms, numbered when printed",
                },
            },
            description="the drafted fields of the step's document (GET .../drafts)",
        ),
        "Compensation": _obj(
            {
                "basis": _text(
                    20, enum=["actual_loss", "infringer_profit", "licence_fee", "statutory"]
                ),
                **{
                    name: {
                        # A number, or a decimal string as a form sends it ("5,000.50").
                        "anyOf": [
                            {"type": "number", "nullable": True},
                            _text(32, nullable=True),
                        ],
                        "nullable": True,
                        "description": f"{what}: a number or a decimal string, to the fen",
                    }
                    for name, what in (
                        ("actual_loss", "the right holder's actual loss (RMB)"),
                        ("infringer_profit", "the infringer's profits (RMB)"),
                        ("licence_fee", "a reasonable licence fee (RMB)"),
                        ("multiple", "the licence fee's multiple, 1–5 (licence_fee × multiple)"),
                        ("licence_multiple", "the older name of multiple; the same value"),
                        ("statutory_amount", "30,000–5,000,000 RMB"),
                        ("punitive_multiple", "1–5, with wilful"),
                        ("costs", "reasonable costs of stopping the infringement (RMB)"),
                    )
                },
                "wilful": {"type": "boolean", "nullable": True},
                "explanation": _text(5000, nullable=True),
            },
            required=("basis",),
        ),
        "MediationSession": _obj(
            {
                "held_on": _text(10, format="date"),
                "attendees": {"type": "array", "items": _text(100)},
                "outcome": _text(5000),
            },
            required=("held_on", "attendees", "outcome"),
        ),
        "Assign": _obj(
            {
                "assignee": _text(
                    80,
                    nullable=True,
                    description="a username of the case's unit (not a viewer); null unassigns",
                ),
                "version": {"type": "integer", "nullable": True, "description": "stale → 409"},
            },
            required=("assignee",),
        ),
        "Workflow": _obj(
            {
                "name": _TEXT,
                "code": _TEXT,
                "label": _TEXT,
                "initial": _TEXT,
                "states": {
                    "type": "array",
                    "items": _obj({"name": _TEXT, "label": _TEXT, "final": _BOOL}),
                },
                "transitions": {
                    "type": "array",
                    "items": _obj(
                        {
                            "trigger": _TEXT,
                            "label": _TEXT,
                            "sources": {"type": "array", "items": _TEXT},
                            "dest": _NULL_TEXT,
                            "roles": {"type": "array", "items": _TEXT},
                            "fields": {"type": "array", "items": {"type": "object"}},
                        }
                    ),
                },
                "clocks": {"type": "array", "items": {"type": "object"}},
            }
        ),
        "Stats": _obj(
            {
                "workflows": {
                    "type": "array",
                    "items": _obj(
                        {
                            "workflow": _TEXT,
                            "label": _TEXT,
                            "opened": _INT,
                            "closed": _INT,
                            "open_overdue": _INT,
                            "closing_clock": _NULL_TEXT,
                            "closing_met_share": {"type": "number", "nullable": True},
                            "median_days_to_close": {"type": "number", "nullable": True},
                            "period_from": {"type": "string", "format": "date"},
                            "period_to": {"type": "string", "format": "date"},
                            "clocks_met": _INT,
                            "clocks_missed": {
                                **_INT,
                                "description": "stopped late, or still running past due",
                            },
                            "on_time_share": {"type": "number", "nullable": True},
                        }
                    ),
                }
            }
        ),
        "Alert": _obj(
            {
                "id": _INT,
                "level": {"type": "string", "enum": list(LEVELS)},
                "label": _TEXT,
                "case_id": _TEXT,
                "case_number": _TEXT,
                "clock": _TEXT,
                "clock_label": _TEXT,
                "due_at": _INSTANT,
                "due_on": {"type": "string", "format": "date"},
                "due_text": _TEXT,
                "provisional": {
                    **_BOOL,
                    "description": "the due date falls in a year counted on a provisional calendar",
                },
                "moment_at": _INSTANT,
                "raised_at": _INSTANT,
                "late": _BOOL,
                "acknowledged_at": _NULL_INSTANT,
                "acknowledged_by": _NULL_TEXT,
                "ack_note": _NULL_TEXT,
            }
        ),
        "Approvals": _obj(
            {
                "total": _INT,
                "items": {
                    "type": "array",
                    "items": _obj(
                        {
                            "kind": {
                                "type": "string",
                                "enum": ["case", "credit"],
                                "description": "a case waiting for a supervisor-only step, or "
                                "a credit record of the unit to publish or withdraw",
                            },
                            "case_id": _TEXT,
                            "case_number": _TEXT,
                            "workflow": _TEXT,
                            "state": _TEXT,
                            "assignee": _NULL_TEXT,
                            "triggers": {
                                "type": "array",
                                "items": _obj({"trigger": _TEXT, "label": _TEXT}),
                            },
                            "waiting_since": _INSTANT,
                            "waiting_hours": {"type": "number"},
                            "waiting_text": _TEXT,
                            "url": {
                                "type": "string",
                                "description": "the page to act on: the case's, or the record's",
                            },
                            "action": {
                                "type": "string",
                                "enum": ["publish", "withdraw"],
                                "description": "credit only: the step the record waits for",
                            },
                            "action_label": _TEXT,
                            "due_at": _NULL_INSTANT,
                            "due_on": {"type": "string", "format": "date", "nullable": True},
                            "due_text": _NULL_TEXT,
                            "record": _obj(
                                {
                                    "id": _INT,
                                    "kind": {
                                        "type": "string",
                                        "enum": [k for k, _ in workflows.credit.KINDS],
                                    },
                                    "kind_label": _TEXT,
                                    "status": {
                                        "type": "string",
                                        "enum": [k for k, _ in workflows.credit.STATUSES],
                                    },
                                    "status_label": _TEXT,
                                    "subject": _obj({"name": _TEXT, "code": _NULL_TEXT}),
                                    "document_number": _NULL_TEXT,
                                    "decided_on": {"type": "string", "format": "date"},
                                    "revoked_at": _NULL_INSTANT,
                                }
                            ),
                        }
                    ),
                },
            }
        ),
        "StatsReport": _obj(
            {
                "year": _INT,
                "unit": _NULL_TEXT,
                "unit_name": _NULL_TEXT,
                "generated_at": _INSTANT,
                "workflows": {"type": "array", "items": {"type": "object"}},
            }
        ),
        "AlertList": _obj(
            {
                "alerts": {"type": "array", "items": _ref("Alert")},
                "unread": _INT,
                "total": {**_INT, "description": "alerts matching the filters, on every page"},
                "page": _INT,
                "next": {
                    **_NULL_TEXT,
                    "description": "the address of the next page; null on the last",
                },
            }
        ),
        "Acknowledge": _obj(
            {"note": _text(NOTE_MAX, description="why; required, not blank")},
            required=("note",),
        ),
        "Outbox": _obj(
            {
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "problems": {
                    "type": "array",
                    "items": _obj(
                        {
                            "id": _INT,
                            "alert_id": _INT,
                            "case_number": _TEXT,
                            "channel": {"type": "string", "enum": ["email", "webhook", "inapp"]},
                            "recipient": _TEXT,
                            "status": _TEXT,
                            "attempts": _INT,
                            "next_attempt_at": _NULL_INSTANT,
                            "last_error": _NULL_TEXT,
                        }
                    ),
                },
                "account_mails": _obj(
                    {
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "problems": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "id": _INT,
                                    "username": _TEXT,
                                    "kind": {
                                        "type": "string",
                                        "enum": [
                                            "password_changed",
                                            "password_reset",
                                            "token_created",
                                        ],
                                    },
                                    "recipient": _TEXT,
                                    "status": _TEXT,
                                    "attempts": _INT,
                                    "next_attempt_at": _NULL_INSTANT,
                                    "last_error": _NULL_TEXT,
                                }
                            ),
                        },
                    },
                    description="mails telling users of a credential change (password, token)",
                ),
            }
        ),
        "NoticeBrief": _obj(
            {
                "id": _INT,
                "kind": _TEXT,
                "title": _TEXT,
                "document_number": _NULL_TEXT,
                "status": _TEXT,
                "issued_at": _NULL_INSTANT,
                "sha256": _NULL_TEXT,
                "event_id": {**_INT, "nullable": True},
                "addressee_role": {
                    "type": "string",
                    "nullable": True,
                    "description": "complainant, respondent, parties (a ruling served on both "
                    "sides), authority (a letter to another authority or a court, served on no "
                    "party) or other",
                },
            }
        ),
        "Notice": {
            "allOf": [
                _ref("NoticeBrief"),
                _obj(
                    {
                        "case_id": _TEXT,
                        "addressee": {"allOf": [_ref("Party")], "nullable": True},
                        "rendered_at": _NULL_INSTANT,
                        "size": {**_INT, "nullable": True},
                        "verification_code": _NULL_TEXT,
                        "replaces_id": {**_INT, "nullable": True},
                        "pdf_url": _NULL_TEXT,
                    }
                ),
            ]
        },
        "Correction": _obj({"note": _text(NOTE_MAX, description="what was wrong")}),
        "CalendarYear": _obj(
            {
                "year": _INT,
                "status": {"type": "string", "enum": ["official", "provisional"]},
                "source": _NULL_TEXT,
                "loaded_at": _NULL_INSTANT,
                "loaded_by": _NULL_TEXT,
                "days": {
                    "type": "array",
                    "items": _obj(
                        {
                            "date": {"type": "string", "format": "date"},
                            "kind": {"type": "string", "enum": ["holiday", "workday"]},
                            "name": _TEXT,
                            "source": _NULL_TEXT,
                        }
                    ),
                },
                "moved": {
                    "type": "array",
                    "description": "PUT only: open clocks whose due date moved",
                    "items": _obj(
                        {
                            "case_id": _TEXT,
                            "case_number": _TEXT,
                            "clock": _TEXT,
                            "due_before": _INSTANT,
                            "due_after": _INSTANT,
                            "due_on_before": {
                                "type": "string",
                                "format": "date",
                                "description": "the last day before the load (YYYY-MM-DD)",
                            },
                            "due_on_after": {
                                "type": "string",
                                "format": "date",
                                "description": "the last day after the load",
                            },
                        }
                    ),
                },
            }
        ),
        "CalendarLoad": {
            "oneOf": [
                _obj(
                    {"text": _text(SCHEDULE_MAX, description="the schedule file"), "source": _text(200)},
                    required=("text",),
                    additionalProperties=False,
                ),
                _obj(
                    {
                        "days": {
                            "type": "array",
                            "maxItems": 366,
                            "items": _obj(
                                {
                                    "date": _text(10, format="date"),
                                    "kind": {"type": "string", "enum": ["holiday", "workday"]},
                                    "name": _text(100),
                                },
                                required=("date", "kind"),
                            ),
                        },
                        "source": _text(200),
                    },
                    required=("days",),
                    additionalProperties=False,
                ),
            ]
        },
        "ApplicantCreate": _obj(
            {
                "name": _text(200),
                "credit_code": _text(
                    64, description="统一社会信用代码, 18 characters with a valid check character"
                ),
                "unit": _text(16, nullable=True, description="unit code; defaults to the user's"),
            },
            required=("name", "credit_code"),
        ),
        "ApplicantDecision": _obj(
            {"reason": _text(1000, nullable=True, description="why (required to reject)")}
        ),
        "Applicant": _obj(
            {
                "id": _INT,
                "unit": _TEXT,
                "name": _TEXT,
                "credit_code": _TEXT,
                "status": {"type": "string", "enum": list(APPLICANT_STATUSES)},
                "status_label": _TEXT,
                "registered_at": _INSTANT,
                "approved_by": _NULL_TEXT,
                "approved_at": _NULL_INSTANT,
                "revoked_at": _NULL_INSTANT,
                "end_reason": _NULL_TEXT,
            }
        ),
        "ApplicantList": _obj({"applicants": {"type": "array", "items": _ref("Applicant")}}),
        "FairCreate": _obj(
            {
                "name": _text(200),
                "venue": _text(200, nullable=True),
                "opens_at": _text(64, format="date-time"),
                "closes_at": _text(64, format="date-time"),
                "organiser": _text(200, nullable=True),
                "unit": _text(16, nullable=True, description="a fair-desk unit code; default own"),
            },
            required=("name", "opens_at", "closes_at"),
        ),
        "Fair": _obj(
            {
                "id": _INT,
                "unit": _TEXT,
                "name": _TEXT,
                "venue": _TEXT,
                "organiser": _NULL_TEXT,
                "opens_at": _INSTANT,
                "closes_at": _INSTANT,
                "exhibitors": {"type": "array", "items": _ref("Exhibitor")},
            }
        ),
        "FairList": _obj({"fairs": {"type": "array", "items": _ref("Fair")}}),
        "ExhibitorRow": _obj(
            {
                "name": _text(200),
                "booth": _text(40),
                "country": _text(64, nullable=True, description="ISO code or a Chinese name"),
                "credit_code": _text(
                    40,
                    nullable=True,
                    description="unified social credit code, where known (checksum verified)",
                ),
            },
            required=("name", "booth"),
        ),
        "ExhibitorsAdd": {
            "oneOf": [
                {"type": "array", "items": _ref("ExhibitorRow"), "minItems": 1},
                _obj(
                    {"exhibitors": {"type": "array", "items": _ref("ExhibitorRow")}},
                    required=("exhibitors",),
                ),
            ]
        },
        "Exhibitor": _obj(
            {
                "id": _INT,
                "fair_id": _INT,
                "name": _TEXT,
                "booth": _TEXT,
                "credit_code": _NULL_TEXT,
                "country": _NULL_TEXT,
                "infringement_fair_ids": {"type": "array", "items": _INT},
                "is_repeat_infringer": _BOOL,
                "flag": _NULL_TEXT,
            }
        ),
        "ExhibitorList": _obj({"exhibitors": {"type": "array", "items": _ref("Exhibitor")}}),
        "ExhibitorsAdded": _obj(
            {
                "added": _INT,
                "exhibitors": {"type": "array", "items": _obj({"id": _INT, "booth": _TEXT})},
            }
        ),
    }


def _paths() -> dict:
    ok = _json
    case_id, applicant_id = _path("case_id"), _path("applicant_id", "integer")
    fair_id, notice_id = _path("fair_id", "integer"), _path("notice_id", "integer")
    record_id = _path("record_id", "integer")
    return {
        "/openapi.json": {
            "get": _op("This document", {"200": ok({"type": "object"})}, public=True)
        },
        "/me": {"get": _op("Who this token belongs to", {"200": ok(_ref("Me"))})},
        "/tokens": {
            "get": _op(
                "The caller's API tokens (admins: everyone's); never the secret itself",
                {"200": ok(_obj({"tokens": {"type": "array", "items": _ref("Token")}}))},
            )
        },
        "/tokens/{token_id}": {
            "delete": _op(
                "Revoke an API token at once (one's own; admins any)",
                {"200": ok(_ref("Token"))},
                params=[_path("token_id", "integer")],
            )
        },
        "/workflows": {
            "get": _op(
                "Every workflow: states, transitions, clocks",
                {"200": ok(_obj({"workflows": {"type": "array", "items": _ref("Workflow")}}))},
            )
        },
        "/workflows/{name}": {
            "get": _op("One workflow", {"200": ok(_ref("Workflow"))}, params=[_path("name")])
        },
        "/cases": {
            "get": _op(
                "Cases visible to the user, soonest due first",
                {"200": ok(_ref("CasePage"))},
                params=[
                    _query("workflow", {"type": "string", "enum": list(workflows.WORKFLOWS)}),
                    _query("state", _TEXT, "a state of the workflow (of any, without one); else 422"),
                    _query("overdue", _BOOL),
                    _query("due_before", _INSTANT),
                    _query("unit", _TEXT, "a unit code; another unit than your own is a 403"),
                    _query("q", _TEXT, "number, title or party name"),
                    _query("page", {"type": "integer", "minimum": 1}),
                ],
            ),
            "post": _op(
                "Open a case", {"201": ok(_ref("Case"), "Created")}, body=_ref("CaseCreate")
            ),
        },
        "/cases/{case_id}": {
            "get": _op(
                "One case of your unit; or, read-only (read_only true), another unit's case "
                "linked to one of yours, as the web page shows it",
                {"200": ok(_ref("Case"))},
                params=[case_id],
            )
        },
        "/cases/{case_id}/transitions": {
            "post": _op(
                "Fire a trigger", {"200": ok(_ref("Case"))}, body=_ref("Fire"), params=[case_id]
            )
        },
        "/cases/{case_id}/assign": {
            "post": _op(
                "Assign the case (supervisors and admins of its unit)",
                {"200": ok(_ref("Case"))},
                body=_ref("Assign"),
                params=[case_id],
            )
        },
        "/cases/{case_id}/drafts": {
            "get": _op(
                "The case's drafts: which may be edited now, their fields and saved text",
                {"200": ok({"type": "object"})},
                params=[case_id],
            )
        },
        "/cases/{case_id}/drafts/{kind}": {
            "put": _op(
                "Save the draft of a document (editable until the step that issues it fires)",
                {"200": ok({"type": "object"})},
                body=_ref("Draft"),
                params=[case_id, _path("kind")],
            )
        },
        "/cases/{case_id}/drafts/{kind}/preview": {
            "get": _op(
                "The draft rendered as the notice will be: PDF, or HTML with format=html",
                {
                    "200": {
                        "description": "the preview",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                            "text/html": {"schema": {"type": "string"}},
                        },
                    }
                },
                params=[
                    case_id,
                    _path("kind"),
                    _query("format", {"type": "string", "enum": ["pdf", "html"]}),
                ],
            )
        },
        "/cases/{case_id}/compensation": {
            "get": _op(
                "The compensation worksheet: its fields, amount and range (numbers) on top, the"
                " stored worksheet (decimal strings) in compensation, null when none",
                {"200": ok({"type": "object"})},
                params=[case_id],
            ),
            "put": _op(
                "Compute and keep the compensation worksheet (Patent Law art 71); answers as GET",
                {"200": ok({"type": "object"})},
                body=_ref("Compensation"),
                params=[case_id],
            ),
        },
        "/cases/{case_id}/mediation-sessions": {
            "get": _op(
                "The mediation session log", {"200": ok({"type": "object"})}, params=[case_id]
            ),
            "post": _op(
                "Record a mediation session",
                {"201": ok({"type": "object"}, "Created")},
                body=_ref("MediationSession"),
                params=[case_id],
            ),
        },
        "/cases/{case_id}/confirmation-bundle": {
            "get": _op(
                "One ZIP for the court, streamed: notices, evidence, audit trail, manifest.json; "
                "a mediation's only once an agreement was reached (before: 409)",
                {
                    "200": {
                        "description": "the ZIP",
                        "content": {
                            "application/zip": {"schema": {"type": "string", "format": "binary"}}
                        },
                    }
                },
                params=[case_id],
            )
        },
        "/stats": {
            "get": _op(
                "Per workflow: opened, closed, open overdue, closing clocks met, median days",
                {"200": ok(_ref("Stats"))},
                params=[
                    _query("unit", _TEXT, "a unit code; another unit than your own is a 403"),
                    _query("from", {"type": "string", "format": "date"}),
                    _query("to", {"type": "string", "format": "date"}),
                ],
            )
        },
        "/stats/report": {
            "get": _op(
                "Annual statistics per workflow (the yearly returns to CNIPA and the province)",
                {"200": ok(_ref("StatsReport"))},
                params=[_query("year", _INT), _query("unit", _TEXT)],
            )
        },
        "/approvals": {
            "get": _op(
                "Cases waiting for a supervisor-only step and the unit's credit records to "
                "publish or withdraw, longest waiting first (supervisors)",
                {"200": ok(_ref("Approvals"))},
                params=[_query("limit", {"type": "integer", "minimum": 1, "maximum": 500})],
            )
        },
        "/alerts": {
            "get": _op(
                "Alerts visible to the user, newest first",
                {"200": ok(_ref("AlertList"))},
                params=[
                    _query("since", _INSTANT),
                    _query("level", {"type": "string", "enum": list(LEVELS)}),
                    _query("open", {"type": "string", "enum": ["true"]}, "unacknowledged only"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "a page"),
                    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
                ],
            )
        },
        "/alerts/{alert_id}/acknowledge": {
            "post": _op(
                "Acknowledge an alert (supervisors and admins of its unit)",
                {"200": ok(_ref("Alert"))},
                body=_ref("Acknowledge"),
                params=[_path("alert_id", "integer")],
            )
        },
        "/alerts/outbox": {
            "get": _op(
                "Failed and retrying deliveries (admins): alert messages and account mails",
                {"200": ok(_ref("Outbox"))},
            )
        },
        "/alerts/outbox/retry": {
            "post": _op(
                "Send every failed alert message and account mail again at once, each with a "
                "fresh count of attempts (admins): how many of each",
                {
                    "200": ok(
                        _obj({"alert_messages": _INT, "account_mails": _INT}),
                    )
                },
            )
        },
        "/notices/{notice_id}": {
            "get": _op("A notice's record", {"200": ok(_ref("Notice"))}, params=[notice_id])
        },
        "/notices/{notice_id}.pdf": {
            "get": _op(
                "A notice's PDF",
                {
                    "200": {
                        "description": "PDF",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    }
                },
                params=[notice_id],
            )
        },
        "/notices/{notice_id}/corrections": {
            "post": _op(
                "Issue a correction of the latest notice (supervisors)",
                {"201": ok(_ref("Notice"), "Created")},
                body=_ref("Correction"),
                params=[notice_id],
            )
        },
        "/calendar/{year}": {
            "get": _op(
                "A calendar year (with `unit`: that unit's local closures)",
                {"200": ok(_ref("CalendarYear"))},
                params=[_path("year", "integer"), _query("unit", _TEXT)],
            ),
            "put": _op(
                "Load a year's official schedule, or with `unit` that unit's local closures "
                "(admin); same effect as `calendar load [--unit CODE]`",
                {"200": ok(_ref("CalendarYear"))},
                body=_ref("CalendarLoad"),
                text_body="lines `YYYY-MM-DD holiday NAME` / `YYYY-MM-DD workday NAME`",
                params=[_path("year", "integer"), _query("unit", _TEXT)],
            ),
        },
        "/applicants": {
            "get": _op(
                "The filings of the user's unit (admins name one)",
                {"200": ok(_ref("ApplicantList"))},
                params=[
                    _query("unit", _TEXT, "a unit code; another unit than your own is a 403"),
                    _query(
                        "status",
                        {"type": "string", "enum": list(APPLICANT_STATUSES)},
                    ),
                ],
            ),
            "post": _op(
                "Register an applicant's filing (备案)",
                {"201": ok(_ref("Applicant"), "Created")},
                body=_ref("ApplicantCreate"),
            ),
        },
        "/applicants/{applicant_id}": {
            "get": _op("A filing", {"200": ok(_ref("Applicant"))}, params=[applicant_id])
        },
        "/applicants/{applicant_id}/approve": {
            "post": _op(
                "Approve a filing (supervisor)",
                {"200": ok(_ref("Applicant"))},
                params=[applicant_id],
            )
        },
        "/applicants/{applicant_id}/revoke": {
            "post": _op(
                "Revoke an approved filing (supervisor); the reason is logged",
                {"200": ok(_ref("Applicant"))},
                params=[applicant_id],
                body=_ref("ApplicantDecision"),
            )
        },
        "/applicants/{applicant_id}/reject": {
            "post": _op(
                "Reject a pending filing, with a reason (supervisor); the code may be filed again",
                {"200": ok(_ref("Applicant"))},
                params=[applicant_id],
                body=_ref("ApplicantDecision"),
            )
        },
        "/credit": {
            "get": _op(
                "The credit register, every unit (another unit's unpublished record: only the "
                "fact, number, unit and date)",
                {"200": ok(_ref("CreditPage"))},
                params=[
                    _query("q", _TEXT, "subject name, case or document number"),
                    _query("code", _TEXT, "unified social credit code"),
                    _query(
                        "kind", {"type": "string", "enum": [k for k, _ in workflows.credit.KINDS]}
                    ),
                    _query(
                        "status",
                        {"type": "string", "enum": [k for k, _ in workflows.credit.STATUSES]},
                    ),
                    _query("page", _INT),
                ],
            ),
            "post": _op(
                "Record noncompliance (拒不执行) against one of the unit's cases (supervisor)",
                {"201": ok(_ref("Credit"), "Created")},
                body=_ref("CreditCreate"),
            ),
        },
        "/credit/{record_id}": {
            "get": _op("One credit record", {"200": ok(_ref("Credit"))}, params=[record_id])
        },
        "/credit/{record_id}/publish": {
            "post": _op(
                "Publish a pending record (supervisor of its unit); twice → 409",
                {"200": ok(_ref("Credit"))},
                params=[record_id],
            )
        },
        **{
            f"/credit/{{record_id}}/{step}": {
                "post": _op(
                    summary,
                    {"200": ok(_ref("Credit"))},
                    params=[record_id],
                    body=_ref("CreditStep"),
                )
            }
            for step, summary in (
                (
                    "repair",
                    "Approve credit repair with a reason (supervisor); before "
                    "repair_eligible_on → 409 naming the date",
                ),
                (
                    "revoke",
                    "The source decision was revoked: the 3-workday withdrawal clock starts",
                ),
                (
                    "withdraw",
                    "Withdraw the record (off the public list) once its decision's revocation is "
                    "recorded; before → 409",
                ),
            )
        },
        "/fairs": {
            "get": _op("Fairs visible to the user", {"200": ok(_ref("FairList"))}),
            "post": _op(
                "Create a fair (fair-desk staff)",
                {"201": ok(_ref("Fair"), "Created")},
                body=_ref("FairCreate"),
            ),
        },
        "/fairs/{fair_id}": {
            "get": _op("A fair with its exhibitors", {"200": ok(_ref("Fair"))}, params=[fair_id])
        },
        "/fairs/{fair_id}/exhibitors": {
            "get": _op(
                "Search the fair's exhibitors (name or booth), with the repeat-infringer flag",
                {"200": ok(_ref("ExhibitorList"))},
                params=[fair_id, _query("q", _TEXT)],
            ),
            "post": _op(
                "Add exhibitors, all or none: a JSON list, or a CSV/XLSX upload as `file`",
                {"201": ok(_ref("ExhibitorsAdded"), "Created")},
                body=_ref("ExhibitorsAdd"),
                upload=True,
                params=[fair_id],
            ),
        },
    }


def openapi_document() -> dict:
    from caseflow.parties.openapi import party_paths, party_schemas

    def error(description):
        return _json(_ref("Error"), description)

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "caseflow API",
            "version": "1",
            "description": "Cases, clocks and notices of China's IP protection centres and "
            "trade-fair complaint desks. Errors are JSON with field-level reasons, in Chinese, "
            "or in English with `Accept-Language: en`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**_schemas(), **party_schemas()},
            "responses": {
                "Malformed": error("malformed request"),
                "NotAuthenticated": error("no or bad token"),
                "Forbidden": error("role or unit scope"),
                "NotFound": error("not found"),
                "Conflict": error("state or version conflict"),
                "Invalid": error("invalid data; fields says which and why"),
            },
        },
        "paths": {**_paths(), **party_paths()},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
