"""The mediation session log (调解记录): each session's date, who attended and what came of it,
kept on a mediation case, or an adjudication being settled by mediation (调解结案), (``case.data["mediation_sessions"]``) with an audit event each."""

from datetime import date

from sqlalchemy import func, select

from caseflow.cases.models import Event
from caseflow.cases.services import case_running_check
from caseflow.errors import PermissionDenied, StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import chinese_date, iso, local_date, utcnow

OUTCOME_MAX = 5000
#: A session's attendees: the parties, their agents, the mediators; far fewer than this.
ATTENDEES_MAX = 50
NAME_MAX = 100
#: The state a mediation is in from the respondent's consent (workflows/mediation.py).
MEDIATING = "in_mediation"


def sessions_list(case) -> list[dict]:
    return list((case.data or {}).get("mediation_sessions") or [])


def _mediation_began_on(case) -> date | None:
    """The day a mediation case entered 调解中 (the respondent's consent; none: a 409 here). An
    adjudication's sessions (调解结案) may be held at any time of it: None."""
    if case.workflow != "mediation":
        return None
    began_at = db.session.scalar(
        select(func.min(Event.occurred_at)).where(
            Event.case_id == case.id, Event.kind == "transition", Event.to_state == MEDIATING
        )
    )
    if began_at is None:
        # P13 [S]: no mediation without the respondent's consent; there is no session to record.
        raise StateConflict(
            "被请求人同意调解前不能记录调解",
            message_en="no session before the respondent consents to mediation",
            fields={"state": "尚未开始调解 / the mediation has not begun"},
        )
    return local_date(began_at)


def session_record(case, *, held_on, attendees, outcome, actor, now=None) -> dict:
    """Record one session. Refused (nothing changes): another unit or a viewer (403), a closed
    case or a mediation not yet consented to (409), a case that is neither a mediation nor an
    adjudication (422), a date that is not ``YYYY-MM-DD``, lies in the future or before the
    mediation began, no attendee, an outcome that is empty or too long (422)."""
    if actor is None or not actor.can_see_unit(case.unit_id):
        raise PermissionDenied(
            "无权办理其他单位的案件", message_en="this case belongs to another unit"
        )
    if actor.role not in ("caseworker", "supervisor", "admin"):
        raise PermissionDenied("无权记录调解", message_en="your role may not record sessions")
    now = now or utcnow()
    case_running_check(case, record="记录调解", record_en="sessions")
    errors = {}
    if case.workflow not in ("mediation", "adjudication"):
        errors["workflow"] = "调解记录仅用于调解和行政裁决案件 / mediation and adjudication only"
    began_on = _mediation_began_on(case)
    day = None
    try:
        day = date.fromisoformat(held_on) if isinstance(held_on, str) else None
    except ValueError:
        day = None
    if day is None:
        errors["held_on"] = "日期格式应为 YYYY-MM-DD / a date YYYY-MM-DD"
    elif day > local_date(now):
        errors["held_on"] = "不能是将来的日期 / in the future"
    elif day < local_date(case.received_at):
        # A session of this dispute cannot come before the centre received it.
        received = local_date(case.received_at)
        errors["held_on"] = (
            f"不能早于收到请求的日期（{chinese_date(received)}） / before the case was received "
            f"({received.isoformat()})"
        )
    elif began_on is not None and day < began_on:
        errors["held_on"] = (
            f"不能早于调解开始之日（{chinese_date(began_on)}，被请求人同意调解） / before the "
            f"mediation began ({began_on.isoformat()}, the respondent's consent)"
        )
    if isinstance(attendees, str):
        attendees = [a for a in attendees.replace("，", "\n").replace("、", "\n").splitlines()]
    if not isinstance(attendees, list) or not all(isinstance(a, str) for a in attendees):
        errors["attendees"] = "应为姓名列表 / a list of names"
        attendees = []
    attendees = [a.strip() for a in attendees if a.strip()]
    if not attendees and "attendees" not in errors:
        errors["attendees"] = "至少一名参加人 / at least one attendee"
    elif len(attendees) > ATTENDEES_MAX or any(len(a) > NAME_MAX for a in attendees):
        errors["attendees"] = (
            f"至多{ATTENDEES_MAX}人，每人不超过{NAME_MAX}字 / at most {ATTENDEES_MAX} names of "
            f"{NAME_MAX} characters"
        )
    if not isinstance(outcome, str) or not outcome.strip():
        errors["outcome"] = "必填：调解情况 / required"
    elif len(outcome) > OUTCOME_MAX or "\x00" in outcome:
        errors["outcome"] = f"不超过{OUTCOME_MAX}字 / at most {OUTCOME_MAX} characters"
    if errors:
        raise ValidationFailed(
            "调解记录有误：" + "；".join(errors.values()),
            message_en="invalid session: " + ", ".join(errors),
            fields=errors,
        )
    entry = {
        "held_on": day.isoformat(),
        "attendees": attendees,
        "outcome": outcome.strip(),
        "recorded_by": actor.username,
        "recorded_at": iso(now),
    }
    case.data = {**(case.data or {}), "mediation_sessions": [*sessions_list(case), entry]}
    db.session.add(
        Event(
            case_id=case.id,
            kind="mediation_session",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            note=f"调解记录 {chinese_date(day)}",
            data={"held_on": entry["held_on"], "attendees": attendees},
        )
    )
    db.session.flush()
    return entry
