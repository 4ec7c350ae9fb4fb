"""``/api/v1/notices/<id>`` (the record), ``/api/v1/notices/<id>.pdf`` (the file), both unit-scoped
like cases, and ``POST /api/v1/notices/<id>/corrections`` (a supervisor issues a correction)."""

from caseflow.api import api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.extensions import db
from caseflow.notices.selectors import notice_get_visible
from caseflow.notices.services import notice_correct
from caseflow.notices.views import send_pdf
from caseflow.parties.selectors import notice_delivery_json
from caseflow.timeutil import iso


def notice_json(notice) -> dict:
    return {
        "id": notice.id,
        "case_id": notice.case_id,
        "kind": notice.kind,
        "title": notice.title,
        "document_number": notice.document_number,
        "addressee": notice.addressee,
        "addressee_role": (notice.addressee or {}).get("role"),
        "status": notice.status,
        "issued_at": iso(notice.issued_at),
        "rendered_at": iso(notice.rendered_at),
        "event_id": notice.event_id,
        "sha256": notice.sha256,
        "size": notice.file_size,
        "verification_code": notice.verification_code,
        "replaces_id": notice.replaces_id,
        "pdf_url": f"/api/v1/notices/{notice.id}.pdf" if notice.is_issued else None,
        "delivery": notice_delivery_json(notice),
    }


@bp.get("/notices/<int:notice_id>")
def notice_get(notice_id: int):
    return notice_json(notice_get_visible(user=api_user(), notice_id=notice_id))


@bp.get("/notices/<int:notice_id>.pdf")
def notice_pdf(notice_id: int):
    return send_pdf(notice_get_visible(user=api_user(), notice_id=notice_id))


@bp.post("/notices/<int:notice_id>/corrections")
def notice_corrections_create(notice_id: int):
    """A new notice replacing this one, rendered from the case as it is now; 201 with it."""
    user = api_user()
    notice = notice_get_visible(user=user, notice_id=notice_id)
    note = body_check(json_body(), "Correction").get("note") or ""
    correction = notice_correct(notice=notice, actor=user, note=note)
    db.session.commit()  # then it renders: the answer shows it issued
    return notice_json(correction), 201
