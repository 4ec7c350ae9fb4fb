"""Row locks on cases (PostgreSQL): a step holds its case's row from its first read to its commit.

Concurrent steps on one case queue on the lock, and the later one reads the state the earlier one
left (SQLite has no row locks: one writer at a time, and the versioned UPDATE is the guard). The
engine takes the lock before it checks anything (``case_lock``). A caller that reads the case only
to fire a step on it (the API) reads it locked in the first place (``case_get_locked``), and the
engine then does not read it a second time: the transaction remembers the cases it holds.
"""

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from caseflow.cases.models import Case
from caseflow.extensions import db

_HELD = "caseflow_case_locks"


def _row_locks() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _held() -> set[str]:
    return db.session.info.setdefault(_HELD, set())


#: The step's read of its case, built once (``Session.get`` builds its statement on every call
#: that misses the identity map, as every step's does after the last commit expired the case).
#: populate_existing: a copy already in the session is overwritten by the row as read.
_CASE = (
    select(Case).where(Case.id == bindparam("case_id")).execution_options(populate_existing=True)
)
_CASE_LOCKED = _CASE.with_for_update()


def case_get_locked(case_id: str) -> Case | None:
    """The case, read ``FOR UPDATE``: its row is held until the transaction ends."""
    if not _row_locks():
        return db.session.get(Case, case_id)
    case = db.session.execute(_CASE_LOCKED, {"case_id": case_id}).scalar_one_or_none()
    if case is not None:
        _held().add(case.id)
    return case


def case_lock(case: Case) -> None:
    """Hold ``case``'s row until the transaction ends, reading it afresh; nothing when this
    transaction holds it already."""
    if not _row_locks():
        return
    held = _held()
    if case.id in held:
        return
    db.session.refresh(case, with_for_update=True)
    held.add(case.id)


@event.listens_for(Session, "after_transaction_end")
def _released(session, transaction) -> None:
    # The transaction ended (commit or rollback): its row locks went with it. So do the locks
    # taken inside a savepoint rolled back to; forgetting them at any savepoint's end costs at
    # most one more locking read. (The flush's own inner transactions change nothing.)
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HELD, None)
