"""Append-only rows (an audit event, a pending notice) written with one ``INSERT … RETURNING id``
instead of through the session's unit of work.

A transition writes rows that are never changed in its transaction and whose id the next rows
need (the clock history rows and the notice name their event). Flushing them through the unit of
work costs more than the statement itself (stack-notes, issue 17), so ``row_insert`` runs the
insert at once on the session's connection, in the caller's transaction, and hands back a mapped
object attached to the session as if it had been loaded: reading it costs no query, changing it
is flushed as an update, the commit expires it like any other row.

A rollback takes the row back; the object goes with it (it is expunged), so that a later row that
reuses its id (SQLite does) does not meet a stale object of that id in the session. Inside a
savepoint, which can roll back alone, the row goes through the unit of work as usual.
"""

from functools import cache
from typing import TypeVar

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, make_transient_to_detached

from caseflow.extensions import db
from caseflow.transaction import writes_made

_ATTACHED = "caseflow_row_insert"

M = TypeVar("M")


@cache
def _insert_returning_id(table):
    """``INSERT INTO table … RETURNING id``, the columns given as parameters."""
    # Built once per table: SQLAlchemy caches its compiled form per set of columns given.
    return insert(table).returning(table.c.id)


def row_insert(model: type[M], **values) -> M:
    """Insert one ``model`` row with ``values`` (every column but ``id``: the object gets no
    column default) and return it, persistent in the current session."""
    session = db.session()
    if session.in_nested_transaction():
        # A savepoint may roll back alone, which the bookkeeping below does not follow: the
        # ordinary way, through the unit of work.
        obj = model(**values)
        session.add(obj)
        session.flush()
        return obj
    table = model.__table__  # type: ignore[attr-defined]
    row_id = session.connection().execute(_insert_returning_id(table), values).scalar_one()
    obj = model(id=row_id, **values)
    row_attach(session, obj)
    return obj


def row_attach(session: Session, obj) -> None:
    """Attach ``obj``, a transient object whose row was just inserted with the values it holds
    (its ``id`` included), to ``session`` as if loaded; a rollback takes it out again."""
    make_transient_to_detached(obj)
    session.add(obj)
    session.info.setdefault(_ATTACHED, []).append(obj)
    writes_made(session)


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    session.info.pop(_ATTACHED, None)


@event.listens_for(Session, "after_transaction_end")
def _rolled_back(session, transaction) -> None:
    # Still listed when the outermost transaction ends: it ended without a commit.
    if transaction.parent is not None or transaction.nested:
        return
    for obj in session.info.pop(_ATTACHED, ()):
        if obj in session:
            session.expunge(obj)
