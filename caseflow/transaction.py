"""Who commits, and what runs after: services flush, their callers commit.

A service (``caseflow/*/services.py``, the engine's ``case_fire``) adds and flushes its rows and
leaves the transaction open; the edge that called it commits once: a page through
``caseflow.web.transaction.committing``, the API at the end of its request, a CLI command or a
scheduler job with ``db.session.commit()``. A failure anywhere before the commit is rolled back
whole by that edge, so a step made of several services is all or nothing.

Work that must not happen unless the rows are stored (rendering a notice's PDF or a filing
receipt) is registered with ``after_commit``: it runs
when the caller's ``db.session.commit()`` returns, in registration order, and is dropped when the
transaction ends any other way (rollback, ``session.remove()``, an error). So whoever commits
triggers it, and nothing runs for a step that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import scoped_session

log = logging.getLogger(__name__)

#: ``session.info`` keys: effects registered in the open transaction, and effects whose
#: transaction committed and that wait for ``commit()`` to return.
_PENDING = "caseflow.after_commit.pending"
_READY = "caseflow.after_commit.ready"
#: Set when the open transaction has flushed writes (cleared when it ends).
_WRITTEN = "caseflow.written"


def after_commit(session: OrmSession | scoped_session, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` once ``session``'s transaction has committed; never if it
    (or the savepoint this was registered in) rolls back. Exceptions of ``func`` are logged and
    rolled back, not raised: the commit has happened, and the effect's own retry (such as the
    scheduler's for pending notices) takes over."""
    if isinstance(session, scoped_session):  # db.session: the current context's session
        session = session()
    if session.get_transaction() is None:
        session.begin()  # what the first query would do: the effect belongs to this transaction
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, func, args, kwargs))


def pending_effects(session: OrmSession | scoped_session) -> list:
    """The functions waiting for this transaction's commit (for tests and logging)."""
    if isinstance(session, scoped_session):
        session = session()
    return [func for _txn, func, _args, _kwargs in session.info.get(_PENDING, ())]


def uncommitted_writes(session: OrmSession | scoped_session) -> bool:
    """Whether the open transaction holds writes nobody has committed yet (flushed or not)."""
    if isinstance(session, scoped_session):
        session = session()
    return bool(session.info.get(_WRITTEN) or session.new or session.dirty or session.deleted)


@event.listens_for(OrmSession, "after_flush")
def _flushed(session: OrmSession, _context) -> None:
    writes_made(session)


def writes_made(session: OrmSession) -> None:
    """Record that the open transaction wrote rows: for writes on the session's connection that
    neither a flush nor a session statement made (``caseflow.step_writes``)."""
    session.info[_WRITTEN] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _executed(state) -> None:
    # INSERT/UPDATE/DELETE statements run through the session (not the unit of work) write too.
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WRITTEN] = True


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    # Inside the commit no SQL can be emitted: move the effects aside; ``Session.commit`` runs
    # them once the transaction is closed. A savepoint's release is not the commit: its effects
    # wait for the outer transaction.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


def _within(transaction, ended) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(OrmSession, "after_soft_rollback")
def _rolled_back(session: OrmSession, previous_transaction) -> None:
    # A rollback (of the transaction or of a savepoint) drops what was registered inside it.
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [e for e in pending if not _within(e[0], previous_transaction)]


@event.listens_for(OrmSession, "after_transaction_end")
def _ended(session: OrmSession, transaction) -> None:
    # The outermost transaction ended without a commit (close, remove, a failed flush): its
    # effects are dropped. A committed one moved them to _READY first.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)


def _run_ready(session: OrmSession) -> None:
    while True:
        ready = session.info.pop(_READY, None)
        if not ready:
            return
        for _transaction, func, args, kwargs in ready:
            try:
                func(*args, **kwargs)
            except Exception:  # noqa: BLE001 — the commit stands; the effect's retry takes over
                log.exception("after-commit effect %s failed", getattr(func, "__name__", func))
                session.rollback()


class Session(FlaskSession):
    """Flask-SQLAlchemy's session whose ``commit()`` runs the after-commit effects."""

    def commit(self) -> None:
        super().commit()
        _run_ready(self)


def lost_writes_guard(app, session: scoped_session) -> None:
    """A request that answered success while its writes were never committed lost them (the
    session is removed, and rolled back, at the end of the request): a view forgot its commit.
    Logged always; under ``TESTING`` it is an error, so the suite finds such a view. (A session
    that already held uncommitted writes when the request began, as a test's own setup may, is
    not the request's doing and is left alone.)"""
    from flask import g, request

    @app.before_request
    def _writes_before():
        g.caseflow_writes_before = uncommitted_writes(session)

    @app.after_request
    def _no_lost_writes(response):
        if (
            response.status_code < 400
            and not g.get("caseflow_writes_before", True)
            and uncommitted_writes(session)
        ):
            message = f"{request.method} {request.path}: writes left uncommitted"
            if app.config.get("TESTING"):
                raise RuntimeError(message)
            log.error(message)
        return response


def reads_end_with_commit(app, session: scoped_session) -> None:
    """A successful request that wrote nothing ends its transaction with COMMIT, not with the
    ROLLBACK that removing the session would send.

    To the database the two end a read-only transaction alike. To psycopg they do not: a ROLLBACK
    makes it forget every statement it prepared on the connection, and the counts towards
    preparing one (it prepares a statement on its fifth use). With every page read ending in a
    ROLLBACK, nothing was ever prepared, and PostgreSQL planned each query of each request anew:
    the verification page's join spent more time being planned than run (bench/load.py).

    Left to the ROLLBACK: a failed request (4xx, 5xx or an exception), one whose transaction holds
    writes (the lost-writes guard reports those), and a streamed answer, which may still read.
    """
    from flask import request

    @app.after_request
    def _commit_reads(response):
        current = session()
        if (
            response.status_code < 400
            and not response.is_streamed
            and current.in_transaction()
            and not uncommitted_writes(current)
            and not pending_effects(current)
        ):
            expiring = current.expire_on_commit
            # Nothing was written, so nothing read is stale: without the commit's expiry, what
            # runs after this hook (the signed-in check of caseflow.security) reads no row again.
            current.expire_on_commit = False
            try:
                current.commit()
            except Exception:  # noqa: BLE001 — the answer stands; it wrote nothing to lose
                log.warning("%s %s: ending a read with COMMIT failed", request.method, request.path)
                current.rollback()
            finally:
                current.expire_on_commit = expiring
        return response
