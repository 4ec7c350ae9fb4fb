"""The supervisor's approval queue holds the unit's credit records waiting for a supervisor
(credit.md): a pending record to publish (its publication clock runs from the decision) and a
record whose decision was revoked, to withdraw (its withdrawal clock runs from the revocation).
Penalty steps only a supervisor may take are queued like any case's. Revocation and withdrawal
are the supervisor's, of the record's own unit, each with one audit event. On the 2026 calendar;
"now" is the pinned 2026-11-30 10:00."""

import pytest
from sqlalchemy import select

from caseflow.cases.models import Event
from caseflow.credit.selectors import credit_steps_waiting
from caseflow.credit.services import (
    credit_record_noncompliance,
    credit_record_publish,
    credit_record_revoke,
    credit_record_withdraw,
)
from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.supervision.selectors import approvals_queue
from caseflow.timeutil import deadline_day
from tests.engine.helpers import as_decided, at

NOW = at("2026-11-30 10:00")


def _record(case, chief, day):
    """A refusal to perform the case's decision, by its respondent (the subject omitted)."""
    return credit_record_noncompliance(actor=chief, case_id=case.id, at=at(f"{day} 10:00"))


@pytest.fixture
def register(open_case, staff):
    """At ZS: a pending record (decided 11-20), a published one revoked on 11-27, a published
    one, a withdrawn one; at PD a pending one."""
    chief = staff["ZS"]["supervisor"]
    case = as_decided(open_case("adjudication", received_at="2026-09-01 10:00"))
    pending = _record(case, chief, "2026-11-20")
    revoked = _record(case, chief, "2026-11-02")
    credit_record_publish(revoked, actor=chief, at=at("2026-11-03 10:00"))
    credit_record_revoke(revoked, actor=chief, reason="复议决定撤销原决定", at=at("2026-11-27 15:00"))
    published = _record(case, chief, "2026-10-09")
    credit_record_publish(published, actor=chief, at=at("2026-10-12 10:00"))
    gone = _record(case, chief, "2026-10-10")
    credit_record_revoke(gone, actor=chief, reason="复议决定撤销", at=at("2026-10-12 10:30"))
    credit_record_withdraw(gone, actor=chief, reason="决定已撤销", at=at("2026-10-12 11:00"))
    pd_case = as_decided(open_case("adjudication", unit="PD", received_at="2026-09-01 10:00"))
    elsewhere = _record(pd_case, staff["PD"]["supervisor"], "2026-11-10")
    return {"pending": pending, "revoked": revoked, "elsewhere": elsewhere, "case": case}


def test_records_waiting_for_the_units_supervisor(register, staff):
    steps, total = credit_steps_waiting(register["case"].unit_id)
    assert total == 2
    assert [(s.record.id, s.action, s.label) for s in steps] == [
        (register["pending"].id, "publish", "公示"),
        (register["revoked"].id, "withdraw", "撤下"),
    ]
    publish, withdraw = steps
    assert publish.waiting_since == at("2026-11-20 10:00")
    # 20 workdays from Friday 11-20: 11-23..27, 11-30..12-04, 12-07..11, 12-14..18.
    assert deadline_day(publish.due_at, publish.due_unit).isoformat() == "2026-12-18"
    # 3 workdays from Friday 11-27: 11-30, 12-01, 12-02.
    assert withdraw.waiting_since == at("2026-11-27 15:00")
    assert deadline_day(withdraw.due_at, withdraw.due_unit).isoformat() == "2026-12-02"
    assert withdraw.waiting(NOW) == NOW - at("2026-11-27 15:00")


def test_the_approval_queue_merges_cases_and_records_of_the_own_unit_only(
    register, staff, open_case, fire
):
    # An adjudication waiting for 作出裁决 since 11-10 10:00.
    case = open_case("adjudication", received_at="2026-11-02 09:00")
    fire(case, "accept", occurred_at="2026-11-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at="2026-11-04 10:00")
    fire(case, "receive_answer", occurred_at="2026-11-10 10:00")
    queue = approvals_queue(staff["ZS"]["supervisor"], now=NOW)
    assert queue.total == 3
    assert [(row.kind, row.case.number) for row in queue.rows] == [
        ("case", case.number),  # waiting since 11-10
        ("credit", register["case"].number),  # to publish, since 11-20
        ("credit", register["case"].number),  # to withdraw, since 11-27
    ]
    assert [getattr(row, "action", None) for row in queue.rows] == [None, "publish", "withdraw"]
    # PD's supervisor sees PD's record only, never ZS's.
    pd_queue = approvals_queue(staff["PD"]["supervisor"], now=NOW)
    assert [(row.kind, row.record.id) for row in pd_queue.rows] == [
        ("credit", register["elsewhere"].id)
    ]
    assert approvals_queue(staff["admin"], now=NOW).rows == []
    with pytest.raises(PermissionDenied):
        approvals_queue(staff["ZS"]["caseworker"], now=NOW)
    # The limit keeps the longest waiting.
    assert [row.kind for row in approvals_queue(staff["ZS"]["supervisor"], now=NOW, limit=2).rows] == [
        "case",
        "credit",
    ]


def test_records_leave_the_queue_once_published_or_withdrawn(register, staff):
    chief = staff["ZS"]["supervisor"]
    credit_record_publish(register["pending"], actor=chief, at=at("2026-11-30 09:00"))
    credit_record_withdraw(register["revoked"], actor=chief, reason="已撤销", at=at("2026-11-30 09:30"))
    queue = approvals_queue(chief, now=NOW)
    assert queue.total == 0 and queue.rows == []


def test_a_record_revoked_before_publication_waits_to_be_withdrawn_not_published(register, staff):
    chief = staff["ZS"]["supervisor"]
    credit_record_revoke(register["pending"], actor=chief, reason="复议撤销", at=at("2026-11-28 10:00"))
    steps, total = credit_steps_waiting(register["case"].unit_id)
    assert total == 2
    assert {s.action for s in steps} == {"withdraw"}


def test_a_record_revoked_before_publication_is_never_published(register, staff):
    from caseflow.clocks.models import Clock
    from caseflow.errors import StateConflict

    chief, record = staff["ZS"]["supervisor"], register["pending"]
    credit_record_revoke(record, actor=chief, reason="复议撤销", at=at("2026-11-28 10:00"))
    # Its publication clock no longer asks the supervisor to publish it.
    publication = db.session.scalar(
        select(Clock).where(Clock.name == f"credit_publication.{record.id}")
    )
    assert publication.status == "cancelled"
    with pytest.raises(StateConflict) as refused:
        credit_record_publish(record, actor=chief, at=at("2026-11-30 09:00"))
    assert "来源决定已被撤销" in refused.value.message
    db.session.expire_all()
    assert record.status == "pending_publication" and record.published_at is None


def test_a_credit_step_is_not_dated_before_the_records_previous_step(register, staff):
    chief, record = staff["ZS"]["supervisor"], register["pending"]  # decided 11-20
    for step in (
        lambda: credit_record_publish(record, actor=chief, at=at("2026-11-19 10:00")),
        lambda: credit_record_revoke(record, actor=chief, reason="撤销", at=at("2020-01-01 10:00")),
    ):
        with pytest.raises(ValidationFailed) as refused:
            step()
        assert refused.value.fields == {"occurred_at": "不能早于决定日期 / too early"}
        assert "2026年11月20日" in refused.value.message
    db.session.expire_all()
    assert record.status == "pending_publication" and record.revoked_at is None
    # A withdrawal is not dated before the revocation it follows (11-27).
    with pytest.raises(ValidationFailed) as refused:
        credit_record_withdraw(
            register["revoked"], actor=chief, reason="撤下", at=at("2026-11-26 10:00")
        )
    assert refused.value.fields == {"occurred_at": "不能早于撤销登记日期 / too early"}


def test_a_record_is_withdrawn_only_after_its_decision_was_revoked(register, staff):
    """Withdrawn only because the decision was revoked (credit.md): a published record whose
    decision stands leaves the list early only by credit repair, after its waiting period."""
    from caseflow.errors import StateConflict

    chief, record = staff["ZS"]["supervisor"], register["pending"]
    with pytest.raises(StateConflict) as refused:
        credit_record_withdraw(record, actor=chief, reason="企业申请", at=at("2026-11-30 09:00"))
    assert refused.value.fields == {"revoked_at": "未登记撤销 / not revoked"}
    assert "未登记撤销" in refused.value.message and "信用修复" in refused.value.message
    db.session.expire_all()
    assert record.status == "pending_publication" and record.ended_at is None


def test_a_penalty_clue_waits_for_the_supervisors_filing_decision(open_case, staff, fire):
    clue = open_case("penalty", received_at="2026-11-23 09:00")
    assert clue.state == "clue"
    queue = approvals_queue(staff["ZS"]["supervisor"], now=NOW)
    (row,) = [r for r in queue.rows if r.kind == "case"]
    assert row.case.id == clue.id
    assert {"file_case", "decline"} <= {t.trigger for t in row.steps}
    # Once filed, the investigation is the caseworker's: the case leaves the queue (suspending
    # it is the supervisor's measure, not the step it waits for).
    fire(
        clue, "file_case", role="supervisor", occurred_at="2026-11-24 10:00", data={"handlers": ["张三", "李四"]}
    )
    queue = approvals_queue(staff["ZS"]["supervisor"], now=NOW)
    assert [r for r in queue.rows if r.kind == "case"] == []
    # Suspended for an appraisal, it waits for the supervisor to resume it.
    fire(
        clue,
        "suspend",
        role="supervisor",
        occurred_at="2026-11-25 10:00",
        data={"reason": "appraisal"},
    )
    queue = approvals_queue(staff["ZS"]["supervisor"], now=NOW)
    (row,) = [r for r in queue.rows if r.kind == "case"]
    assert row.case.id == clue.id and [t.trigger for t in row.steps] == ["resume"]


def _credit_events(record):
    return [
        e
        for e in db.session.scalars(
            select(Event).where(Event.case_id == record.case_id, Event.kind == "credit")
        )
        if e.data.get("record_id") == record.id
    ]


def test_revoke_and_withdraw_are_the_units_supervisors_and_audited(register, staff):
    record = register["pending"]
    for user, error in (
        (staff["ZS"]["caseworker"], PermissionDenied),
        (staff["ZS"]["viewer"], PermissionDenied),
        (staff["PD"]["supervisor"], NotFound),
    ):
        with pytest.raises(error):
            credit_record_revoke(record, actor=user, reason="理由")
        with pytest.raises(error):
            credit_record_withdraw(record, actor=user, reason="理由")
    with pytest.raises(ValidationFailed) as refused:
        credit_record_revoke(record, actor=staff["ZS"]["supervisor"], reason="  ")
    assert refused.value.fields == {"reason": "必填 / required"}
    db.session.expire_all()
    assert record.revoked_at is None and record.status == "pending_publication"
    before = len(_credit_events(record))
    credit_record_revoke(record, actor=staff["ZS"]["supervisor"], reason="复议决定撤销")
    credit_record_withdraw(record, actor=staff["ZS"]["supervisor"], reason="依法撤下")
    events = _credit_events(record)[before:]
    assert [(e.data["action"], e.note) for e in events] == [
        ("revoke", "复议决定撤销"),
        ("withdraw", "依法撤下"),
    ]
    assert record.status == "withdrawn"
