"""A step's case and clock rows written as plain statements, not through the unit of work.

A transition changes its case (state, version, data, next due) and one to three of its clocks.
Written by the session's flush, those few rows took about 40% of a step (issue 17's profile: the
flush sorts its objects, compares every attribute's history and builds its statement batches);
written as below, a step of ``bench/transitions.py`` costs about a fifth less. ``step_flush``
writes them as the statements the flush would emit, in the flush's order:

1. the rules the flush hooks keep (``caseflow.supervision.tallies``): each clock's unit and 临期
   moment, then the tallies' difference, read from the values before the step (written in 4);
2. the case: ``UPDATE … WHERE id = … AND version = …``; no row means a concurrent step won, and
   it raises ``StaleDataError`` exactly as the unit of work does for the version column;
3. the changed clocks, an UPDATE of the columns that changed (one executemany per set of
   columns), then the new clocks in one multi-row INSERT (updates first: a restarted clock stops
   its predecessor before it takes the active name);
4. the tallies, and the clock history rows now that every clock has its id;

and marks the objects clean, as the flush leaves them. Whatever else the step added or changed (a
linked case, a delivery row, a credit record) goes through the ordinary flush afterwards. A step
whose case or clocks carry anything but column changes (a loaded collection that grew), or that
runs inside a savepoint (which may roll back alone), goes through the ordinary flush whole.
"""

from functools import cache

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm.exc import StaleDataError

from caseflow.cases.models import Case
from caseflow.clocks.models import Clock
from caseflow.clocks.services import write_pending_entries
from caseflow.extensions import db
from caseflow.inserts import row_attach
from caseflow.supervision.tallies import clocks_derive, tallies_apply, tallies_delta
from caseflow.transaction import writes_made


def step_flush(case: Case) -> None:
    """Write ``case`` and the clocks of it the step changed or started, then flush the rest."""
    session = db.session()
    if session.in_nested_transaction() or session.deleted:
        session.flush()
        return
    case_state = inspect(case)
    if not case_state.persistent or not _columns_only(case_state):
        session.flush()
        return
    # From the session, not the step's batch: a restarted clock's predecessor is no longer in it.
    new = [obj for obj in session.new if isinstance(obj, Clock) and _of_case(obj, case)]
    changed = [obj for obj in session.dirty if isinstance(obj, Clock) and _of_case(obj, case)]
    if (
        any("entries" in inspect(clock).dict for clock in new)
        or not all(_columns_only(inspect(clock)) for clock in changed)
        or len({clock.name for clock in new}) < len(new)  # their ids come back by name
    ):
        session.flush()
        return
    dirty = [case, *changed]

    clocks_derive(session, new, dirty)
    tallies = tallies_delta(session, new, dirty, ())  # now: it reads the values before the step
    connection = session.connection()
    _case_write(connection, case, case_state)
    # One statement per set of changed columns (a decision stops three clocks alike), and one
    # for the new clocks: on PostgreSQL each statement saved is a round trip.
    updates: dict[tuple, list] = {}
    for clock in changed:
        values = _changes(inspect(clock))
        if values:
            updates.setdefault(tuple(sorted(values)), []).append({"b_id": clock.id, **values})
    for rows in updates.values():
        connection.execute(_update_by_id(Clock.__table__), rows)
    if new:
        rows = []
        for clock in new:
            clock.case_id = case.id
            rows.append(_all_columns(clock))
            session.expunge(clock)  # pending → transient, then attached as inserted (row_attach)
        # Matched back by name, which the new clocks of one step never share (a case has one
        # active clock of a name): RETURNING promises no order on SQLite.
        ids = dict(connection.execute(_insert_returning_ids(Clock.__table__), rows).all())
        for clock in new:
            clock.id = ids[clock.name]
            row_attach(session, clock)
    tallies_apply(session, tallies)
    write_pending_entries(session)
    for obj in dirty:
        state = inspect(obj)
        state._commit_all(state.dict, session.identity_map)  # what the flush's end does
    writes_made(session)
    session.flush()  # anything else the step added or changed


def _of_case(clock: Clock, case: Case) -> bool:
    return clock.case_id == case.id or clock.__dict__.get("case") is case


def _case_write(connection, case: Case, state) -> None:
    """The case's changed columns, guarded by the version it was read at."""
    values = _changes(state)
    if not values:
        return
    before = state.committed_state.get("version", case.version)
    result = connection.execute(
        _update_by_id_and_version(Case.__table__), {"b_id": case.id, "b_version": before, **values}
    )
    if result.rowcount != 1:
        raise StaleDataError(f"case {case.id}: version {before} is no longer current")


def _columns_only(state) -> bool:
    return set(state.committed_state) <= _column_keys(state.mapper)


def _changes(state) -> dict:
    """The columns set since the row was read, whose value differs from it."""
    current = state.dict
    return {
        key: current[key]
        for key, before in state.committed_state.items()
        if key in current and current[key] != before
    }


def _all_columns(obj) -> dict:
    """Every column of a new object but its id, as the unit of work would insert it (a column
    left unset takes its default, and the object is given that value)."""
    state = inspect(obj)
    values = {}
    for prop in state.mapper.column_attrs:
        if prop.key == "id":
            continue
        if prop.key not in state.dict:
            default = prop.columns[0].default
            value = default.arg if default is not None and default.is_scalar else None
            if default is not None and default.is_callable:
                value = default.arg({})
            setattr(obj, prop.key, value)
        values[prop.key] = state.dict[prop.key]
    return values


@cache
def _column_keys(mapper) -> frozenset:
    return frozenset(prop.key for prop in mapper.column_attrs)


@cache
def _update_by_id(table):
    # SET takes the columns named in the parameters (the compiled form is cached per set).
    return update(table).where(table.c.id == bindparam("b_id"))


@cache
def _insert_returning_ids(table):
    """A multi-row ``INSERT … RETURNING name, id``."""
    return insert(table).returning(table.c.name, table.c.id)


@cache
def _update_by_id_and_version(table):
    return update(table).where(
        table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version")
    )
