"""The engine's own promises: shared machines that keep nothing per case, all-or-nothing steps,
back-dating rules, and what a user may fire."""

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Case, CaseLink, Event
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.engine import available_triggers, machine_for, workflow_describe
from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)
from tests.engine.helpers import clocks_of, local_due, transition_events

pytestmark = pytest.mark.usefixtures("pending_notices")


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Case, Event, Clock, ClockEntry, CaseLink)
    )


def test_one_shared_machine_per_workflow_keeps_no_case(open_case, fire):
    machine = machine_for("adjudication")
    assert machine_for("adjudication") is machine
    case = open_case("adjudication")
    fire(case, "accept", occurred_at="2026-03-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
    assert machine.models == [] and not hasattr(case, "trigger")
    assert "state" not in machine.events  # auto_transitions=False: no to_<state> triggers


def test_a_failing_step_changes_nothing(open_any, fire):
    case = open_any("fair_complaint")
    fire(case, "accept", "desk_officer", occurred_at="2026-10-16 11:00")
    before, version, clocks = (
        _counts(),
        case.version,
        {n: c.status for n, c in clocks_of(case).items()},
    )
    # The unit check comes after the state, clocks and event were staged: all of it rolls back.
    with pytest.raises(ValidationFailed) as refused:
        fire(case, "refer", "desk_officer", data={"target": "adjudication", "target_unit": "CF"})
    assert "target_unit" in refused.value.fields
    # CF exists: it is a fair desk, which cannot receive the case (not "no such unit").
    assert "展会投诉站" in refused.value.message and "不存在" not in refused.value.message
    assert "fair desk" in refused.value.fields["target_unit"]
    db.session.expire_all()
    assert _counts() == before and case.state == "accepted" and case.version == version
    assert {n: c.status for n, c in clocks_of(case).items()} == clocks


def test_a_referral_to_adjudication_names_its_receiving_centre(open_any, fire):
    """A fair desk decides nothing after the fair: referred without a receiving centre, the
    adjudication would open at the desk itself. Refused, naming the field; nothing changes."""
    case = open_any("fair_complaint")
    fire(case, "accept", "desk_officer", occurred_at="2026-10-16 11:00")
    before = _counts()
    for data in ({"target": "adjudication"}, {"target": "adjudication", "target_unit": " "}):
        with pytest.raises(ValidationFailed) as refused:
            fire(case, "refer", "desk_officer", data=data)
        assert set(refused.value.fields) == {"target_unit"}
        db.session.expire_all()
        assert _counts() == before and case.state == "accepted"
    fire(case, "refer", "desk_officer", data={"target": "adjudication", "target_unit": "ZS"})
    linked = db.session.scalars(select(Case).where(Case.workflow == "adjudication")).one()
    assert linked.unit.code == "ZS"


def test_a_linked_case_opens_only_where_its_procedure_is_run(open_case, units, staff):
    """As a case opened directly: a fair desk holds no adjudication (nobody there may accept
    it), whichever step would hand one over. Refused, nothing written."""
    from caseflow.cases.services import case_open_linked

    source = open_case("mediation", unit="CF", channel="fair_desk")
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        case_open_linked(
            source,
            workflow="adjudication",
            unit=units["CF"],
            actor=staff["CF"]["desk_officer"],
            at=source.received_at,
        )
    assert "不办理" in refused.value.message and "unit" in refused.value.fields
    db.session.rollback()
    assert _counts() == before


def test_a_trademark_complaint_is_no_patent_adjudication_or_penalty(open_case, fire):
    """Patent Law arts 65 and 68: the centre adjudicates patent disputes and punishes passing
    off patents. A trademark complaint is taken in (it may be transferred to its authority) but
    neither routed into those procedures nor opened in them directly; nothing is written."""
    trademark = {"kind": "trademark", "number": "第12345678号"}
    intake = open_case("intake", right=trademark)
    before = _counts()
    for route in ("adjudication", "penalty_clue"):
        with pytest.raises(ValidationFailed) as refused:
            fire(intake, "accept", occurred_at="2026-03-03 10:00", data={"route": route})
        assert "只办理专利案件，商标案件请移送有关部门" in refused.value.fields["right.kind"]
        db.session.rollback()
        db.session.expire_all()
        assert _counts() == before and intake.state == "received"
    for workflow in ("adjudication", "penalty"):
        with pytest.raises(ValidationFailed) as refused:
            open_case(workflow, right=trademark)
        assert "right.kind" in refused.value.fields
        db.session.rollback()
    assert _counts() == before
    # Mediation is left open to them (a fair's on-site mediation may concern a trademark).
    fire(intake, "accept", occurred_at="2026-03-03 10:00", data={"route": "mediation"})
    assert intake.state == "accepted"


def test_a_step_after_a_failed_one_writes_its_own_rows(open_any, fire):
    """The failed step's event row was written (and rolled back) before the refusal; the next
    step's event may get its id again (SQLite reuses it) and must not meet a stale object."""
    case = open_any("fair_complaint")
    fire(case, "accept", "desk_officer", occurred_at="2026-10-16 11:00")
    with pytest.raises(ValidationFailed) as refused:
        fire(case, "refer", "desk_officer", data={"target": "adjudication", "target_unit": "CF"})
    assert refused.value.fields  # the exception (and the frames with the stale event) lives on
    event = fire(case, "refer", "desk_officer", data={"target": "court"})
    assert db.session.get(Event, event.id) is event
    assert [e.trigger for e in transition_events(case)] == ["accept", "refer"]
    assert event.data["target"] == "court" and case.state == event.to_state


def test_back_dating_counts_clocks_from_the_stated_instant(open_case, fire):
    case = open_case("adjudication", received_at="2026-09-25 16:00")
    # Accepted on 09-28 (recorded today): service counts 5 workdays from 09-28 → Sat 10-10.
    event = fire(
        case, "accept", occurred_at="2026-09-28 10:00", data={"handlers": ["甲", "乙", "丙"]}
    )
    assert event.occurred_at < event.recorded_at
    assert local_due(clocks_of(case)["service"]) == "2026-10-10"
    with pytest.raises(ValidationFailed):
        fire(case, "serve", occurred_at="2026-09-27 10:00")  # before the previous event
    fire(case, "serve", occurred_at="2026-09-28 10:00")  # the same instant is fine
    assert [e.trigger for e in transition_events(case)] == ["accept", "serve"]


def test_clock_guards_block_until_the_period_is_over(open_case, fire):
    case = open_case("adjudication", received_at="2026-02-10 09:00")
    fire(case, "accept", occurred_at="2026-02-13 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at="2026-02-26 15:00")  # answer due end of 03-13
    with pytest.raises(StateConflict):
        fire(case, "proceed_without_answer", occurred_at="2026-03-13 23:59")
    fire(case, "proceed_without_answer", occurred_at="2026-03-14 00:00")
    assert case.state == "under_review"
    assert clocks_of(case)["answer"].status == "met"


def test_available_triggers_follow_role_unit_and_state(open_case, staff):
    case = open_case("adjudication")
    names = lambda user: [t.trigger for t in available_triggers(case, user)]  # noqa: E731
    assert names(staff["ZS"]["caseworker"]) == [
        "request_correction",
        "accept",
        "reject",
        "withdraw",
    ]
    assert names(staff["ZS"]["supervisor"]) == []
    assert names(staff["ZS"]["viewer"]) == []
    assert names(staff["PD"]["caseworker"]) == []


def test_workflow_describe_gives_the_forms():
    described = workflow_describe("fair_complaint")
    refer = next(t for t in described["transitions"] if t["trigger"] == "refer")
    assert refer["fields"][0]["choices"] == [
        {"value": "adjudication", "label": "行政裁决立案"},
        {"value": "court", "label": "人民法院"},
    ]
    assert refer["opens"] == {"kind": "fair_referral", "workflow": "adjudication"}
    answer = next(c for c in described["clocks"] if c["name"] == "fair_answer")
    assert (answer["period"], answer["cap"]) == ("24 hours", "fair_close")


def test_a_case_changed_under_the_step_is_a_stale_write(open_case, fire):
    """The step's case UPDATE is guarded by the version it read: a version moved since the read
    is the one stale-write conflict, and nothing of the step stays."""
    from sqlalchemy import update

    from caseflow.errors import VersionConflict

    if db.session.get_bind().dialect.name == "postgresql":
        pytest.skip("PostgreSQL locks and re-reads the row first (test_concurrency.py)")
    case = open_case("adjudication")
    before, version = _counts(), case.version
    # Another writer moves the version; this session still holds the version it read.
    db.session.execute(
        update(Case).where(Case.id == case.id).values(version=version + 5),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(VersionConflict) as conflict:
        fire(case, "accept", occurred_at="2026-03-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
    assert conflict.value.fields == {"version": "stale"}
    db.session.expire_all()
    assert _counts() == before and case.state == "filed" and case.version == version


def test_a_choice_out_of_its_list_names_the_choices_in_chinese(open_case, fire):
    """The Chinese half of the refusal names the choices as the form shows them, never codes."""
    case = open_case("penalty", channel="inspection")
    fire(case, "file_case", "supervisor", occurred_at="2026-03-03 09:00", data={"handlers": ["张三", "李四"]})
    with pytest.raises(ValidationFailed) as refused:
        fire(case, "suspend", "supervisor", data={"reason": "bogus"})
    zh, _, en = refused.value.fields["reason"].partition(" / ")
    assert "应为以下之一：鉴定、检验检测、公告、权利人辨认" in zh and "appraisal" not in zh
    assert en == "must be one of: appraisal, testing, publication, right_holder_identification"


def test_a_one_line_field_takes_what_the_web_form_takes(open_any, fire, app):
    """``string`` is one line (a court's name): the API refuses past the web form's limit,
    naming the field, instead of storing 50,000 characters."""
    import workflows
    from caseflow.web.forms import _data_field
    from workflows._schema import STRING_MAX_CHARS

    case = open_any("mediation")
    fire(case, "consult_respondent")
    fire(case, "record_consent")
    fire(case, "reach_agreement", data={"terms": ["被请求人支付赔偿金。"]})
    version = case.version
    with pytest.raises(ValidationFailed) as refused:
        fire(case, "apply_confirmation", data={"court": "法" * (STRING_MAX_CHARS + 1)})
    assert set(refused.value.fields) == {"court"}
    assert f"不能超过{STRING_MAX_CHARS}个字符" in refused.value.fields["court"]
    assert case.state == "agreed" and case.version == version
    fire(case, "apply_confirmation", data={"court": "法" * STRING_MAX_CHARS})
    assert case.state == "confirmation_pending"
    # The web form's own limit is the same constant.
    spec = workflows.transition(workflows.get("mediation"), "apply_confirmation").fields[0]
    with app.test_request_context():
        field = _data_field(spec)
    assert any(getattr(v, "max", None) == STRING_MAX_CHARS for v in field.kwargs["validators"])
