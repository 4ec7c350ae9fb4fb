"""Reads for notices: by verification code, by case, and the one a user may open."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from caseflow.accounts.models import Unit
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.search import code_as_typed


@dataclass(frozen=True)
class NoticeVerification:
    """What the public verification page shows of an issued notice: no party, no case."""

    verification_code: str
    document_number: str
    kind: str
    title: str
    #: The issuer as the notice prints it (版头, 署名): the profile's full name.
    unit_name: str
    issued_at: datetime
    sha256: str
    #: The document number of the notice this one corrects, if it is a correction.
    replaces_number: str | None
    #: The document number of the issued correction that replaced this one (this one is void).
    replaced_by_number: str | None


#: The corrected notice, joined to its correction (module level: a new alias per call would be a
#: new statement to compile each time).
_Replaced = aliased(Notice, name="replaced")
#: The issued correction that replaced the notice (a pending one is not yet in force).
_Replacing = aliased(Notice, name="replacing")


#: The unit's name as its notices print it: ``profile["full_name"]``, else ``Unit.name``
#: (``render.notice_context``). A party checks a paper copy against it, so the short display
#: name (中国进出口商品交易会 知识产权投诉站) would look like another issuer.
_PRINTED_UNIT_NAME = func.coalesce(
    func.nullif(Unit.profile["full_name"].as_string(), ""), Unit.name
)

#: Built once (its code a parameter): building the statement cost as much as running it.
_VERIFICATION = (
    select(
        Notice.verification_code,
        Notice.document_number,
        Notice.kind,
        Notice.title,
        _PRINTED_UNIT_NAME,
        Notice.issued_at,
        Notice.sha256,
        _Replaced.document_number,
        _Replacing.document_number,
    )
    .join(Unit, Unit.id == Notice.unit_id)
    .outerjoin(_Replaced, _Replaced.id == Notice.replaces_id)
    .outerjoin(
        _Replacing, (_Replacing.replaces_id == Notice.id) & (_Replacing.status == "issued")
    )
    .where(Notice.verification_code == bindparam("code"), Notice.status == "issued")
)


def notice_verification(code: str) -> NoticeVerification | None:
    """The issued notice a printed verification code names (None for a pending or unknown one);
    codes are typed in upper case from paper, but a lower-case entry is accepted.

    Nine columns in one statement, not the ORM entity with its unit and its corrected notices:
    every phone that scans the QR code on a notice asks for this page, without logging in
    (bench/load.py measures it against ``/healthz``).
    """
    code = code_as_typed(code or "")
    if not code or len(code) > 16 or "\x00" in code:
        return None
    # One row of issued (never again changed) notices, read on a connection of its own in
    # autocommit, outside the request's session: no BEGIN and COMMIT around it, two of the
    # four round trips such a page costs on PostgreSQL.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(_VERIFICATION, {"code": code}).first()
    return NoticeVerification(*row) if row is not None else None


def notices_replaced_by(notices) -> dict[int, Notice]:
    """Of ``notices``, those an issued correction replaced (void since), each to its correction."""
    ids = [n.id for n in notices]
    if not ids:
        return {}
    corrections = db.session.scalars(
        select(Notice).where(Notice.replaces_id.in_(ids), Notice.status == "issued")
    )
    return {c.replaces_id: c for c in corrections if c.replaces_id is not None}


def notices_of_case(case_id: str) -> list[Notice]:
    """A case's notices, oldest first (the case page and the API list them)."""
    return list(
        db.session.scalars(select(Notice).where(Notice.case_id == case_id).order_by(Notice.id))
    )


def notice_get_visible(*, user, notice_id: int) -> Notice:
    """The notice, if ``user`` may see its unit (users see their own unit's cases, admins all)."""
    notice = db.session.get(Notice, notice_id)
    # Another unit's notice answers like a missing one (404): ids cannot be probed.
    if notice is None or not user.can_see_unit(notice.unit_id):
        raise NotFound("文书不存在", message_en="no such notice")
    return notice


def notice_pdf_bytes(notice: Notice) -> bytes:
    """The issued PDF from storage (any node), checked against its recorded SHA-256; 404 while
    the notice is pending (nothing issued yet). Altered or missing bytes raise
    ``StoredFileCorrupt`` rather than being served as an official document."""
    from caseflow.storage import storage

    if not notice.is_issued:
        raise NotFound(
            "文书尚在生成中，请稍后再试", message_en="the notice is still being rendered"
        )
    return storage().get(notice.file_path, sha256=notice.sha256)


@dataclass
class CorrectionTask:
    """An issued notice announced a due date that has since moved (a calendar recompute): the
    party holds a wrong date, so a correction notice naming this one should go out."""

    notice: Notice
    clock_name: str
    announced_at: datetime  # the due instant printed on the notice
    due_at: datetime  # the clock's due instant now
    period_unit: str


def notices_needing_correction(case, notices: list | None = None) -> list[CorrectionTask]:
    """The case's latest issued notices (not yet corrected) whose announced deadline differs from
    the clock's current one. Only active clocks count: a stopped clock's date no longer binds.
    ``notices``: the case's notices when already read (the case page lists them too)."""
    from caseflow.clocks.models import Clock, ClockEntry
    from caseflow.notices.kinds import kind_announced_clocks

    if notices is None:
        notices = notices_of_case(case.id)
    replaced = {n.replaces_id for n in notices if n.replaces_id}
    announcing = {}  # notice → the clocks its kind announces
    for notice in notices:
        if notice.is_issued and notice.id not in replaced and notice.event_id is not None:
            role = (notice.addressee or {}).get("role")
            names = kind_announced_clocks(case.workflow, notice.kind, role)
            if names:
                announcing[notice] = names
    if not announcing:
        return []
    # The dates each step set on its clocks, for all the notices at once.
    by_event = {}
    for clock, due_after, event_id in db.session.execute(
        select(Clock, ClockEntry.due_after, ClockEntry.event_id)
        .join(ClockEntry, ClockEntry.clock_id == Clock.id)
        .where(
            ClockEntry.event_id.in_([n.event_id for n in announcing]),
            ClockEntry.due_after.is_not(None),
        )
        .order_by(ClockEntry.id)
    ):
        by_event.setdefault(event_id, []).append((clock, due_after))
    tasks = []
    for notice, names in announcing.items():
        announced = [
            (clock, due_after)
            for clock, due_after in by_event.get(notice.event_id, ())
            if clock.name in names
        ]
        if notice.replaces_id is not None:
            # A correction announced the dates current when it was issued.
            announced = [(clock, _due_when(clock, notice.issued_at)) for clock, _ in announced]
        for clock, announced_at in announced:
            if clock.is_active and announced_at is not None and announced_at != clock.due_at:
                tasks.append(
                    CorrectionTask(
                        notice, clock.name, announced_at, clock.due_at, clock.period_unit
                    )
                )
    return tasks


def _due_when(clock, at):
    """The clock's due instant as it stood at ``at`` (its last entry recorded by then)."""
    due = None
    for entry in clock.entries:
        if entry.recorded_at <= at and entry.due_after is not None:
            due = entry.due_after
    return due
