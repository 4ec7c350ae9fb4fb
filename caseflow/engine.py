"""The engine: fires a workflow trigger on one case, with its clocks, audit event and notices, in one
transaction.

One ``transitions.Machine`` per workflow, built once from ``workflows/`` and shared
(``auto_transitions=False``: state changes only through a declared trigger). A case is never
registered with the machine: ``machine.events[trigger].trigger(case)`` reads and writes
``case.state`` directly (stack-notes: 8.5 µs a transition, nothing kept per case).

Order of checks in ``case_fire`` (nothing changes until all pass): the actor's unit (403), the
trigger exists (422), the actor's role (403), the version (409), the current state (409), the
``occurred_at`` (422), the data (422), the guards (422, or 409 for a clock not yet expired). Then,
in one transaction: the one ``transition`` event, the clock effects, any linked case, the state
and version, the notices. Any failure rolls the whole step back. After the commit the queued
notices are rendered; a rendering failure leaves them pending and never undoes the step.
"""

import logging
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine, MachineError

import workflows
from caseflow.accounts.models import ROLE_LABELS
from caseflow.cases.models import Case, CaseLink, Event
from caseflow.clocks.models import Clock
from caseflow.errors import (
    NotFound,
    PermissionDenied,
    StateConflict,
    ValidationFailed,
    VersionConflict,
)
from caseflow.extensions import db
from caseflow.timeutil import iso, parse_instant, start_of_local_day, utcnow
from workflows._schema import clock_extension, clock_period

log = logging.getLogger(__name__)

#: A client's clock may run a little ahead of ours; beyond this an occurred_at is "in the future".
FUTURE_TOLERANCE = timedelta(seconds=5)

#: The notices area resolves these two party roles; applicants and exhibitors are those parties.
_PARTY_OF = {
    "complainant": "complainant",
    "applicant": "complainant",
    "respondent": "respondent",
    "exhibitor": "respondent",
}


# --- machines ----------------------------------------------------------------------------------


@cache
def machine_for(name: str) -> Machine:
    """The shared machine of workflow ``name``, built on first use."""
    wf = workflows.get(name)
    return Machine(
        model=None,
        states=[s.name for s in wf.STATES],
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in wf.TRANSITIONS
        ],
        initial=wf.INITIAL,
        auto_transitions=False,
        send_event=True,
    )


def _transition_row(wf, trigger: str):
    row = workflows.transition(wf, trigger)
    if row is None:
        raise ValidationFailed(
            f"流程“{wf.LABEL}”没有操作“{trigger}”",
            message_en=f"workflow {wf.NAME} has no trigger {trigger!r}",
            fields={"trigger": "未知的操作 / unknown trigger"},
        )
    return row


# --- data validation ---------------------------------------------------------------------------


def _clean_field(spec, value):
    """The cleaned value of one field, or raise ValueError with the reason (Chinese / English)."""
    if spec.type in ("string", "text"):
        if not isinstance(value, str):
            raise ValueError("应为文本 / must be text")
        return value.strip()
    if spec.type == "instant":
        if not isinstance(value, str):
            raise ValueError("应为 ISO 8601 时间 / must be an ISO 8601 instant")
        try:
            return parse_instant(value)
        except ValueError:
            raise ValueError("时间格式不正确 / not an ISO 8601 instant") from None
    if spec.type == "choice":
        if value not in spec.choice_values:
            allowed = ", ".join(spec.choice_values)
            raise ValueError(f"应为以下之一 / must be one of: {allowed}")
        return value
    if spec.type == "names":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError("应为姓名列表 / must be a list of names")
        return [v.strip() for v in value]
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueError("应为 true 或 false / must be true or false")
        return value
    raise ValueError(f"unknown field type {spec.type}")


def _clean_data(row, data: dict) -> dict:
    """``data`` checked against the trigger's fields: (cleaned data, with instants parsed)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed(
            "data 应为 JSON 对象", message_en="data must be an object", fields={"data": "object"}
        )
    cleaned, errors = dict(data), {}
    for spec in row.fields:
        value = data.get(spec.name)
        if value is None or value == "" or value == []:
            if spec.required:
                errors[spec.name] = f"必填：{spec.label} / required"
            cleaned.pop(spec.name, None)
            continue
        try:
            cleaned[spec.name] = _clean_field(spec, value)
        except ValueError as exc:
            errors[spec.name] = f"{spec.label}：{exc}"
    if errors:
        raise ValidationFailed(
            "请补全或更正：" + "；".join(errors.values()),
            message_en="invalid data: " + ", ".join(errors),
            fields=errors,
        )
    return cleaned


# --- guards ------------------------------------------------------------------------------------


def _guard_clock_expired(case, guard, occurred_at, data):
    name = guard.params["clock"]
    clock = db.session.scalars(
        select(Clock).where(Clock.case_id == case.id, Clock.name == name).order_by(Clock.id.desc())
    ).first()
    if clock is None or clock.status == "paused" or clock.due_at > occurred_at:
        raise StateConflict(guard.message, message_en=guard.message_en, fields={"trigger": name})


def _guard_min_notice(case, guard, occurred_at, data):
    from caseflow.calendar.periods import due_compute

    field = guard.params["field"]
    # The n-th working day after the notice is the first day the hearing may be held.
    first_day = due_compute(occurred_at, guard.params["period"], unit_id=case.unit_id).due_on
    if data[field] < start_of_local_day(first_day):
        raise ValidationFailed(
            guard.message,
            message_en=guard.message_en,
            fields={field: f"{guard.message}（最早 {first_day.isoformat()}）"},
        )


def _guard_odd_count(case, guard, occurred_at, data):
    field, minimum = guard.params["field"], guard.params["minimum"]
    count = len(data.get(field) or [])
    if count < minimum or count % 2 == 0:
        raise ValidationFailed(
            guard.message, message_en=guard.message_en, fields={field: guard.message}
        )


def _guard_clock_settled(case, guard, occurred_at, data):
    """The case has no active clock of that name: the duty it tracks has been done."""
    name = guard.params["clock"]
    active = db.session.scalar(
        select(Clock.id).where(
            Clock.case_id == case.id, Clock.name == name, Clock.status.in_(("running", "paused"))
        )
    )
    if active is not None:
        raise StateConflict(guard.message, message_en=guard.message_en, fields={"trigger": name})


#: Guard implementations by the name the workflow modules use (``workflows._schema.Guard``).
GUARDS = {
    "clock_expired": _guard_clock_expired,
    "clock_settled": _guard_clock_settled,
    "min_notice": _guard_min_notice,
    "odd_count": _guard_odd_count,
}


# --- clocks ------------------------------------------------------------------------------------


def _variant(case, clock_def):
    if clock_def.variant_key == "patent_type":
        return (case.right or {}).get("patent_type")
    if clock_def.variant_key:
        return (case.data or {}).get(clock_def.variant_key)
    return None


def _fair_closes_at(case):
    if not case.fair_id:
        return None
    from caseflow.fairs.models import Fair

    fair = db.session.get(Fair, case.fair_id)
    return fair.closes_at if fair else None


def clock_start_defined(case, name: str, *, started_at, actor=None, event=None):
    """Start clock ``name`` of the case's workflow with the unit's period (workflow data and unit
    profile); nothing when the unit does not run that clock. Returns the clock or None."""
    from caseflow.calendar.periods import due_compute
    from caseflow.clocks.services import clock_start

    clock_def = workflows.clock(workflows.get(case.workflow), name)
    if clock_def.fixed == "fair_close":
        closes_at = _fair_closes_at(case)
        if closes_at is None or closes_at <= started_at:
            return None
        return clock_start(
            case, name, fixed_due_at=closes_at, started_at=started_at, actor=actor, event=event
        )
    period = clock_period(clock_def, profile=case.unit.profile, variant=_variant(case, clock_def))
    if not period:
        return None
    if clock_def.cap == "fair_close":
        # The answer period never runs past the fair's close (guideline art 14; 展会办法 art 13).
        closes_at = _fair_closes_at(case)
        if (
            closes_at
            and started_at
            < closes_at
            < due_compute(started_at, period, unit_id=case.unit_id).due_at
        ):
            return clock_start(
                case, name, fixed_due_at=closes_at, started_at=started_at, actor=actor, event=event
            )
    return clock_start(case, name, period=period, started_at=started_at, actor=actor, event=event)


def _apply_clocks(case, row, *, at, actor, event, note):
    """The row's clock effects, in order. The clock services ignore a stop, pause or resume of a
    clock the case does not have active (e.g. ``closing_target`` where no target was promised)."""
    from caseflow.clocks import services as clocks

    for effect in row.clocks:
        name = effect.clock
        if effect.action == "stop_all":
            clocks.clocks_stop_all(case, at=at, actor=actor, event=event)
        elif effect.action == "pause_all":
            clocks.clocks_pause_all(case, at=at, actor=actor, event=event)
        elif effect.action == "resume_all":
            clocks.clocks_resume_all(case, at=at, actor=actor, event=event)
        elif effect.action == "start":
            try:
                clock_start_defined(case, name, started_at=at, actor=actor, event=event)
            except StateConflict:
                # A new order restarts its clock (compliance: rectification → withdrawal). The
                # refusal comes before the clock service writes anything.
                clocks.clock_stop(case, name, at=at, actor=actor, event=event)
                clock_start_defined(case, name, started_at=at, actor=actor, event=event)
        elif effect.action == "stop":
            clocks.clock_stop(case, name, at=at, actor=actor, event=event)
        elif effect.action == "cancel":
            clocks.clock_cancel(case, name, at=at, actor=actor, event=event)
        elif effect.action == "pause":
            clocks.clock_pause(case, name, at=at, actor=actor, event=event)
        elif effect.action == "resume":
            clocks.clock_resume(case, name, at=at, actor=actor, event=event)
        elif effect.action == "extend":
            clock_def = workflows.clock(workflows.get(case.workflow), name)
            step, maximum = clock_extension(clock_def, profile=case.unit.profile)
            clocks.clock_extend(
                case, name, by=step, at=at, actor=actor, event=event, maximum=maximum, note=note
            )


# --- linked cases ------------------------------------------------------------------------------


def _open_linked(case, row, data, *, actor, at):
    """The case ``row.opens`` asks for, if ``data`` asks for it; linked to ``case``."""
    from caseflow.accounts.models import Unit
    from caseflow.cases.services import case_open_linked

    spec = row.opens
    if spec is None or data.get(spec.when_field) not in spec.when_values:
        return None
    target_workflow = spec.workflow or data[spec.workflow_field]
    unit = case.unit
    code = data.get(spec.unit_field) if spec.unit_field else None
    if code:
        unit = db.session.scalars(select(Unit).where(Unit.code == str(code).strip())).first()
        if unit is None or unit.kind == "fair_desk":
            raise ValidationFailed(
                f"接收单位不存在：{code}",
                message_en=f"no such receiving centre {code}",
                fields={spec.unit_field: "未知的单位代码 / unknown unit code"},
            )
    linked = case_open_linked(case, workflow=target_workflow, unit=unit, actor=actor, at=at)
    db.session.add(CaseLink(source=case, target=linked, kind=spec.kind))
    return linked


# --- firing ------------------------------------------------------------------------------------


def _check_scope(case, actor):
    if actor is None or not actor.can_see_unit(case.unit_id):
        # Like a missing case: another unit's case numbers cannot be confirmed.
        raise NotFound("案件不存在", message_en="no such case")


def _occurred_at(case, occurred_at, now):
    if occurred_at is None:
        occurred_at = now
    elif isinstance(occurred_at, str):
        try:
            occurred_at = parse_instant(occurred_at)
        except ValueError:
            raise ValidationFailed(
                "发生时间格式不正确",
                message_en="occurred_at is not an ISO 8601 instant",
                fields={"occurred_at": "ISO 8601"},
            ) from None
    elif occurred_at.tzinfo is None:
        raise ValidationFailed(
            "发生时间须带时区",
            message_en="occurred_at needs a UTC offset",
            fields={"occurred_at": "naive"},
        )
    if occurred_at > now + FUTURE_TOLERANCE:
        raise ValidationFailed(
            "发生时间不能晚于现在",
            message_en="occurred_at is in the future",
            fields={"occurred_at": "不能是将来的时间 / in the future"},
        )
    if case.last_event_at and occurred_at < case.last_event_at:
        raise ValidationFailed(
            f"发生时间不能早于上一操作（{iso(case.last_event_at)}）",
            message_en=f"occurred_at is before the previous event ({iso(case.last_event_at)})",
            fields={"occurred_at": "早于上一操作 / before the previous event"},
        )
    return occurred_at


def case_fire(
    case: Case,
    trigger: str,
    actor,
    *,
    occurred_at=None,
    note: str = "",
    data: dict | None = None,
    version: int | None = None,
    render_notices: bool | None = None,
) -> Event:
    """Fire ``trigger`` on ``case`` as ``actor`` and commit; the transition's audit event.

    Raises a ``caseflow.errors.DomainError`` and changes nothing when the step is not allowed.
    ``render_notices=False`` leaves the queued notices pending (the scheduler's retry renders
    them); the default is the app's ``CASEFLOW_RENDER_NOTICES_INLINE`` (true unless set false).
    """
    if render_notices is None:
        render_notices = current_app.config.get("CASEFLOW_RENDER_NOTICES_INLINE", True)
    try:
        event, notice_ids = _fire(case, trigger, actor, occurred_at, note, data, version)
        # Read before the commit expires them, so the log line costs no query.
        summary = (case.number, trigger, actor.username, case.state)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise VersionConflict(
            "案件已被他人修改，请刷新后重试",
            message_en="the case was changed by someone else; reload and retry",
            fields={"version": "stale"},
        ) from None
    except Exception:
        db.session.rollback()
        raise
    log.info("case %s: %s by %s → %s", *summary)
    if notice_ids and render_notices:
        _render_after_commit(notice_ids)
    return event


def _render_after_commit(notice_ids):
    try:
        from caseflow.notices.services import notices_render_pending

        notices_render_pending(notice_ids)
    except Exception:  # the step is committed; the notices stay pending for the retry
        log.exception("notices %s: rendering after commit failed", notice_ids)
        db.session.rollback()


def _fire(case, trigger, actor, occurred_at, note, data, version):
    _check_scope(case, actor)
    wf = workflows.get(case.workflow)
    if not isinstance(trigger, str):
        raise ValidationFailed(
            "缺少操作", message_en="trigger missing", fields={"trigger": "required"}
        )
    row = _transition_row(wf, trigger)
    if actor.role not in row.roles:
        raise PermissionDenied(
            f"“{row.label}”须由{'或'.join(ROLE_LABELS[r] for r in row.roles)}办理",
            message_en=f"{trigger} needs the role {' or '.join(row.roles)}",
        )
    # Lock the row: concurrent steps on one case queue here and the losers see the new version.
    # SQLite has no row locks (one writer at a time); there the versioned UPDATE is the guard.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.refresh(case, with_for_update=True)
    if version is not None and version != case.version:
        raise VersionConflict(
            "案件已被他人修改，请刷新后重试",
            message_en=f"stale version {version}; the case is at version {case.version}",
            fields={"version": f"当前版本 {case.version}"},
        )
    from_state = case.state
    if from_state not in row.sources:
        state = workflows.state(wf, from_state)
        raise StateConflict(
            f"案件处于“{state.label if state else from_state}”，不能“{row.label}”",
            message_en=f"{trigger} is not allowed in state {from_state}",
            fields={"trigger": f"not allowed in {from_state}"},
        )
    now = utcnow()
    at = _occurred_at(case, occurred_at, now)
    cleaned = _clean_data(row, data)
    for guard in row.guards:
        GUARDS[guard.name](case, guard, at, cleaned)
    note = note or ""
    if not isinstance(note, str):
        raise ValidationFailed(
            "备注应为文本", message_en="note must be text", fields={"note": "text"}
        )

    stored = {k: (iso(v) if hasattr(v, "tzinfo") else v) for k, v in cleaned.items()}
    event = Event(
        # The id, not the relationship: no backref into case.events (the commit expires it).
        case_id=case.id,
        kind="transition",
        actor_id=actor.id,
        trigger=trigger,
        from_state=from_state,
        to_state=row.dest or from_state,
        occurred_at=at,
        recorded_at=now,
        note=note,
        data=stored,
    )
    db.session.add(event)
    from caseflow.clocks.services import clocks_batch

    # One read of the case's active clocks, no flush between the effects, next_due_at once.
    with clocks_batch(case):
        _apply_clocks(
            case, row, at=at, actor=actor, event=event, note=cleaned.get("reason") or note
        )
    linked = _open_linked(case, row, cleaned, actor=actor, at=at)
    if linked is not None:
        event.data = {**stored, "linked_case": linked.number}

    # The case row last, so the clock services' flushes do not each rewrite it.
    try:
        machine_for(case.workflow).events[trigger].trigger(case)
    except MachineError as exc:  # already checked above; kept as the machine's last word
        raise StateConflict(str(exc), fields={"trigger": "not allowed"}) from None
    case.data = {**(case.data or {}), **stored}
    case.last_event_at = at
    case.version = case.version + 1
    if workflows.state(wf, case.state).final:
        case.is_closed, case.closed_at = True, at
    notice_ids = []
    if row.notice is not None:
        from caseflow.notices.services import notice_queue

        # The counter's upsert need not flush the step first: notice_queue flushes it all once.
        with db.session.no_autoflush:
            notice = notice_queue(
                case=case,
                kind=row.notice.kind,
                event=event,
                addressee=_PARTY_OF.get(row.notice.addressee, row.notice.addressee),
            )
        notice_ids.append(notice.id)
    return event, notice_ids


# --- reading -----------------------------------------------------------------------------------


def available_triggers(case: Case, user) -> list:
    """The transition rows ``user`` may fire on ``case`` now (role, unit and state; the guards
    are checked when fired)."""
    if user is None or not user.can_see_unit(case.unit_id):
        return []
    wf = workflows.get(case.workflow)
    return [t for t in wf.TRANSITIONS if case.state in t.sources and user.role in t.roles]


def _field_dict(f):
    out = {"name": f.name, "type": f.type, "label": f.label, "required": f.required}
    if f.choices:
        out["choices"] = [{"value": v, "label": label} for v, label in f.choices]
    if f.help:
        out["help"] = f.help
    return out


def transition_describe(t) -> dict:
    return {
        "trigger": t.trigger,
        "label": t.label,
        "sources": list(t.sources),
        "dest": t.dest,
        "roles": list(t.roles),
        "fields": [_field_dict(f) for f in t.fields],
        "guards": [
            {"name": g.name, "params": dict(g.params), "message": g.message} for g in t.guards
        ],
        "clocks": [{"action": e.action, "clock": e.clock} for e in t.clocks],
        "notice": ({"kind": t.notice.kind, "addressee": t.notice.addressee} if t.notice else None),
        "opens": (
            {"kind": t.opens.kind, "workflow": t.opens.workflow or f"data.{t.opens.workflow_field}"}
            if t.opens
            else None
        ),
        "occurred_at_label": t.occurred_at_label or None,
    }


def workflow_describe(name: str) -> dict:
    """Everything about a workflow a client needs: states, transitions with their forms, clocks."""
    wf = workflows.get(name)
    return {
        "name": wf.NAME,
        "code": wf.CODE,
        "label": wf.LABEL,
        "initial": wf.INITIAL,
        "states": [{"name": s.name, "label": s.label, "final": s.final} for s in wf.STATES],
        "transitions": [transition_describe(t) for t in wf.TRANSITIONS],
        "clocks": [
            {
                "name": c.name,
                "label": c.label,
                "period": c.period,
                "variant_key": c.variant_key,
                "variants": dict(c.variants),
                "fixed": c.fixed,
                "cap": c.cap,
                "start_basis": c.start_basis,
                "extension_step": c.extension_step,
                "extension_max": c.extension_max,
                "basis": c.basis,
                "evidence": c.evidence,
            }
            for c in wf.CLOCKS
        ],
        "opening_clocks": list(wf.OPENING_CLOCKS),
    }
