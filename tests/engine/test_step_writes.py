"""``caseflow.step_writes``: a step's case and clock rows written as plain statements leave the
database exactly as the unit of work leaves it: the same case, clock and clock history rows, and
the same tallies (those kept step by step equal those recounted from the rows).

Each walk runs twice on two cases opened alike: once as the engine writes it, and once inside a
savepoint, where ``step_flush`` hands the whole step to the session's flush."""

import pytest
from sqlalchemy import select

import workflows
from caseflow.cases.models import Case
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.supervision.models import DailyTally
from caseflow.supervision.tallies import tallies_rebuild
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)
from tests.engine.helpers import at

DECISION = {
    "findings": "被请求人销售的灯具落入涉案专利权利要求1的保护范围。",
    "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
    "items": ["被请求人立即停止销售侵权产品。"],
}

#: (workflow, [(trigger, role, occurred_at, data)]): pauses and resumptions, a pause of every
#: clock, an extension, clocks stopped, started, and restarted under the same name. (A stale
#: version is tests/engine/test_engine.py's.)
WALKS = {
    "adjudication": [
        ("accept", "caseworker", "2026-09-02 10:00", {"handlers": ["甲", "乙", "丙"]}),
        ("serve", "caseworker", "2026-09-03 10:00", {}),
        ("receive_answer", "caseworker", "2026-09-10 10:00", {}),
        ("suspend", "supervisor", "2026-09-14 10:00", {"reason": "appraisal"}),
        ("resume", "supervisor", "2026-09-21 10:00", {}),
        ("extend", "supervisor", "2026-09-22 10:00", {"reason": "案情复杂"}),
        ("decide", "supervisor", "2026-10-20 10:00", DECISION),
    ],
    "pre_exam": [
        ("start_review", "caseworker", "2026-03-03 10:00", {}),
        ("request_revision", "caseworker", "2026-03-04 10:00", {}),
        ("submit_revision", "caseworker", "2026-03-09 10:00", {}),
        ("request_revision", "caseworker", "2026-03-10 10:00", {}),
        ("submit_revision", "caseworker", "2026-03-12 10:00", {}),
        ("qualify", "caseworker", "2026-03-13 10:00", {}),
    ],
    "fair_complaint": [
        ("accept", "desk_officer", "2026-10-16 10:30", {}),
        ("notify_respondent", "desk_officer", "2026-10-16 11:00", {}),
        ("order_rectification", "desk_officer", "2026-10-16 12:00", {}),
        # Its compliance clock is stopped and started again under the same name.
        ("order_withdrawal", "desk_officer", "2026-10-16 13:00", {}),
    ],
}

#: What differs between two cases opened alike (their numbers, codes, the right's number).
CASE_SKIPPED = {"id", "number", "public_code", "opened_at", "right"}
CLOCK_SKIPPED = {"id", "case_id"}
ENTRY_SKIPPED = {"id", "clock_id", "event_id", "recorded_at"}


def _row(obj, skipped) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skipped}


def _rows(case_id) -> dict:
    db.session.expire_all()
    clocks = db.session.scalars(select(Clock).where(Clock.case_id == case_id).order_by(Clock.id))
    clocks = list(clocks)
    entries = db.session.scalars(
        select(ClockEntry)
        .where(ClockEntry.clock_id.in_([c.id for c in clocks]))
        .order_by(ClockEntry.id)
    )
    return {
        "case": _row(db.session.get(Case, case_id), CASE_SKIPPED),
        # A credit record's publication clock is named after the record (credit_publication.7).
        "clocks": [
            {**row, "name": row["name"].split(".")[0]}
            for row in (_row(c, CLOCK_SKIPPED) for c in clocks)
        ],
        "entries": [_row(e, ENTRY_SKIPPED) for e in entries],
    }


def _differences(ours: dict, theirs: dict) -> list:
    """(table, row, column, ours, theirs) for each value that differs."""
    out = []
    for table in ("case", "clocks", "entries"):
        mine, other = ours[table], theirs[table]
        if table == "case":
            mine, other = [mine], [other]
        if len(mine) != len(other):
            out.append((table, "rows", len(mine), len(other)))
            continue
        for number, (a, b) in enumerate(zip(mine, other, strict=True)):
            out += [(table, number, key, a[key], b[key]) for key in a if a[key] != b[key]]
    return out


def _tallies() -> dict:
    rows = db.session.scalars(select(DailyTally))
    return {(t.unit_id, t.workflow, t.name, t.metric, t.day): t.amount for t in rows if t.amount}


@pytest.mark.parametrize("workflow", sorted(WALKS))
def test_the_steps_rows_equal_the_unit_of_works(workflow, open_any, staff):
    if workflow == "pre_exam":
        opened = {"received_at": "2026-03-02 09:00"}
    else:
        opened = {} if workflow == "fair_complaint" else {"received_at": "2026-09-01 09:00"}
    plain, flushed = open_any(workflow, **opened), open_any(workflow, **opened)
    unit = plain.unit.code
    for trigger, role, occurred, data in WALKS[workflow]:
        actor = staff[unit][role]
        for case, in_savepoint in ((plain, False), (flushed, True)):
            case = db.session.get(Case, case.id)
            if in_savepoint:
                with db.session.begin_nested():
                    case_fire(
                        case,
                        trigger,
                        actor,
                        occurred_at=at(occurred),
                        data=data,
                        render_notices=False,
                    )
            else:
                case_fire(
                    case, trigger, actor, occurred_at=at(occurred), data=data, render_notices=False
                )
            db.session.commit()
    ours, theirs = _rows(plain.id), _rows(flushed.id)
    last = workflows.transition(workflows.get(workflow), WALKS[workflow][-1][0])
    assert ours["case"]["state"] == last.dest
    assert _differences(ours, theirs) == []
    assert len(ours["clocks"]) >= 2 and len(ours["entries"]) >= 4
    # The tallies kept step by step are what the rows add up to.
    kept = _tallies()
    tallies_rebuild()
    assert _tallies() == kept
    db.session.rollback()
