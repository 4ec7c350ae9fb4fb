"""Writes for notices: queue one inside a transition, render the pending ones after the commit,
correct an issued one.

The split follows the engine's transaction (style.md rule 4: callbacks record, they don't do
I/O). ``notice_queue`` runs inside the transition and only adds a row — with its document number,
so the number is taken in the same transaction as the step and is given back if the step rolls
back. ``notices_render_pending`` runs after the commit, renders, writes the file once and marks
the row issued; a failure leaves the row pending for the retry and never touches the transition.
"""

import gc
import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from caseflow.cases.models import Case, Event
from caseflow.errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.inserts import row_insert
from caseflow.notices.kinds import KINDS, kind_addressee_role, kind_title
from caseflow.notices.models import Notice, new_verification_code
from caseflow.notices.render import authority_name, html_to_pdf, notice_html
from caseflow.sequences import sequence_next
from caseflow.timeutil import local_date, utcnow
from caseflow.transaction import after_commit
from workflows._schema import AUTHORITY, BOTH_PARTIES

logger = logging.getLogger(__name__)

#: Called with each notice as it is queued, inside the step's transaction. The parties area
#: subscribes (electronic service to a consenting party, parties.md §4); notices know no parties,
#: so the subscription is wired in the app factory rather than imported here.
_on_queued: list = []


def notice_on_queued(hook):
    """Register ``hook(notice)``, run for every queued notice before the step commits."""
    if hook not in _on_queued:
        _on_queued.append(hook)
    return hook


#: Used when the unit's profile names no pattern for the kind nor a ``default`` one.
DEFAULT_DOC_PATTERN = "{unit_code}字〔{year}〕第{seq}号"
#: Who may issue a correction (an approval, like an extension or a suspension).
CORRECTING_ROLES = ("supervisor", "admin")

_gc_frozen = False


def _collect_render_garbage() -> None:
    """Free WeasyPrint's cyclic garbage, which holds font buffers (stack notes: ≈13 MB a render,
    ≈670 MB after 50 renders without a collection).

    A full collection walks every tracked object of the process (the app, SQLAlchemy, the
    calendar): ≈100 ms here, as much as a render. So the first call freezes what already exists
    (``gc.freeze``: long-lived objects, skipped by later collections) and each render's collection
    then walks only what was made since. The cost is that cyclic garbage already present at that
    moment is never collected — a bounded, one-off amount.
    """
    global _gc_frozen
    if not _gc_frozen:
        gc.collect()
        gc.freeze()
        _gc_frozen = True
    gc.collect()


class _PatternFields(dict):
    def __missing__(self, key):  # an unknown {field} in a unit's pattern prints as written
        return "{" + key + "}"


def notice_document_number(*, unit, kind: str, year: int) -> tuple[str, str, int]:
    """Allocate the next 文号 for ``kind`` in ``unit``: (number, counter scope, counter value).

    The counter is per unit, pattern and year, so kinds sharing a pattern share one gapless
    series. It must run inside the caller's transaction (``sequence_next`` locks until commit).
    """
    profile = unit.profile or {}
    # ``document_numbers`` is the seeded profiles' key (workflows/profiles.py); ``doc_patterns``
    # the name the notices issue used — both are read.
    patterns = profile.get("document_numbers") or profile.get("doc_patterns") or {}
    pattern = patterns.get(kind) or patterns.get("default") or DEFAULT_DOC_PATTERN
    scope = f"notice:{unit.code}:{year}:{pattern}"
    if len(scope) > 120:  # the counter's key column; a long pattern is keyed by its digest
        scope = f"notice:{unit.code}:{year}:" + hashlib.sha256(pattern.encode()).hexdigest()[:40]
    value = sequence_next(scope)
    number = pattern.format_map(_PatternFields(year=year, seq=value, unit_code=unit.code))
    return number, scope, value


#: Addressee names of the workflow modules (``workflows._schema.ADDRESSEES``) → the case party.
_PARTY_OF = {
    "complainant": "complainant",
    "applicant": "complainant",
    "respondent": "respondent",
    "exhibitor": "respondent",
}


def _addressee_for(case, workflow: str, kind: str, addressee, event=None) -> dict:
    """Accepts a party role (``"respondent"``, ``"exhibitor"``…), ``AUTHORITY``, a name, a dict,
    or None for the kind's default; returns the party document with its ``role``."""
    if isinstance(addressee, dict):
        result = dict(addressee)
        result.setdefault("role", "other")
        return result
    role = addressee or kind_addressee_role(workflow, kind)
    if role == BOTH_PARTIES:
        # One ruling for both sides: each is named, and each is served with it.
        parties = {side: _party_of(case, side) for side in ("complainant", "respondent")}
        names = [party["name"] for party in parties.values() if party.get("name")]
        return {"role": BOTH_PARTIES, "name": "、".join(names), "parties": parties}
    if role == AUTHORITY:
        # The authority the step names (a referral's centre or court): no party's details.
        data = (event.data or {}) if event is not None else {}
        return {"role": AUTHORITY, "name": authority_name(kind, data)}
    if role not in _PARTY_OF:
        return {"role": "other", "name": str(role)}
    party = _party_of(case, _PARTY_OF[role])
    party["role"] = role
    return party


def _party_of(case, side: str) -> dict:
    """The case's ``complainant`` or ``respondent`` as a party document, with its name."""
    party = dict((case.complainant if side == "complainant" else case.respondent) or {})
    party.setdefault(
        "name", case.complainant_name if side == "complainant" else case.respondent_name
    )
    return party


def notice_queue(
    *,
    case: Case,
    kind: str,
    event: Event | None,
    addressee=None,
    replaces: Notice | None = None,
    issued_at: datetime | None = None,
) -> Notice:
    """Create the pending notice of a transition, with its document number, in the caller's
    transaction. Nothing is rendered here; call ``notices_render_pending`` after the commit.

    ``issued_at`` defaults to the event's ``occurred_at``: the notice is dated the day its step
    took effect, even when the step is back-dated (notices.md "Content"); a correction passes
    its own date.
    """
    if kind not in KINDS:
        raise ValidationFailed(
            f"未知的文书种类：{kind}",
            message_en=f"unknown notice kind {kind}",
            fields={"kind": "unknown"},
        )
    unit = case.unit
    if issued_at is None:
        issued_at = event.occurred_at if event is not None else utcnow()
    number, scope, value = notice_document_number(
        unit=unit, kind=kind, year=local_date(issued_at).year
    )
    if inspect(case).pending or (event is not None and inspect(event).pending):
        db.session.flush()  # the notice names them: their rows first
    # Written at once, not by the flush: a pending notice is append-only in its transaction.
    notice = row_insert(
        Notice,
        case_id=case.id,
        unit_id=case.unit_id,
        kind=kind,
        title=kind_title(case.workflow, kind),
        addressee=_addressee_for(case, case.workflow, kind, addressee, event),
        document_number=number,
        sequence_scope=scope,
        sequence_value=value,
        issued_at=issued_at,
        event_id=event.id if event is not None else None,
        status="pending",
        verification_code=new_verification_code(),
        replaces_id=replaces.id if replaces is not None else None,
        created_at=utcnow(),
        rendered_at=None,
        file_path=None,
        file_size=None,
        sha256=None,
        attempts=0,
        last_error=None,
    )
    for hook in _on_queued:
        hook(notice)
    logger.info("notice %s queued: %s %s for case %s", notice.id, kind, number, case.number)
    return notice


def _store_once(notice: Notice, pdf: bytes) -> str:
    """Write the PDF under a key no other file has, and return the key (its path in storage).

    The storage refuses an existing key (``put_new``), so an issued notice's file is never
    overwritten, on one machine or in a shared object store; a file left by an attempt whose
    commit failed keeps its key and this attempt takes the next one.
    """
    from caseflow.storage import storage

    folder = f"notices/{notice.unit.code}/{local_date(notice.issued_at).year}"
    # The verification code is unique for good, so the name is too, even across databases.
    stem = f"{notice.id}-{notice.kind}-{notice.verification_code}"
    for attempt in range(1, 100):
        name = f"{stem}.pdf" if attempt == 1 else f"{stem}.{attempt}.pdf"
        relative = f"{folder}/{name}"
        if storage().put_new(relative, pdf):
            return relative
    raise RuntimeError(f"no free file name for notice {notice.id}")


def notice_render(notice_id: int) -> bool:
    """Render, store and issue one pending notice; True when this call issued it.

    Raises on failure (the caller records it). Issuing is a conditional update on
    ``status = 'pending'``: when two retries race, one issues and the other removes its own,
    never-referenced file, so a notice is issued exactly once.
    """
    # The row stays locked while it renders, and a renderer that finds it locked moves on: two
    # processes (the request that fired the step, the scheduler's workers) never render the same
    # notice twice. SQLite ignores FOR UPDATE; there the conditional update below still issues
    # it once.
    notice = db.session.scalar(
        select(Notice)
        .where(Notice.id == notice_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if notice is None or notice.is_issued:
        db.session.commit()  # ends the transaction (and the lock, if it was taken)
        return False
    pdf = html_to_pdf(notice_html(notice))
    relative = _store_once(notice, pdf)
    result = db.session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == "pending")
        .values(
            status="issued",
            rendered_at=utcnow(),
            file_path=relative,
            file_size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            last_error=None,
        )
    )
    if result.rowcount != 1:
        db.session.rollback()
        from caseflow.storage import storage

        storage().delete(relative)  # never referenced: the other attempt's file is the notice's
        return False
    db.session.commit()
    logger.info("notice %s issued: %s, %d bytes", notice_id, relative, len(pdf))
    return True


def _record_failure(notice_id: int, exc: Exception) -> None:
    db.session.rollback()
    try:
        db.session.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.status == "pending")
            .values(attempts=Notice.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        )
        db.session.commit()
    except Exception:
        logger.exception("notice %s: could not record the rendering failure", notice_id)
        db.session.rollback()


def notice_next_attempt_at(notice) -> datetime:
    """When the scheduler may try a failed notice again: 1, 3, 7, 15, 31, 63 minutes after it
    was queued, then hourly — a notice that cannot render (a bad seal path, a full disk) must not
    cost a render on every sweep until someone fixes the cause."""
    attempts = notice.attempts or 0
    minutes = 2 ** min(attempts, 6) - 1 + max(attempts - 6, 0) * 60
    return notice.created_at + timedelta(minutes=minutes)


def notices_due_ids(ids=None, *, force: bool = False) -> list[int]:
    """The pending notices to render now, oldest first: those in ``ids`` (ids or Notice rows),
    or all whose next attempt is due (``notice_next_attempt_at``; ``force``: all). Ends its
    transaction, so the renderers' writes never wait on it."""
    query = select(Notice.id, Notice.attempts, Notice.created_at).where(Notice.status == "pending")
    if ids is not None:
        wanted = [getattr(item, "id", item) for item in ids]
        if not wanted:
            return []
        query = query.where(Notice.id.in_(wanted))
    now = utcnow()
    rows = db.session.execute(query.order_by(Notice.id)).all()
    db.session.commit()
    return [
        row.id for row in rows if ids is not None or force or notice_next_attempt_at(row) <= now
    ]


def notice_render_or_record(notice_id: int) -> bool:
    """``notice_render`` that never raises: a failure is logged, counted on the row and left
    pending; then WeasyPrint's garbage is collected. True when this call issued the notice."""
    try:
        return notice_render(notice_id)
    except Exception as exc:
        logger.exception("notice %s: rendering failed, left pending", notice_id)
        _record_failure(notice_id, exc)
        return False
    finally:
        _collect_render_garbage()


def notices_render_pending(ids=None, *, force: bool = False) -> list[int]:
    """Render pending notices (all, or those in ``ids``: ids or Notice rows) in this process;
    the ids issued.

    Run after a transition's commit (an after-commit effect, with ``ids``); the scheduler and
    ``flask notices retry`` render through ``caseflow.notices.pool`` (every core). Never raises:
    a failure is logged, counted on the row and left pending. Call it outside any transaction you
    still mean to commit — a failure rolls the session back.
    """
    try:
        pending = notices_due_ids(ids, force=force)
    except Exception:
        logger.exception("notices: could not list pending notices")
        db.session.rollback()
        return []
    return [notice_id for notice_id in pending if notice_render_or_record(notice_id)]


def notice_correct(*, notice: Notice, actor=None, note: str = "") -> Notice:
    """Issue a correction: a new notice of the same kind naming the one it replaces.

    The issued notice and its file stay as they were; the correction gets its own document
    number and its own audit event (a correction is not a transition). Flushed; it renders
    after the caller's commit (``caseflow/transaction.py``).
    """
    if actor is not None and actor.role not in CORRECTING_ROLES:
        raise PermissionDenied("仅部门负责人可更正文书", message_en="only a supervisor may correct")
    if actor is not None and not actor.can_see_unit(notice.case.unit_id):
        # Like a missing notice: another unit's documents cannot be confirmed.
        raise NotFound("文书不存在", message_en="no such notice")
    if not notice.is_issued:
        raise StateConflict("文书尚未签发，无需更正", message_en="the notice is not issued yet")
    newer = db.session.scalar(select(Notice.document_number).where(Notice.replaces_id == notice.id))
    if newer is not None:
        raise StateConflict(
            f"该文书已由{newer}更正，请更正最新文书",
            message_en=f"already corrected by {newer}; correct the latest notice",
        )
    # The correction is its own audit entry; the notice keeps the transition that issued the
    # original, so it announces the same deadlines and facts of that step.
    corrected_at = utcnow()
    try:
        db.session.add(
            Event(
                case_id=notice.case_id,
                kind="notice_correction",
                actor_id=getattr(actor, "id", None),
                occurred_at=corrected_at,
                note=note,
                data={"replaces_notice_id": notice.id, "replaces": notice.document_number},
            )
        )
        correction = notice_queue(
            case=notice.case,
            kind=notice.kind,
            event=notice.event,
            addressee=dict(notice.addressee),
            replaces=notice,
            issued_at=corrected_at,
        )
        db.session.flush()
    except IntegrityError:  # another supervisor corrected it a moment ago
        db.session.rollback()
        raise StateConflict(
            "该文书刚已被更正，请更正最新文书", message_en="already corrected; reload"
        ) from None
    after_commit(db.session, notices_render_pending, [correction.id])
    return correction


def notices_verify() -> tuple[int, list]:
    """Every issued notice's file, re-hashed: ``(checked, [(notice, "missing" | "SHA-256
    differs")])``. A backup, a restore or a storage migration ends with this."""
    from caseflow.storage import storage

    store = storage()
    problems, checked = [], 0
    query = select(Notice).where(Notice.status == "issued").order_by(Notice.id)
    for notice in db.session.scalars(query):
        checked += 1
        if not store.exists(notice.file_path):
            problems.append((notice, "missing"))
            continue
        data = store.get(notice.file_path)
        if hashlib.sha256(data).hexdigest() != notice.sha256:
            problems.append((notice, "SHA-256 differs"))
    return checked, problems
