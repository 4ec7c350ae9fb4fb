"""Writes of the credit register (credit.md): records from decisions, publication, repair,
noncompliance, revocation and withdrawal, and the sweep that ends display periods.

Every change is audited as one ``credit`` event on the record's source case; the record's clocks
are clock rows on that case (``workflows.credit.clock_name``), so alerts work as for any clock.
``credit_records_for_decision`` runs inside the deciding transition (the engine's
``credit_record`` effect) and never commits: the decision and its records are one transaction.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from caseflow.cases.models import Case, Event
from caseflow.clocks import services as clocks
from caseflow.clocks.models import Clock
from caseflow.credit.models import CreditRecord
from caseflow.credit.selectors import case_decision_revoked, same_patent_findings
from caseflow.credit.subjects import subject_code_clean, subject_name_key
from caseflow.errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import chinese_date, iso, local_date, start_of_local_day, utcnow
from workflows import credit as spec

log = logging.getLogger(__name__)

#: Who publishes, repairs, revokes, withdraws and records noncompliance: the head of the record's
#: unit (credit.md, Interfaces), never the system admin, who runs the system, not a unit's cases.
CREDIT_ROLES = ("supervisor",)


def credit_settings(unit) -> dict:
    """The unit's credit settings: ``workflows.credit.DEFAULTS`` with ``profile["credit"]``."""
    return {**spec.DEFAULTS, **(((unit.profile or {}) if unit else {}).get("credit") or {})}


def _period(clock: str) -> str:
    """The default period of one of the record's clocks (workflows/credit.py)."""
    return next(c.period for c in spec.CLOCKS if c.name == clock)


def _last_day(due_at: datetime):
    """The last day of a day-based clock (``due_at`` is 24:00 of it)."""
    return local_date(due_at - timedelta(microseconds=1))


def _event(case, record, action, *, actor, at, note="", **data) -> Event:
    event = Event(
        case_id=case.id,
        kind="credit",
        actor_id=actor.id if actor else None,
        occurred_at=at,
        recorded_at=utcnow(),
        note=note or "",
        data={"record_id": record.id, "action": action, "kind": record.kind, **data},
    )
    db.session.add(event)
    return event


def _check_actor(record, actor):
    if actor is not None and not actor.can_see_unit(record.unit_id):
        # Another unit's record is not its to change: as if it did not exist (whatever the role,
        # so that a refusal never confirms that the record exists).
        raise NotFound("信用记录不存在", message_en="no such credit record")
    if actor is None or actor.role not in CREDIT_ROLES:
        raise PermissionDenied(
            "信用记录须由部门负责人办理", message_en="only a supervisor may do this"
        )


def _at(at, *, not_before=None, not_before_label=""):
    """The step's time: now if not given; never in the future, and never before ``not_before``
    (the record's previous step): a back-dated step would start its clocks already overdue."""
    now = utcnow()
    at = at or now
    if at.tzinfo is None:
        raise ValidationFailed("时间须带时区", fields={"occurred_at": "naive"})
    if at > now + timedelta(seconds=5):
        raise ValidationFailed(
            "时间不能晚于现在",
            message_en="occurred_at is in the future",
            fields={"occurred_at": "不能是将来的时间 / in the future"},
        )
    if not_before is not None and at < not_before:
        day = chinese_date(local_date(not_before))
        raise ValidationFailed(
            f"时间不能早于{not_before_label}（{day}）",
            message_en=f"occurred_at is before the record's {not_before_label} ({not_before:%Y-%m-%d})",
            fields={"occurred_at": f"不能早于{not_before_label} / too early"},
        )
    return at


# --- writing records ---------------------------------------------------------------------------


def _record_write(
    case, *, kind, subject, at, actor, event=None, notice=None, minor=False, details=None
):
    """A new ``pending_publication`` record with its publication clock (or published at once
    where the unit's ``credit_auto_publish`` is on). Inside the caller's transaction."""
    record = CreditRecord(
        unit_id=case.unit_id,
        kind=kind,
        status="pending_publication",
        subject_name=subject.get("name") or "",
        subject_code=subject.get("code") or None,
        subject_key=subject_name_key(subject.get("name") or ""),
        case_id=case.id,
        case_number=case.number,
        notice_id=notice.id if notice is not None else None,
        document_number=notice.document_number if notice is not None else None,
        patent_number=(case.right or {}).get("number") or None,
        decided_on=local_date(at),
        decided_at=at,
        minor=minor,
        details=details or {},
        created_by_id=actor.id if actor else None,
    )
    db.session.add(record)
    db.session.flush()
    audit = event or _event(case, record, "write", actor=actor, at=at)
    if event is not None:
        event.data = {
            **(event.data or {}),
            "credit_records": [*(event.data or {}).get("credit_records", []), record.id],
        }
    clocks.clock_start(
        case,
        spec.clock_name("publication", record.id),
        period=_period("publication"),
        started_at=at,
        actor=actor,
        event=audit,
    )
    if credit_settings(case.unit)["credit_auto_publish"]:
        _publish(record, case, actor=actor, at=at, event=audit)
    log.info("credit record %s (%s) on %s", record.id, kind, case.number)
    return record


def _is_minor(unit, data) -> bool:
    """A warning, or a fine below the unit's 较低数额 threshold (Order 45 art 13)."""
    if data.get("warning"):
        return True
    fine = data.get("fine")
    return fine is not None and fine < credit_settings(unit)["small_fine_threshold"]


def credit_records_for_decision(case, *, event, data, actor, at, notice=None) -> list:
    """The records a decision writes (credit.md): the decision's own (penalty, infringement
    decision, fair infringement) and, where the respondent infringed the same patent again after
    an effective decision, ``repeat_infringement``. Nothing when the step found nothing."""
    kind = _decision_kind(case, data)
    if kind is None:
        return []
    subject = dict(case.respondent or {})
    details = {
        key: data[key]
        for key in ("fine", "illegal_income", "confiscation", "warning", "outcome")
        if key in data
    }
    records = [
        _record_write(
            case,
            kind=kind,
            subject=subject,
            at=at,
            actor=actor,
            event=event,
            notice=notice,
            minor=kind == "penalty" and _is_minor(case.unit, data),
            details=details,
        )
    ]
    earlier = same_patent_findings(
        code=subject.get("code"),
        key=subject_name_key(subject.get("name") or ""),
        patent_number=(case.right or {}).get("number"),
        before=at,
        exclude_case_id=case.id,
    )
    if earlier:
        # 浦东若干规定 art 10(2) [V]: the same patent again after an effective decision.
        records.append(
            _record_write(
                case,
                kind="repeat_infringement",
                subject=subject,
                at=at,
                actor=actor,
                event=event,
                notice=notice,
                details={
                    **details,
                    "earlier": [
                        {"case_number": r.case_number, "decided_on": r.decided_on.isoformat()}
                        for r in earlier
                    ],
                },
            )
        )
    return records


def _decision_kind(case, data):
    if case.workflow == "penalty" and case.state == "decided":
        return "penalty"
    if case.workflow == "adjudication" and case.state == "decided":
        return None if data.get("outcome") == "not_infringing" else "infringement_decision"
    if case.workflow == "fair_complaint":
        if case.state == "resolved":
            return "fair_infringement"
        if case.state == "mediated" and data.get("infringement_admitted"):
            return "fair_infringement"
    return None


def credit_record_noncompliance(
    *, actor, case_id, subject=None, note="", at=None
) -> CreditRecord:
    """A supervisor records a subject's refusal to perform a decision or penalty (拒不执行,
    CNIPA 2022 rules [S]) against one of the unit's cases. The subject is the party the decision
    binds, the case's respondent: ``subject`` (``name``, ``code``) must be it, and when omitted
    is it. The caller commits."""
    if actor is None or actor.role not in CREDIT_ROLES:
        raise PermissionDenied(
            "拒不执行记录须由部门负责人登记", message_en="only a supervisor records noncompliance"
        )
    errors = {}
    name = code = None
    if subject is not None:
        name = subject.get("name")
        if not (name or "").strip():
            errors["subject.name"] = "必填 / required"
        code = subject_code_clean(subject.get("code"), "subject.code", errors)
    if not case_id:
        errors["case_id"] = "必填 / required"
    if errors:
        raise _invalid(errors)
    case = db.session.get(Case, case_id)
    if case is None or not actor.can_see_unit(case.unit_id):
        raise NotFound("案件不存在", message_en="No such case")
    if case.state not in spec.FINDING_STATES.get(case.workflow, ()):
        # Refusing to perform needs something to perform: a decision, a penalty or an order.
        raise StateConflict(
            "该案件尚未作出裁决、处罚或责令决定，不能登记拒不执行",
            message_en="the case has no decision, penalty or order to refuse",
            fields={"case_id": "尚无决定 / no decision yet"},
        )
    if case_decision_revoked(case.id):
        # A revoked decision binds nobody: there is nothing left to refuse (Order 45 art 11).
        raise StateConflict(
            "该案件的决定已被撤销，不能登记拒不执行",
            message_en="the case's decision was revoked: there is nothing to refuse",
            fields={"case_id": "决定已撤销 / decision revoked"},
        )
    respondent = _bound_party(case, name=name, code=code)
    at = _at(at)
    try:  # all or nothing: a failure rolls the transaction back whole; the caller commits
        record = _record_write(
            case,
            kind="noncompliance",
            subject=respondent,
            at=at,
            actor=actor,
            details={"note": note} if note else {},
        )
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return record


def _invalid(errors: dict) -> ValidationFailed:
    return ValidationFailed(
        "信用记录信息有误：" + "；".join(f"{k} {v}" for k, v in errors.items()),
        message_en="invalid credit record: " + ", ".join(errors),
        fields=errors,
    )


def _bound_party(case, *, name, code) -> dict:
    """The subject of a refusal to perform the case's decision: the one the decision binds, its
    respondent (credit.md). A named subject must be the respondent, by code where both carry one,
    else by the folded name (the register's weaker match); 422 on the field that differs. The
    record names the respondent as the case does, with the code the case knows (else the one
    given): the same subject as the decision's own record, matched by code where one is known."""
    respondent = case.respondent or {}
    known_name = (respondent.get("name") or "").strip()
    known_code = respondent.get("code") or None
    if name is not None:
        if code and known_code:
            mismatch = "subject.code" if code != known_code else None
        else:
            mismatch = (
                "subject.name"
                if not known_name or subject_name_key(name) != subject_name_key(known_name)
                else None
            )
        if mismatch:
            raise ValidationFailed(
                f"拒不执行的主体须为本案决定约束的当事人（{known_name or '未载明'}）",
                message_en="the subject must be the case's respondent, the party its decision binds",
                fields={mismatch: "不是本案当事人 / not the case's respondent"},
            )
    if not known_name:
        raise ValidationFailed(
            "本案未载明当事人，不能登记拒不执行",
            message_en="the case names no respondent",
            fields={"case_id": "无当事人 / no respondent"},
        )
    return {"name": known_name, "code": known_code or code}


# --- publication, repair, withdrawal -----------------------------------------------------------


def _publish(record, case, *, actor, at, event):
    settings = credit_settings(case.unit)
    clocks.clock_stop(
        case, spec.clock_name("publication", record.id), at=at, actor=actor, event=event
    )
    if record.kind == "penalty":
        # Publishing the record is publishing the penalty (Order 45 art 9).
        clocks.clock_stop(case, "penalty_publication", at=at, actor=actor, event=event)
    display = clocks.clock_start(
        case,
        spec.clock_name("display", record.id),
        period=settings["display_minor"] if record.minor else settings["display"],
        started_at=at,
        actor=actor,
        event=event,
    )
    repair = clocks.clock_start(
        case,
        spec.clock_name("repair_eligible", record.id),
        period=settings["repair_after"],
        started_at=at,
        actor=actor,
        event=event,
    )
    record.status = "published"
    record.published_at, record.published_on = at, local_date(at)
    record.display_until = _last_day(display.due_at)
    record.repair_eligible_on = _last_day(repair.due_at) + timedelta(days=1)


def credit_record_publish(record, *, actor, at=None, note="") -> CreditRecord:
    """Publish a pending record (supervisor of its unit). Twice: 409. The caller commits."""
    _check_actor(record, actor)
    if record.status != "pending_publication":
        raise StateConflict(
            f"该信用记录已{_status_text(record.status)}，不能再次公示",
            message_en=f"the record is already {record.status}",
            fields={"status": record.status},
        )
    if record.revoked_at is not None:
        # The source decision was revoked: the record is to be withdrawn (Order 45 art 11), never
        # published.
        raise StateConflict(
            "该信用记录的来源决定已被撤销，应予撤下，不能公示",
            message_en="the source decision was revoked: the record is to be withdrawn",
            fields={"revoked_at": iso(record.revoked_at)},
        )
    at = _at(at, not_before=record.decided_at, not_before_label="决定日期")
    case = record.case
    try:  # all or nothing: a failure rolls the transaction back whole; the caller commits
        event = _event(case, record, "publish", actor=actor, at=at, note=note)
        _publish(record, case, actor=actor, at=at, event=event)
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return record


def credit_record_repair(record, *, actor, reason, at=None) -> CreditRecord:
    """Approve credit repair (信用修复): the record leaves the public list. Only once its
    ``repair_eligible`` period has run (409 naming the date); a reason is required. The caller
    commits."""
    _check_actor(record, actor)
    if not (reason or "").strip():
        raise ValidationFailed(
            "请填写信用修复理由", message_en="a reason is required", fields={"reason": "必填 / required"}
        )
    if record.status != "published":
        raise StateConflict(
            f"该信用记录{_status_text(record.status)}，不能信用修复",
            message_en=f"only a published record can be repaired (it is {record.status})",
            fields={"status": record.status},
        )
    at = _at(at, not_before=record.published_at, not_before_label="公示日期")
    if local_date(at) < record.repair_eligible_on:
        day = record.repair_eligible_on
        raise StateConflict(
            # The waiting period is a unit setting (six months by default): say its end, not its length.
            f"信用修复等待期未满，最早可于{chinese_date(day)}申请信用修复",
            message_en=f"credit repair is possible from {day.isoformat()}",
            fields={"repair_eligible_on": day.isoformat()},
        )
    case = record.case
    try:  # all or nothing: a failure rolls the transaction back whole; the caller commits
        event = _event(case, record, "repair", actor=actor, at=at, note=reason.strip())
        clocks.clock_stop(
            case, spec.clock_name("repair_eligible", record.id), at=at, actor=actor, event=event
        )
        clocks.clock_cancel(
            case, spec.clock_name("display", record.id), at=at, actor=actor, event=event
        )
        record.status, record.ended_at, record.end_reason = "repaired", at, reason.strip()
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return record


def credit_record_revoke(record, *, actor, reason, at=None) -> CreditRecord:
    """The source decision was revoked: the withdrawal clock (3 workdays, Order 45 art 11)
    starts. The caller commits."""
    _check_actor(record, actor)
    if record.status not in ("pending_publication", "published") or record.revoked_at:
        raise StateConflict(
            f"该信用记录{_status_text(record.status)}，不能登记撤销",
            message_en=f"the record is {record.status}",
            fields={"status": record.status},
        )
    if not (reason or "").strip():
        raise ValidationFailed(
            "请填写撤销理由", message_en="a reason is required", fields={"reason": "必填 / required"}
        )
    at = _at(at, not_before=record.decided_at, not_before_label="决定日期")
    case = record.case
    try:  # all or nothing: a failure rolls the transaction back whole; the caller commits
        event = _event(case, record, "revoke", actor=actor, at=at, note=reason.strip())
        # Not to be published any more: only withdrawn.
        clocks.clock_cancel(
            case, spec.clock_name("publication", record.id), at=at, actor=actor, event=event
        )
        clocks.clock_start(
            case,
            spec.clock_name("withdrawal", record.id),
            period=_period("withdrawal"),
            started_at=at,
            actor=actor,
            event=event,
        )
        record.revoked_at = at
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return record


def credit_record_withdraw(record, *, actor, reason="", at=None) -> CreditRecord:
    """Withdraw a record whose decision was revoked: off the public list, its clocks stopped.
    Only after the revocation was recorded (``credit_record_revoke``): 409 otherwise."""
    _check_actor(record, actor)
    if record.status not in ("pending_publication", "published"):
        raise StateConflict(
            f"该信用记录{_status_text(record.status)}，不能撤下",
            message_en=f"the record is {record.status}",
            fields={"status": record.status},
        )
    if record.revoked_at is None:
        # Withdrawn only because the decision was revoked (Order 45 art 11; credit.md): a record
        # leaves the list early otherwise only by credit repair, after its waiting period.
        raise StateConflict(
            "该信用记录所依据的决定未登记撤销，不能撤下；如需提前停止公示，请在等待期满后办理信用修复",
            message_en="the record's decision has not been revoked: only credit repair ends its "
            "display early",
            fields={"revoked_at": "未登记撤销 / not revoked"},
        )
    at = _at(at, not_before=record.revoked_at, not_before_label="撤销登记日期")
    case = record.case
    try:  # all or nothing: a failure rolls the transaction back whole; the caller commits
        event = _event(case, record, "withdraw", actor=actor, at=at, note=reason or "")
        clocks.clock_stop(
            case, spec.clock_name("withdrawal", record.id), at=at, actor=actor, event=event
        )
        for name in ("publication", "display", "repair_eligible"):
            clocks.clock_cancel(
                case, spec.clock_name(name, record.id), at=at, actor=actor, event=event
            )
        record.status, record.ended_at = "withdrawn", at
        record.end_reason = reason or record.end_reason
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return record


def _status_text(status: str) -> str:
    return dict(spec.STATUSES).get(status, status)


# --- the calendar ------------------------------------------------------------------------------


def credit_dates_follow_clocks(change, *, actor=None, at) -> list:
    """The calendar's change hook, told after the clocks' recompute (registered after it in the
    app factory): a record's ``display_until`` and ``repair_eligible_on`` are its clocks' days,
    and the public list and the repair check read them, so where a load moved a published
    record's ``display`` or ``repair_eligible`` clock, its date moves with it. Reads the running
    credit clocks whose window touches the changed days, as the recompute does. The moves are
    the clocks' own (each audited by the recompute as a ``calendar`` event): returns nothing."""
    window_start = start_of_local_day(change.first)
    window_end = start_of_local_day(change.last + timedelta(days=1))
    names = [spec.CLOCK_PREFIX + name + ".%" for name in ("display", "repair_eligible")]
    query = select(Clock).where(
        Clock.status == "running",
        or_(*(Clock.name.like(name) for name in names)),
        Clock.started_at < window_end,
        Clock.due_at > window_start,
    )
    if change.unit is not None:  # a unit's closures move its own cases' clocks only
        query = query.join(Case, Case.id == Clock.case_id).where(Case.unit_id == change.unit.id)
    for clock in db.session.scalars(query):
        of = spec.clock_of(clock.name)
        record = db.session.get(CreditRecord, of[1]) if of else None
        if of is None or record is None or record.case_id != clock.case_id:
            continue
        if record.status != "published":
            continue
        day = _last_day(clock.due_at)
        if of[0].name == "display" and record.display_until != day:
            log.info("credit record %s: display until %s (calendar)", record.id, day)
            record.display_until = day
        elif of[0].name == "repair_eligible" and record.repair_eligible_on != (
            day + timedelta(days=1)
        ):
            log.info("credit record %s: repair from %s (calendar)", record.id, day)
            record.repair_eligible_on = day + timedelta(days=1)
    db.session.flush()
    return []


# --- the sweep ---------------------------------------------------------------------------------


def credit_sweep(now: datetime | None = None) -> int:
    """End what ran out by ``now``: a display period over → ``expired`` (off the public list);
    a repair waiting period over → its clock met. Their clocks are stopped at their due instant
    so they never turn overdue. Idempotent; does not commit: the SLA sweep calls it inside its
    lock, so that two sweeps at once end each period once. Returns the records expired."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Clock).where(
            Clock.status == "running",
            Clock.due_at <= now,
            Clock.name.like(spec.CLOCK_PREFIX + "%"),
            Clock.next_alert_at <= now,
        )
    ).all()
    expired = 0
    for clock in due:
        of = spec.clock_of(clock.name)
        if of is None or of[0].name not in spec.SELF_ENDING:
            continue
        record = db.session.get(CreditRecord, of[1])
        case = clock.case
        clocks.clock_stop(case, clock.name, at=clock.due_at)
        if of[0].name == "display" and record is not None and record.status == "published":
            record.status, record.ended_at = "expired", clock.due_at
            _event(case, record, "expire", actor=None, at=clock.due_at)
            expired += 1
    db.session.flush()
    return expired
