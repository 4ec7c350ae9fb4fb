"""Applicants' filings (备案) over the API: register, approve, reject, revoke, read, list."""

from flask import request
from sqlalchemy import select

from caseflow.accounts.models import Unit
from caseflow.api import api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.applicants.selectors import applicant_get, applicants_list
from caseflow.applicants.services import (
    applicant_approve,
    applicant_register,
    applicant_reject,
    applicant_revoke,
)
from caseflow.errors import PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import iso


def unit_from_body(body, user) -> Unit:
    """The unit named by ``body["unit"]`` (a code), else the user's own; the services decide
    whether the user may act there."""
    code = body.get("unit")
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise ValidationFailed(
                f"未知单位：{code}",
                message_en=f"unknown unit {code}",
                fields={"unit": "未知单位 / unknown unit"},
            )
        return unit
    if user.unit is None:
        raise ValidationFailed(
            "须指定单位", message_en="unit required", fields={"unit": "须指定单位 / required"}
        )
    return user.unit


def applicant_json(applicant) -> dict:
    return {
        "id": applicant.id,
        "unit": applicant.unit.code,
        "name": applicant.name,
        "credit_code": applicant.credit_code,
        "status": applicant.status,
        "status_label": applicant.status_label,
        "registered_at": iso(applicant.registered_at),
        "approved_by": applicant.approved_by.username if applicant.approved_by else None,
        "approved_at": iso(applicant.approved_at),
        "revoked_at": iso(applicant.revoked_at),
        "end_reason": applicant.end_reason,
    }


@bp.post("/applicants")
def applicants_create():
    body = body_check(json_body(), "ApplicantCreate")
    user = api_user()
    applicant = applicant_register(
        unit=unit_from_body(body, user),
        actor=user,
        name=body.get("name"),
        credit_code=body.get("credit_code"),
    )
    return applicant_json(applicant), 201


@bp.post("/applicants/<int:applicant_id>/approve")
def applicants_approve(applicant_id):
    user = api_user()
    applicant = applicant_approve(applicant_get(applicant_id, user=user), actor=user)
    return applicant_json(applicant)


@bp.get("/applicants/<int:applicant_id>")
def applicants_show(applicant_id):
    return applicant_json(applicant_get(applicant_id, user=api_user()))


def _decision_body() -> dict:
    """The optional ``{"reason"}`` of a revocation or a rejection (no body: no reason)."""
    if not request.get_data():
        return {}
    return body_check(json_body(), "ApplicantDecision")


@bp.post("/applicants/<int:applicant_id>/revoke")
def applicants_revoke(applicant_id):
    user = api_user()
    reason = _decision_body().get("reason")
    applicant = applicant_revoke(applicant_get(applicant_id, user=user), actor=user, reason=reason)
    return applicant_json(applicant)


@bp.post("/applicants/<int:applicant_id>/reject")
def applicants_reject(applicant_id):
    user = api_user()
    reason = _decision_body().get("reason")
    applicant = applicant_reject(applicant_get(applicant_id, user=user), actor=user, reason=reason)
    return applicant_json(applicant)


@bp.get("/applicants")
def applicants_index():
    """The filings of the user's unit (an admin names one with ``?unit=``)."""
    user = api_user()
    unit = unit_from_body(request.args, user)
    if not user.can_see_unit(unit.id):
        raise PermissionDenied("无权查看其他单位的备案", message_en="filings of another unit")
    status = request.args.get("status") or None
    return {"applicants": [applicant_json(a) for a in applicants_list(unit=unit, status=status)]}
