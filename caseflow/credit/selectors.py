"""Reads of the credit register: repeat detection, the register's lists, the public list.

Cross-unit rule (credit.md): another unit sees only the fact, the case number, the unit and the
date of a finding — never its patent, document, fine or clocks — unless the record is published
(then the public list shows it to everyone anyway).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

import workflows
from caseflow.accounts.models import Unit
from caseflow.cases.models import Case
from caseflow.credit.models import CreditRecord
from caseflow.credit.subjects import subject_name_key
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.search import ESCAPE, containing
from caseflow.timeutil import local_date
from workflows.credit import FINDING_STATES

#: The record kind a decided case of each workflow amounts to.
CASE_FINDING_KINDS = {
    "penalty": "penalty",
    "adjudication": "infringement_decision",
    "fair_complaint": "fair_infringement",
}
#: The kinds of record a decision writes of itself: revoking one of them is revoking the decision.
DECISION_KINDS = tuple(CASE_FINDING_KINDS.values())
#: At most this many earlier findings are kept on a case (the newest first).
REPEAT_LIMIT = 20
PAGE_SIZE = 50


def decision_revoked(case_id):
    """SQL: the decision of the case ``case_id`` (a column) was revoked: its own record carries a
    revocation (``credit_record_revoke``). Such a decision is no finding (Order 45 art 11):
    nothing of its case counts as an earlier finding, and no refusal to perform it is recorded.
    Reads ``credit_records.case_id`` (indexed)."""
    decision = aliased(CreditRecord)
    return (
        select(decision.id)
        .where(
            decision.case_id == case_id,
            decision.kind.in_(DECISION_KINDS),
            decision.revoked_at.is_not(None),
        )
        .exists()
    )


def case_decision_revoked(case_id: str) -> bool:
    """Whether the case's decision was revoked (``decision_revoked``)."""
    return bool(db.session.scalar(select(decision_revoked(case_id))))


def repeat_lookup(
    *, code: str | None, key: str, unit_id: int, exclude_case_id=None, patent_number=None
) -> list:
    """The respondent's earlier findings in every unit: credit records and decided cases (not
    those whose decision was revoked), newest first, each ``{number, unit, kind, decided_on, patent_number, match, same_patent}``
    (``match`` is ``code`` or ``name``, the weaker). ``patent_number`` only for the asking unit's
    own cases; ``same_patent``, whether the finding was on ``patent_number`` (the new case's),
    for every unit's: the Pudong range needs the fact, not the other unit's patent.

    Four index reads (records and cases, by code and by name), each limited: the cost does not
    grow with the size of the register (bench/credit.py).
    """
    if not code and not key:
        return []
    found: dict[str, dict] = {}
    units = {}

    def unit_code(uid):
        if uid not in units:
            units[uid] = db.session.scalar(select(Unit.code).where(Unit.id == uid))
        return units[uid]

    def add(number, uid, kind, decided_on, patent, match):
        # One entry per case, and it is the finding: the decision, its kind and its date. A later
        # record about the same case (a refusal to perform it, 拒不执行) is about that decision
        # and never replaces it, whichever is read first; only where no decision is at hand (its
        # case no longer in a finding state, say) does such a record stand for the case.
        earlier = found.get(number)
        if earlier is not None:
            if earlier["kind"] in DECISION_KINDS or kind not in DECISION_KINDS:
                return
        elif len(found) >= REPEAT_LIMIT * 2:
            return
        found[number] = {
            "number": number,
            "unit": unit_code(uid),
            "kind": kind,
            "decided_on": decided_on.isoformat() if decided_on else None,
            "patent_number": patent if uid == unit_id else None,
            "match": match,
            "same_patent": bool(patent_number) and patent == patent_number,
        }

    matches = []
    if code:
        matches.append(("code", CreditRecord.subject_code == code, Case.respondent_code == code))
    if key:
        # The weaker match: the name, only where no code is known on one side (credit.md).
        record_by_name = CreditRecord.subject_key == key
        case_by_name = Case.respondent_key == key
        if code:
            record_by_name = record_by_name & CreditRecord.subject_code.is_(None)
            case_by_name = case_by_name & Case.respondent_code.is_(None)
        matches.append(("name", record_by_name, case_by_name))
    for match, record_where, case_where in matches:
        records = db.session.execute(
            select(
                CreditRecord.case_number,
                CreditRecord.unit_id,
                CreditRecord.kind,
                CreditRecord.decided_on,
                CreditRecord.patent_number,
            )
            .where(
                record_where,
                CreditRecord.status != "withdrawn",
                # Revoked, even before it is withdrawn: no finding any more.
                CreditRecord.revoked_at.is_(None),
                ~decision_revoked(CreditRecord.case_id),
            )
            .order_by(CreditRecord.decided_on.desc())
            .limit(REPEAT_LIMIT)
        ).all()
        for row in records:
            add(*row, match)
        finding = or_(
            *(
                (Case.workflow == wf) & Case.state.in_(states)
                for wf, states in FINDING_STATES.items()
            )
        )
        where = [case_where, finding, ~decision_revoked(Case.id)]
        if exclude_case_id:
            where.append(Case.id != exclude_case_id)
        cases = db.session.execute(
            select(
                Case.number,
                Case.unit_id,
                Case.workflow,
                Case.last_event_at,
                Case.right,
                Case.data,
            )
            .where(*where)
            .order_by(Case.last_event_at.desc())
            .limit(REPEAT_LIMIT)
        ).all()
        for number, uid, wf, at, right, data in cases:
            if wf == "adjudication" and (data or {}).get("outcome") == "not_infringing":
                continue
            kind = CASE_FINDING_KINDS.get(wf, wf)
            add(number, uid, kind, local_date(at), (right or {}).get("number"), match)
    entries = sorted(found.values(), key=lambda e: e["decided_on"] or "", reverse=True)
    return entries[:REPEAT_LIMIT]


def repeat_of_visible(case) -> list:
    """``repeat_of`` as stored on the case (already limited to what its unit may see)."""
    return list((case.data or {}).get("repeat_of") or [])


def same_patent_findings(*, code, key, patent_number, before, exclude_case_id) -> list:
    """Effective decisions against the same subject on the same patent before ``before`` (the
    Pudong rule): credit records of an infringement decision or a penalty.

    The subject is matched by code, and by name only against records that carry no code
    (credit.md, as ``repeat_lookup``). A decision is effective once nobody can sue against it
    any more: an adjudication whose period to sue (``appeal``) still ran at ``before`` is not
    yet, whether or not its case has been closed since (a penalty
    decision takes effect when served: review and suit do not stay it, 行政处罚法 art 73)."""
    from caseflow.clocks.models import Clock
    from caseflow.clocks.services import ACTIVE

    if not patent_number or not (code or key):
        return []
    by_name = (CreditRecord.subject_key == key) & CreditRecord.subject_code.is_(None)
    if code:
        subject = CreditRecord.subject_code == code
        if key:
            subject = subject | by_name
    else:
        subject = CreditRecord.subject_key == key
    open_to_suit = (
        select(Clock.id)
        .where(
            Clock.case_id == CreditRecord.case_id,
            Clock.name == "appeal",
            Clock.status.in_(ACTIVE),
            # Paused, or running past ``before``: the period to sue had not run out then.
            (Clock.status == "paused") | (Clock.due_at >= before),
        )
        .exists()
    )
    return db.session.scalars(
        select(CreditRecord)
        .where(
            subject,
            CreditRecord.patent_number == patent_number,
            CreditRecord.kind.in_(("infringement_decision", "penalty")),
            CreditRecord.status != "withdrawn",
            CreditRecord.revoked_at.is_(None),
            CreditRecord.decided_at < before,
            CreditRecord.case_id != exclude_case_id,
            ~((CreditRecord.kind == "infringement_decision") & open_to_suit),
        )
        .order_by(CreditRecord.decided_at)
        .limit(5)
    ).all()


# --- the register ------------------------------------------------------------------------------


def credit_record_clocks(record) -> list:
    """The record's clocks (rows on its source case), oldest first."""
    from caseflow.clocks.models import Clock

    names = [workflows.credit.clock_name(c.name, record.id) for c in workflows.credit.CLOCKS]
    return db.session.scalars(
        select(Clock)
        .where(Clock.case_id == record.case_id, Clock.name.in_(names))
        .order_by(Clock.id)
    ).all()


def credit_records_clocks(records) -> dict[int, list]:
    """``credit_record_clocks`` of many records in one query (a page of the register):
    ``{record id: its clocks, oldest first}``, every record present."""
    from caseflow.clocks.models import Clock

    by_id = {r.id: r for r in records}
    found: dict[int, list] = {record_id: [] for record_id in by_id}
    if not by_id:
        return found
    names = [
        workflows.credit.clock_name(c.name, record_id)
        for record_id in by_id
        for c in workflows.credit.CLOCKS
    ]
    clocks = db.session.scalars(
        select(Clock)
        .where(Clock.case_id.in_({r.case_id for r in records}), Clock.name.in_(names))
        .order_by(Clock.id)
    )
    for clock in clocks:
        # The name says whose clock it is; the case it runs on must be that record's too.
        _definition, record_id = workflows.credit.clock_of(clock.name)
        if clock.case_id == by_id[record_id].case_id:
            found[record_id].append(clock)
    return found


def credit_dates_provisional(records) -> dict[int, set[str]]:
    """Which of each record's days were counted on a provisional year (deadlines.md §1: marked
    wherever shown): ``{record id: {"display", "repair_eligible"}…}``, the names of its running
    clocks marked ``provisional`` (``display_until`` and ``repair_eligible_on`` are their days). One
    query for a page of records; every record present."""
    from caseflow.clocks.models import Clock

    by_id = {r.id: r for r in records}
    found: dict[int, set[str]] = {record_id: set() for record_id in by_id}
    if not by_id:
        return found
    names = [
        workflows.credit.clock_name(name, record_id)
        for record_id in by_id
        for name in ("display", "repair_eligible")
    ]
    for case_id, name in db.session.execute(
        select(Clock.case_id, Clock.name).where(
            Clock.case_id.in_({r.case_id for r in records}),
            Clock.name.in_(names),
            Clock.provisional.is_(True),
            # An ended clock's mark is no longer refreshed by a calendar load, and its day no
            # longer ends anything (a withdrawn or repaired record): nothing to mark.
            Clock.status.in_(("running", "paused")),
        )
    ):
        definition, record_id = workflows.credit.clock_of(name)
        if by_id[record_id].case_id == case_id:
            found[record_id].add(definition.name)
    return found


def credit_record_get(record_id) -> CreditRecord:
    record = db.session.get(CreditRecord, record_id) if isinstance(record_id, int) else None
    if record is None:
        raise NotFound("信用记录不存在", message_en="no such credit record")
    return record


@dataclass
class RecordPage:
    records: list
    total: int
    page: int
    pages: int


def credit_records_query(
    *, q="", code="", kind="", status="", unit=None, repairable_on=None, seen_by=None
):
    """Records of every unit matching the filters, newest decision first. With ``seen_by`` (a
    user), a filter on what the cross-unit rule hides (status, document number) matches only the
    records that user sees in full: filtering must not tell what the page does not show."""
    query = select(CreditRecord)
    in_full = true() if seen_by is None or seen_by.is_admin else _shown_in_full(seen_by)
    if q:
        like = containing(q.strip())
        query = query.where(
            or_(
                CreditRecord.subject_name.ilike(like, escape=ESCAPE),
                CreditRecord.subject_key == subject_name_key(q),
                CreditRecord.case_number.ilike(like, escape=ESCAPE),
                and_(CreditRecord.document_number.ilike(like, escape=ESCAPE), in_full),
            )
        )
    if code:
        query = query.where(CreditRecord.subject_code == code.strip().upper())
    if kind:
        query = query.where(CreditRecord.kind == kind)
    if status:
        query = query.where(CreditRecord.status == status, in_full)
    if unit is not None:
        query = query.where(CreditRecord.unit_id == unit)
    if repairable_on is not None:
        query = query.where(
            CreditRecord.status == "published", CreditRecord.repair_eligible_on <= repairable_on
        )
    return query.order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())


def record_shown_in_full(record, user) -> bool:
    """Whether ``user`` sees ``record`` in full: its own unit's (admins: every unit's), or a
    published one; another unit sees only the fact (credit.md). ``_shown_in_full`` is the same
    rule in SQL."""
    return user.can_see_unit(record.unit_id) or record.status == "published"


def _shown_in_full(user):
    """SQL: ``record_shown_in_full`` for a user who is not an admin."""
    return or_(CreditRecord.unit_id == user.unit_id, CreditRecord.status == "published")


def credit_records_page(page: int = 1, *, with_cases: bool = False, **filters) -> RecordPage:
    """One page of ``credit_records_query``. Each record's unit (and with ``with_cases`` its
    source case) comes in one query for the page, not one per record."""
    query = credit_records_query(**filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    loads = [selectinload(CreditRecord.unit)]
    if with_cases:
        loads.append(selectinload(CreditRecord.case))
    records = db.session.scalars(
        query.options(*loads).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return RecordPage(list(records), total, page, pages)


def credit_repair_queue(unit_id: int, today: date) -> list:
    """Published records of the unit, oldest eligible first: those repair may be approved for
    now, then those still waiting (with their date)."""
    return db.session.scalars(
        select(CreditRecord)
        .where(CreditRecord.unit_id == unit_id, CreditRecord.status == "published")
        .order_by(CreditRecord.repair_eligible_on, CreditRecord.id)
        .limit(200)
    ).all()


def credit_subject_history(*, code: str | None, key: str) -> dict:
    """Everything the register holds on one subject: records by code, and by name where no code
    is known (flagged weaker)."""
    records = []
    if code:
        records += [
            (r, "code")
            for r in db.session.scalars(
                select(CreditRecord)
                .where(CreditRecord.subject_code == code)
                .order_by(CreditRecord.decided_on.desc())
                .limit(200)
            )
        ]
    if key:
        where = CreditRecord.subject_key == key
        if code:
            where = where & CreditRecord.subject_code.is_(None)
        records += [
            (r, "name")
            for r in db.session.scalars(
                select(CreditRecord)
                .where(where)
                .order_by(CreditRecord.decided_on.desc())
                .limit(200)
            )
        ]
    return {"records": records}


#: Records per page of the public list (every record on display is reachable, page by page).
PUBLIC_PAGE_SIZE = 100


def credit_public_list(today: date, *, q: str = "", page: int = 1) -> tuple[list, bool]:
    """Published records still on display on ``today``, newest first, a page at a time: nothing
    pending, expired, repaired or withdrawn (a display period that ended leaves the list even
    before the sweep marks it). (records, whether a next page exists)."""
    from caseflow.search import ESCAPE, containing

    query = select(CreditRecord).where(
        CreditRecord.status == "published", CreditRecord.display_until >= today
    )
    if q:
        query = query.where(
            or_(
                CreditRecord.subject_name.like(containing(q.strip()), escape=ESCAPE),
                CreditRecord.subject_code == q.strip().upper(),
            )
        )
    offset = (max(page, 1) - 1) * PUBLIC_PAGE_SIZE
    records = db.session.scalars(
        query.order_by(CreditRecord.published_on.desc(), CreditRecord.id.desc())
        .offset(offset)
        .limit(PUBLIC_PAGE_SIZE + 1)
    ).all()
    return records[:PUBLIC_PAGE_SIZE], len(records) > PUBLIC_PAGE_SIZE


# --- what waits for a supervisor ----------------------------------------------------------------

#: The steps a record waits for, each the supervisor's own (credit.md): a pending record is to be
#: published within 20 workdays of its decision (its ``publication`` clock runs from the
#: decision); a record whose decision was revoked is to be withdrawn within 3 workdays (its
#: ``withdrawal`` clock runs from the revocation). Credit repair is not here: the register holds
#: no party's application, only the date from which repair may be approved (the repair queue).
CREDIT_STEPS = {
    "publish": ("公示", "publication"),
    "withdraw": ("撤下", "withdrawal"),
}


@dataclass
class CreditStep:
    """One record of the unit waiting for a supervisor's ``action`` (``publish``|``withdraw``)
    since ``waiting_since``, due by its clock's ``due_at``."""

    record: CreditRecord
    action: str
    waiting_since: datetime
    due_at: datetime | None = None
    due_unit: str = "workdays"
    #: Tells these rows from a case's in the approval queue.
    kind = "credit"

    @property
    def label(self) -> str:
        return CREDIT_STEPS[self.action][0]

    @property
    def case(self):
        return self.record.case

    def waiting(self, now: datetime) -> timedelta:
        return max(now - self.waiting_since, timedelta(0))


def _waiting_condition(action: str):
    if action == "publish":
        # A record revoked before it was published waits to be withdrawn, not published.
        return (
            CreditRecord.status == "pending_publication",
            CreditRecord.revoked_at.is_(None),
        ), CreditRecord.decided_at
    return (
        CreditRecord.status.in_(("pending_publication", "published")),
        CreditRecord.revoked_at.is_not(None),
    ), CreditRecord.revoked_at


def credit_steps_waiting(unit_id: int, *, limit: int = 100) -> tuple[list[CreditStep], int]:
    """The unit's records waiting for its supervisor (``CREDIT_STEPS``), longest waiting first,
    at most ``limit``, and how many there are in all. Reads ``ix_credit_records_unit_status``
    (pending) and ``ix_credit_records_unit_revoked`` (revoked): the cost is the records waiting,
    not the register (a unit's published records may number hundreds of thousands)."""
    steps, total = [], 0
    for action in CREDIT_STEPS:
        condition, since = _waiting_condition(action)
        where = (CreditRecord.unit_id == unit_id, *condition)
        # Counted over the same ordered read as the rows: for a bare count, SQLite's planner
        # (no statistics) scans the whole register instead of the unit's revoked records.
        ordered = select(CreditRecord.id).where(*where).order_by(since, CreditRecord.id)
        total += db.session.scalar(select(func.count()).select_from(ordered.subquery())) or 0
        records = db.session.scalars(
            select(CreditRecord)
            .where(*where)
            .options(selectinload(CreditRecord.case))
            .order_by(since, CreditRecord.id)
            .limit(limit)
        ).all()
        steps += [
            CreditStep(record=r, action=action, waiting_since=getattr(r, since.key))
            for r in records
        ]
    steps.sort(key=lambda s: (s.waiting_since, s.record.id))
    steps = steps[:limit]
    if steps:  # each row's deadline: its clock, in one query
        from caseflow.clocks.models import Clock

        names = {
            workflows.credit.clock_name(CREDIT_STEPS[s.action][1], s.record.id): s for s in steps
        }
        for name, due_at, unit in db.session.execute(
            select(Clock.name, Clock.due_at, Clock.period_unit).where(
                Clock.case_id.in_({s.record.case_id for s in steps}),
                Clock.name.in_(list(names)),
                Clock.status == "running",
            )
        ):
            names[name].due_at, names[name].due_unit = due_at, unit
    return steps, total


def credit_record_events(record) -> list:
    """The audit trail of one record, oldest first: the events of its source case that name it
    (the deciding step that wrote it, then its ``credit`` events)."""
    from caseflow.cases.models import Event

    events = db.session.scalars(
        select(Event).where(Event.case_id == record.case_id).order_by(Event.occurred_at, Event.id)
    ).all()
    return [
        e
        for e in events
        if (e.data or {}).get("record_id") == record.id
        or record.id in (e.data or {}).get("credit_records", [])
    ]


def kind_label(kind: str) -> str:
    return dict(workflows.credit.KINDS).get(kind, kind)


def status_label(status: str) -> str:
    return dict(workflows.credit.STATUSES).get(status, status)
