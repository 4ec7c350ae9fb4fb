"""Reads for cases: what a user may see, the list, one case with everything it shows (the API and
the case page alike), the public status lookup. The period figures are supervision's reads."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

import workflows
from caseflow.accounts.models import Unit
from caseflow.cases.locks import case_get_locked
from caseflow.cases.models import Case, CaseLink, Event
from caseflow.clocks.models import Clock
from caseflow.errors import NotFound, ValidationFailed
from caseflow.extensions import db
from caseflow.search import ESCAPE, containing
from caseflow.timeutil import utcnow

PER_PAGE = 50


def cases_scope(query, user):
    """``query`` (over ``Case``) limited to what ``user`` may see: their unit's cases; admins all."""
    if user.is_admin:
        return query
    return query.where(Case.unit_id == user.unit_id)


def cases_visible_to(user):
    """A ``select(Case)`` limited to what ``user`` may see."""
    return cases_scope(select(Case), user)


def case_get(case_id: str, *, user, for_step: bool = False) -> Case:
    """The case, if ``user`` may see it. Another unit's case answers exactly like a missing one
    (404), so that case numbers of other units cannot be confirmed (ASVS 4.2.1). ``for_step``:
    read to fire a step on it, its row locked at once (``caseflow/cases/locks.py``)."""
    if not isinstance(case_id, str):
        case = None
    elif for_step:
        case = case_get_locked(case_id)
    else:
        case = db.session.get(Case, case_id)
    if case is None or not user.can_see_unit(case.unit_id):
        raise NotFound("案件不存在", message_en="No such case")
    return case


def case_get_readable(case_id: str, *, user) -> tuple[Case, bool]:
    """(case, read_only): the case if ``user`` may see it, else a case of another unit linked to
    one of the user's unit's cases (a fair desk's referral to a centre, issue 15), to follow and
    not to act on: the page shows its state, clocks and steps, and leaves out what is the
    handling unit's to keep. Any other case answers like a missing one, as in ``case_get``."""
    try:
        return case_get(case_id, user=user), False
    except NotFound:
        case = db.session.get(Case, case_id) if isinstance(case_id, str) else None
        if case is None or user.unit_id is None or not case_links_to_unit(case, user.unit_id):
            raise
        return case, True


def case_links_to_unit(case: Case, unit_id: int) -> bool:
    """Whether ``case`` is linked (either way) to a case of unit ``unit_id``."""
    mine = select(Case.id).where(Case.unit_id == unit_id)
    return (
        db.session.scalar(
            select(CaseLink.id)
            .where(
                or_(
                    (CaseLink.source_id == case.id) & CaseLink.target_id.in_(mine),
                    (CaseLink.target_id == case.id) & CaseLink.source_id.in_(mine),
                )
            )
            .limit(1)
        )
        is not None
    )


def case_get_by_number(number: str, *, user) -> Case:
    """The case numbered ``number``, if ``user`` may see it (the same checks as ``case_get``)."""
    case = db.session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise NotFound("案件不存在", message_en="No such case")
    return case_get(case.id, user=user)


def _unit_by_code(code: str):
    unit = db.session.scalars(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise ValidationFailed(
            "未知的单位", message_en=f"unknown unit {code}", fields={"unit": "unknown"}
        )
    return unit


def cases_list(
    user,
    *,
    workflow=None,
    state=None,
    overdue=False,
    due_before: datetime | None = None,
    unit: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> tuple[list[Case], int]:
    """One page of the cases ``user`` sees, priority first, then soonest due (cases with no
    running clock last), and the total count."""
    query = cases_visible_to(user)
    if workflow:
        query = query.where(Case.workflow == workflow)
    if state:
        query = query.where(Case.state == state)
    if overdue:
        query = query.where(Case.is_closed == False, Case.next_due_at < (now or utcnow()))  # noqa: E712
    if due_before:
        query = query.where(Case.next_due_at < due_before)
    if unit:
        query = query.where(Case.unit_id == _unit_by_code(unit).id)
    if q:
        pattern = containing(q.strip())
        query = query.where(
            or_(
                Case.number.ilike(pattern, escape=ESCAPE),
                Case.title.ilike(pattern, escape=ESCAPE),
                Case.complainant_name.ilike(pattern, escape=ESCAPE),
                Case.respondent_name.ilike(pattern, escape=ESCAPE),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # The id last: a total order, so that pages neither repeat nor skip cases that tie.
    order = (
        Case.is_closed,
        Case.priority.desc(),
        Case.next_due_at.is_(None),
        Case.next_due_at,
        Case.opened_at,
        Case.id,
    )
    # The database sorts only the ids and the order's columns to pick the page, then reads
    # that page's rows whole: a deep page sorts every matching case, and sorting whole rows
    # (parties, data) outgrows the sort's memory and spills to disk (PostgreSQL, 20,000 cases).
    page_ids = (
        query.with_only_columns(Case.id)
        .order_by(*order)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
        .subquery()
    )
    rows = db.session.scalars(
        select(Case).join(page_ids, Case.id == page_ids.c.id).order_by(*order)
    ).all()
    return list(rows), total


def case_clocks(case, *, active_first: bool = False) -> list[Clock]:
    """The case's clocks in the order they started; with ``active_first`` (the case page) the
    running and paused ones first, soonest due first, then the settled ones."""
    clocks = list(
        db.session.scalars(select(Clock).where(Clock.case_id == case.id).order_by(Clock.id))
    )
    if active_first:
        clocks.sort(key=lambda c: (not c.is_active, c.due_at))
    return clocks


def case_events(case) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    )


def case_links(case) -> list[tuple[str, str, Case]]:
    """``(direction, kind, other case)`` for every link from or to ``case``."""
    links = db.session.scalars(
        select(CaseLink)
        .where(or_(CaseLink.source_id == case.id, CaseLink.target_id == case.id))
        .order_by(CaseLink.id)
    )
    out = []
    for link in links:
        if link.source_id == case.id:
            out.append(("to", link.kind, link.target))
        else:
            out.append(("from", link.kind, link.source))
    return out


def case_notices(case) -> list:
    from caseflow.notices.models import Notice

    return list(
        db.session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id))
    )


@dataclass
class PublicStatus:
    """What the public page may show: the stage and public dates, no parties, no notes."""

    number: str
    workflow: str
    state: str
    is_closed: bool
    received_at: datetime
    closed_at: datetime | None
    steps: list  # (label, occurred_at) of the transitions, without notes or actors


def case_public_lookup(number: str, code: str) -> PublicStatus | None:
    """The public status of case ``number`` when ``code`` is its public code; None otherwise
    (the same answer for a wrong number and a wrong code)."""
    case = db.session.scalar(select(Case).where(Case.number == (number or "").strip().upper()))
    if case is None or not hmac.compare_digest(case.public_code, (code or "").strip().upper()):
        return None
    module = workflows.get(case.workflow)
    steps = []
    for event in case_events(case):
        if event.kind == "transition" and event.to_state != event.from_state:
            state = workflows.state(module, event.to_state)
            steps.append((state.label if state else event.to_state, event.occurred_at))
    return PublicStatus(
        number=case.number,
        workflow=case.workflow,
        state=case.state,
        is_closed=case.is_closed,
        received_at=case.received_at,
        closed_at=case.closed_at,
        steps=steps,
    )
