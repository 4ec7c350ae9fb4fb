"""Reads on applicants' filings."""

from sqlalchemy import select

from caseflow.applicants.models import Applicant
from caseflow.errors import NotFound
from caseflow.extensions import db


def applicant_get(applicant_id, *, user) -> Applicant:
    """The filing, if ``user`` may see it (its unit's users, and admins)."""
    try:
        applicant = db.session.get(Applicant, int(applicant_id))
    except (TypeError, ValueError):
        applicant = None
    # Another unit's filing answers like a missing one (404): ids cannot be probed.
    if applicant is None or not user.can_see_unit(applicant.unit_id):
        raise NotFound("备案不存在", message_en="no such applicant")
    return applicant


def applicant_of_case(case) -> Applicant | None:
    """The filing a pre-exam case was opened on (None for other cases)."""
    if case.applicant_id is None:
        return None
    return db.session.get(Applicant, case.applicant_id)


def applicants_list(*, unit, status=None) -> list[Applicant]:
    query = select(Applicant).where(Applicant.unit_id == unit.id).order_by(Applicant.id)
    if status:
        query = query.where(Applicant.status == status)
    return list(db.session.scalars(query))
