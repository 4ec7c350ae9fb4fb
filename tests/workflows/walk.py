"""Walk a workflow's transition table row by row (style.md rule 9): from every source state the
allowed role succeeds, every other role gets 403, and a state outside the row's sources gets 409;
a refused step changes nothing."""

from datetime import timedelta

import pytest

import workflows
from caseflow.errors import PermissionDenied, StateConflict
from caseflow.extensions import db
from caseflow.timeutil import utcnow
from tests.engine.helpers import clocks_of, transition_events

ROLES = ("caseworker", "desk_officer", "supervisor", "admin", "viewer")


def walk(workflow, *, open_any, fire):
    """Check every ``(row, source)`` of ``workflow``; one test per workflow (the database is
    wiped between tests, which costs more than the walk on PostgreSQL). Every failing row is
    reported, not just the first."""
    wf = workflows.get(workflow)
    failures = []
    for t in wf.TRANSITIONS:
        for source in t.sources:
            try:
                check_row(workflow, t.trigger, source, open_any=open_any, fire=fire)
            except Exception as exc:  # noqa: BLE001 -- collected and reported below
                db.session.rollback()
                failures.append(f"{t.trigger} from {source}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)


def valid_data(row) -> dict:
    data = {}
    for f in row.fields:
        if f.type in ("string", "text", "photo"):  # a photo: an API client may send a reference
            data[f.name] = "测试说明"
        elif f.type == "choice":
            data[f.name] = f.choice_values[0]
        elif f.type == "names":
            data[f.name] = ["张三", "李四", "王五"]
        elif f.type == "boolean":
            data[f.name] = True
        elif f.type == "lines":
            data[f.name] = ["测试条目"]
        elif f.type == "instant":
            data[f.name] = (utcnow() + timedelta(days=30)).isoformat()
        elif f.type == "amount":
            data[f.name] = 1000
        elif f.type == "unit":  # a receiving centre that exists (a referral needs one)
            data[f.name] = "ZS"
        elif f.type == "application_number":  # CNIPA's, with its check digit
            data[f.name] = "202610012345.1"
        elif f.type == "patent_number":
            data[f.name] = "ZL202610012345.1"
    return data


def place(case, state, row):
    """Put ``case`` in ``state`` as if it had got there, with the clocks the row reads running
    (expired ones for ``clock_expired`` guards). A fixture shortcut: the engine alone changes a
    state in the application, and the end-to-end tests walk the real paths."""
    from caseflow.clocks.services import clock_start, clock_stop

    wf = workflows.get(case.workflow)
    case.state = state
    needed = [g.params["clock"] for g in row.guards if g.name == "clock_expired"]
    running = [g.params["clock"] for g in row.guards if g.name == "clock_running"]
    # An extension is granted while its period runs (deadlines.md §3): one started now.
    running += [e.clock for e in row.clocks if e.action == "extend"]
    for name in running:  # an opening clock long due (penalty's filing_decision) starts afresh
        clock_stop(case, name, at=utcnow())
    active = {c.name for c in clocks_of(case).values() if c.is_active}
    for name in needed:
        if name in active:  # an opening clock (penalty's filing_decision) already runs
            continue
        period = workflows.clock(wf, name).period
        clock_start(case, name, period=period, started_at=case.received_at)
    for name in running:
        # Started now, so it is still running when the row is fired.
        clock_start(case, name, period=workflows.clock(wf, name).period, started_at=utcnow())
    db.session.commit()


def check_row(workflow, trigger, source, *, open_any, fire):
    wf = workflows.get(workflow)
    row = workflows.transition(wf, trigger)
    data = valid_data(row)
    case = open_any(workflow)
    place(case, source, row)
    version = case.version

    for role in ROLES:
        if role in row.roles:
            continue
        with pytest.raises(PermissionDenied):
            fire(case, trigger, role, data=data)
        assert case.state == source and case.version == version
    assert transition_events(case) == []

    # A row that returns (resume) goes back where the case came from: placed directly, the
    # case has no history, so the first of ``returns_to``.
    dest = row.dest or (row.returns_to[0] if row.returns_to else source)
    for number, role in enumerate(row.roles):
        if number:  # each further allowed role on a case of its own, placed the same way
            case = open_any(workflow)
            place(case, source, row)
            version = case.version
        event = fire(case, trigger, role, data=data, version=version)
        assert case.state == dest
        assert case.version == version + 1
        assert [e.id for e in transition_events(case)] == [event.id]
        assert (event.trigger, event.from_state, event.to_state) == (trigger, source, dest)
        assert case.is_closed == workflows.state(wf, case.state).final

    elsewhere = [s.name for s in wf.STATES if s.name not in row.sources]
    if elsewhere:
        other = open_any(workflow)
        place(other, elsewhere[0], row)
        with pytest.raises(StateConflict):
            fire(other, trigger, row.roles[0], data=data)
        assert other.state == elsewhere[0] and transition_events(other) == []
