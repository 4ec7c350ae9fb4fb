"""Reads for fairs and exhibitors: the desk's exhibitor search and the repeat-infringer flag.

The same company at two fairs is two ``Exhibitor`` rows; it is recognised by its folded name and
country (``Exhibitor.name_key``). It is a repeat infringer once complaints against it reached a
finding of infringement (an order to rectify or withdraw) at two or more fairs: it is "barred from
the next edition" (展会知识产权保护办法; procedures.md §5).
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import selectinload

from caseflow.cases.models import Case, Event
from caseflow.credit.selectors import decision_revoked
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.fairs.importing import name_key
from caseflow.fairs.models import Exhibitor, Fair
from caseflow.fairs.services import INFRINGING_STATES
from caseflow.search import search_term
from workflows import fair_complaint

#: How many fairs with a finding make a repeat infringer.
REPEAT_THRESHOLD = 2
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class ExhibitorListing:
    """An exhibitor as the desk sees it at intake."""

    exhibitor: Exhibitor
    #: Ids of the fairs where this company (by name and country) was found infringing.
    infringement_fair_ids: tuple
    is_repeat_infringer: bool


def fair_get(fair_id, *, user) -> Fair:
    """The fair, if ``user`` may see it (its desk's users, and admins)."""
    try:
        fair = db.session.get(Fair, int(fair_id))
    except (TypeError, ValueError):
        fair = None
    # Another desk's fair answers like a missing one (404): ids cannot be probed.
    if fair is None or not user.can_see_unit(fair.unit_id):
        raise NotFound("展会不存在", message_en="no such fair")
    return fair


def _found_infringing():
    """A condition on ``Case``: the complaint reached a finding of infringement, now or before
    (a case ordered to rectify may since have been referred), and that finding was not revoked
    since: a revoked decision is no finding (Order 45 art 11; the credit register's rule)."""
    reached = (
        select(Event.id)
        .where(Event.case_id == Case.id, Event.to_state.in_(INFRINGING_STATES))
        .exists()
    )
    return and_(or_(Case.state.in_(INFRINGING_STATES), reached), ~decision_revoked(Case.id))


def _infringement_fairs_by_key(keys) -> dict:
    """``{(name_key, country): {fair_id, …}}`` for the companies in ``keys``."""
    keys = list(set(keys))
    if not keys:
        return {}
    result = {}
    # Chunked: a fair of a few thousand exhibitors must not build one huge IN list.
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = db.session.execute(
            select(Exhibitor.name_key, Exhibitor.country, Case.fair_id)
            .join(Case, Case.exhibitor_id == Exhibitor.id)
            .where(
                tuple_(Exhibitor.name_key, Exhibitor.country).in_(chunk),
                Case.workflow == fair_complaint.NAME,
                _found_infringing(),
            )
            .distinct()
        ).all()
        for key, country, fair_id in rows:
            result.setdefault((key, country), set()).add(fair_id)
    return result


def exhibitor_infringement_fairs(exhibitor) -> list[Fair]:
    """The fairs at which this company was found infringing, oldest first."""
    fair_ids = _infringement_fairs_by_key([(exhibitor.name_key, exhibitor.country)]).get(
        (exhibitor.name_key, exhibitor.country), set()
    )
    if not fair_ids:
        return []
    return list(
        db.session.scalars(select(Fair).where(Fair.id.in_(fair_ids)).order_by(Fair.opens_at))
    )


def exhibitor_is_repeat_infringer(exhibitor) -> bool:
    return len(exhibitor_infringement_fairs(exhibitor)) >= REPEAT_THRESHOLD


def _listings(exhibitors) -> list[ExhibitorListing]:
    found = _infringement_fairs_by_key((e.name_key, e.country) for e in exhibitors)
    listings = []
    for exhibitor in exhibitors:
        fair_ids = tuple(sorted(found.get((exhibitor.name_key, exhibitor.country), ())))
        listings.append(ExhibitorListing(exhibitor, fair_ids, len(fair_ids) >= REPEAT_THRESHOLD))
    return listings


def exhibitors_search(fair, q=None, *, limit=SEARCH_LIMIT) -> list[ExhibitorListing]:
    """Exhibitors of ``fair`` whose booth or name contains ``q`` (all when empty), booth order,
    each with its repeat-infringer flag. An exact booth match comes first."""
    query = select(Exhibitor).where(Exhibitor.fair_id == fair.id)
    q = search_term(q)
    if q:
        booth, key = q.upper(), name_key(q)
        conditions = [Exhibitor.booth.contains(booth, autoescape=True)]
        if key:
            conditions.append(Exhibitor.name_key.contains(key, autoescape=True))
        query = query.where(or_(*conditions)).order_by((Exhibitor.booth != booth), Exhibitor.booth)
    else:
        query = query.order_by(Exhibitor.booth)
    return _listings(list(db.session.scalars(query.limit(limit))))


def fair_exhibitor_listings(fair) -> list[ExhibitorListing]:
    """Every exhibitor of ``fair`` with its flag (the fair's page)."""
    exhibitors = list(
        db.session.scalars(
            select(Exhibitor).where(Exhibitor.fair_id == fair.id).order_by(Exhibitor.booth)
        )
    )
    return _listings(exhibitors)


def fairs_exhibitor_counts(fairs) -> dict[int, int]:
    """``{fair id: how many exhibitors it lists}`` for ``fairs``, in one query (the list page)."""
    ids = [fair.id for fair in fairs]
    counts = dict.fromkeys(ids, 0)
    if ids:
        rows = db.session.execute(
            select(Exhibitor.fair_id, func.count(Exhibitor.id))
            .where(Exhibitor.fair_id.in_(ids))
            .group_by(Exhibitor.fair_id)
        )
        counts.update((fair_id, count) for fair_id, count in rows)
    return counts


def fairs_list(*, user) -> list[Fair]:
    """The fairs ``user`` may see, the latest first, with their units (one query for all)."""
    query = select(Fair).options(selectinload(Fair.unit)).order_by(Fair.opens_at.desc())
    if not user.is_admin:
        query = query.where(Fair.unit_id == user.unit_id)
    return list(db.session.scalars(query))
