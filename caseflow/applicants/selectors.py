"""Reads on applicants' filings."""

from sqlalchemy import select

from caseflow.applicants.models import Applicant
from caseflow.errors import NotFound, PermissionDenied
from caseflow.extensions import db


def applicant_get(applicant_id, *, user) -> Applicant:
    """The filing, if ``user`` may see it (its unit's users, and admins)."""
    try:
        applicant = db.session.get(Applicant, int(applicant_id))
    except (TypeError, ValueError):
        applicant = None
    if applicant is None:
        raise NotFound("备案不存在", message_en="no such applicant")
    if not user.can_see_unit(applicant.unit_id):
        raise PermissionDenied("无权查看其他单位的备案", message_en="filing of another unit")
    return applicant


def applicants_list(*, unit, status=None) -> list[Applicant]:
    query = select(Applicant).where(Applicant.unit_id == unit.id).order_by(Applicant.id)
    if status:
        query = query.where(Applicant.status == status)
    return list(db.session.scalars(query))
