"""A case's documents in the making, over JSON: drafts of the reasoned documents and their
preview, the compensation worksheet, the mediation session log, and the confirmation bundle."""

from flask import Response, jsonify, request, stream_with_context

from caseflow.api import api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.cases import selectors
from caseflow.cases.bundle import bundle_check, bundle_filename, bundle_stream, verify_base_url
from caseflow.cases.compensation import compensation_get, compensation_json, compensation_save
from caseflow.cases.drafts import (
    draft_fields,
    draft_get,
    draft_kinds_open,
    draft_preview_notice,
    draft_save,
    draft_steps,
)
from caseflow.cases.sessions import session_record, sessions_list
from caseflow.engine import field_describe


def _drafts_json(case) -> dict:
    return {
        "open": draft_kinds_open(case),
        "drafts": {
            kind: {
                "fields": [field_describe(f) for f in draft_fields(case.workflow, kind)],
                "draft": draft_get(case, kind),
            }
            for kind in draft_steps(case.workflow)
        },
    }


@bp.get("/cases/<case_id>/drafts")
def drafts_index(case_id):
    case = selectors.case_get(case_id, user=api_user())
    return jsonify(_drafts_json(case))


@bp.put("/cases/<case_id>/drafts/<kind>")
def drafts_save(case_id, kind):
    user = api_user()
    case = selectors.case_get(case_id, user=user)
    body = body_check(json_body(), "Draft")
    draft = draft_save(case, kind, body, actor=user)
    return jsonify({"kind": kind, "draft": draft})


@bp.get("/cases/<case_id>/drafts/<kind>/preview")
def drafts_preview(case_id, kind):
    """The draft rendered with the notice's own template: PDF, or HTML with ``format=html``."""
    from caseflow.notices.render import html_to_pdf, notice_html

    case = selectors.case_get(case_id, user=api_user())
    html = notice_html(draft_preview_notice(case, kind))
    if request.args.get("format") == "html":
        return Response(html, mimetype="text/html")
    return Response(
        html_to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{case.number}-{kind}-draft.pdf"'},
    )


@bp.get("/cases/<case_id>/compensation")
def compensation_show(case_id):
    case = selectors.case_get(case_id, user=api_user())
    return jsonify(compensation_json(compensation_get(case)))


@bp.put("/cases/<case_id>/compensation")
def compensation_put(case_id):
    user = api_user()
    case = selectors.case_get(case_id, user=user)
    sheet = compensation_save(case, body_check(json_body(), "Compensation"), actor=user)
    return jsonify(compensation_json(sheet))


@bp.get("/cases/<case_id>/mediation-sessions")
def sessions_index(case_id):
    case = selectors.case_get(case_id, user=api_user())
    return jsonify({"sessions": sessions_list(case)})


@bp.post("/cases/<case_id>/mediation-sessions")
def sessions_create(case_id):
    user = api_user()
    case = selectors.case_get(case_id, user=user)
    body = body_check(json_body(), "MediationSession")
    entry = session_record(
        case,
        held_on=body.get("held_on"),
        attendees=body.get("attendees"),
        outcome=body.get("outcome"),
        actor=user,
    )
    return jsonify(entry), 201


@bp.get("/cases/<case_id>/confirmation-bundle")
def confirmation_bundle(case_id):
    """One ZIP, streamed: notices (the agreement among them), evidence, audit trail, manifest."""
    case = selectors.case_get(case_id, user=api_user())
    bundle_check(case)
    return bundle_response(case)


def bundle_response(case) -> Response:
    return Response(
        stream_with_context(bundle_stream(case, verify_base=verify_base_url())),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{bundle_filename(case)}"'},
    )
