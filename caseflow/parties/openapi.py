"""The parties area's part of the OpenAPI document (parties.md, interfaces.md), merged into
``caseflow.api.openapi``."""


def party_schemas() -> dict:
    from caseflow.apidoc import _BOOL, _INSTANT, _NULL_INSTANT, _NULL_TEXT, _obj, _text

    party = _obj(
        {
            "name": _text(200),
            "kind": _text(16, nullable=True, enum=["person", "company"]),
            "country": _text(60, nullable=True),
            "contact": _text(200, nullable=True),
        },
        ("name",),
    )
    delivery = _obj(
        {
            "method": {"type": "string", "enum": ["email", "sms", "post", "in_person", "public_notice"]},
            "address": {"type": "string", "description": "masked"},
            "status": {"type": "string", "enum": ["pending", "sending", "sent", "failed"]},
            "delivered_at": _NULL_INSTANT,
            "opened_at": _NULL_INSTANT,
            "proof": _NULL_TEXT,
        },
        nullable=True,
        description="The service of the notice that counts (parties.md §4), and every attempt "
        "under `all`; null when nothing was sent or recorded.",
    )
    return {
        "PublicComplaint": _obj(
            {
                "unit": _text(16, description="the centre the complaint is addressed to"),
                "title": _text(300, nullable=True),
                "facts": _text(20000),
                "complainant": {**party, "required": ["name", "contact"]},
                "respondent": _obj(
                    {
                        "name": _text(200, nullable=True),
                        "kind": _text(16, nullable=True, enum=["person", "company"]),
                        "country": _text(60, nullable=True),
                        "contact": _text(200, nullable=True),
                    },
                    nullable=True,
                    description="optional: the filer may not know who sells the goods",
                ),
                "right": _obj(
                    {
                        "kind": _text(16, nullable=True),
                        "number": _text(80, nullable=True),
                        "patent_type": _text(16, nullable=True),
                    },
                    nullable=True,
                ),
                "consent": _obj(
                    {
                        "email": _text(254, nullable=True),
                        "phone": _text(32, nullable=True),
                        "consent": {**_BOOL, "nullable": True},
                    },
                    nullable=True,
                    description="consent to electronic service (送达地址确认)",
                ),
                "captcha_token": _text(
                    500,
                    nullable=True,
                    description="from GET /public/captcha; it takes one answer: after a wrong "
                    "one (422), get a new question",
                ),
                "captcha_answer": _text(8, nullable=True),
            },
            ("unit", "facts", "complainant"),
            description="JSON, or multipart/form-data with the same fields as a `data` JSON "
            "part and up to 10 evidence files under `files` (10 MiB each, 122 MiB a request).",
        ),
        "Filing": _obj(
            {
                "number": {"type": "string"},
                "public_code": {"type": "string", "minLength": 10},
                "workflow": {"type": "string"},
                "state": {"type": "string"},
                "channel": {"type": "string"},
                "received_at": _INSTANT,
                "acceptance_due_at": _NULL_INSTANT,
                "status_url": {"type": "string"},
                "filing_receipt": {"type": "object"},
            },
            ("number", "public_code", "filing_receipt"),
        ),
        "PublicStatus": _obj(
            {
                "number": {"type": "string"},
                "workflow": {"type": "string"},
                "state": {"type": "string"},
                "state_label": {"type": "string"},
                "received_at": _INSTANT,
                "closed_at": _NULL_INSTANT,
                "stages": {"type": "array", "items": {"type": "object"}},
                "next_deadline": {"type": "object", "nullable": True},
                "deadlines": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "The running periods of the parties: `clock`, `label`, "
                    "`due_at`, `due_on`, `parties`, `provisional`, `rule`. A period each party "
                    "counts from its own receipt (the period to sue) has no date here "
                    "(`due_at` and `due_on` null) and states its `rule` (自收到之日起15日内).",
                },
            },
            ("number", "state"),
        ),
        "DeliveryConsent": _obj(
            {
                "email": _text(254, nullable=True),
                "phone": _text(32, nullable=True),
                "consent": _BOOL,
            },
            ("consent",),
            additionalProperties=False,
        ),
        "ConsentState": {"type": "object"},
        "PaperService": _obj(
            {
                "served_at": {
                    **_text(64, format="date-time"),
                    "description": "a bare date is served that day: at noon, never before the "
                    "notice's issue nor after now",
                },
                "method": _text(16, enum=["post", "in_person", "public_notice"]),
                "note": _text(1000, nullable=True),
                "party": _text(
                    16,
                    nullable=True,
                    enum=["complainant", "respondent"],
                    description="a ruling served on both sides: the party served",
                ),
            },
            ("served_at", "method"),
        ),
        "NoticeDelivery": delivery,
        "ServiceRecorded": _obj({"notice_id": {"type": "integer"}, "delivery": delivery}),
        "PartyLink": _obj({"case_id": {"type": "string"}, "role": {"type": "string"}, "url": {"type": "string"}}),
        "Captcha": _obj({"enabled": _BOOL, "question": {"type": "string"}, "token": {"type": "string"}}),
    }


def party_paths() -> dict:
    from caseflow.apidoc import _TEXT, _json, _op, _path, _query, _ref

    ok = _json
    case_id, notice_id = _path("case_id"), _path("notice_id", "integer")
    role = {**_path("role"), "schema": {"type": "string", "enum": ["complainant", "respondent"]}}
    limited = {"429": {"description": "too many requests from this address; see Retry-After"}}
    lookup = [_query("number", _TEXT), _query("code", _TEXT, "the status code (public_code)")]
    return {
        "/public/complaints": {
            "post": _op(
                "File a complaint online (no token): a `web` intake in `received`, its receipt; "
                "5 filings and 20 wrong captcha answers an hour per address, then 429",
                {"201": ok(_ref("Filing"), "Created"), **limited},
                body=_ref("PublicComplaint"),
                public=True,
            )
        },
        "/public/status": {
            "get": _op(
                "The public status of a case (no token); a wrong code and an unknown number "
                "answer the same 404; 20 misses an hour per address, then 429",
                {"200": ok(_ref("PublicStatus")), **limited},
                params=lookup,
                public=True,
            )
        },
        "/public/receipt": {
            "get": _op(
                "The filing receipt PDF (no token), for the number and status code",
                {"200": {"description": "the PDF", "content": {"application/pdf": {}}}, **limited},
                params=lookup,
                public=True,
            )
        },
        "/public/captcha": {
            "get": _op(
                "A captcha question for the filing (or enabled=false when switched off)",
                {"200": ok(_ref("Captcha"))},
                public=True,
            )
        },
        "/cases/{case_id}/parties/{role}/delivery": {
            "put": _op(
                "Consent to electronic service, or its withdrawal (caseworker or desk officer)",
                {"200": ok(_ref("ConsentState"))},
                body=_ref("DeliveryConsent"),
                params=[case_id, role],
            )
        },
        "/cases/{case_id}/parties/{role}/link": {
            "post": _op(
                "The party's personal link /p/{token} (the same one until revoked); 409 once "
                "the case was closed more than 90 days ago (the link would no longer work)",
                {"201": ok(_ref("PartyLink"), "Created")},
                params=[case_id, role],
            ),
            "delete": _op(
                "Revoke the party's links",
                {"200": ok({"type": "object"})},
                params=[case_id, role],
            ),
        },
        "/notices/{notice_id}/service": {
            "put": _op(
                "Record a paper service, once: the clock counting from receipt is re-timed to "
                "it, the clocks its service ends (the penalty decision's service) are stopped; "
                "409 when its service is already recorded",
                {"200": ok(_ref("ServiceRecorded"))},
                body=_ref("PaperService"),
                params=[notice_id],
            )
        },
    }
