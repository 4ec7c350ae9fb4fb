"""Cases over JSON: open, read, list, fire a transition, statistics (interfaces.md)."""

from flask import jsonify, request

import workflows
from caseflow.api import api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.api.supervision import stats_period, stats_with_on_time
from caseflow.cases import selectors
from caseflow.cases.services import case_assign, case_open
from caseflow.engine import available_triggers, case_fire
from caseflow.errors import Malformed, PermissionDenied, ValidationFailed, VersionConflict
from caseflow.extensions import db
from caseflow.parties.selectors import case_deliveries, notice_delivery_json
from caseflow.supervision.report import report_unit
from caseflow.supervision.selectors import cases_stats
from caseflow.timeutil import (
    OutOfRange,
    deadline_chinese,
    deadline_day,
    instant_reason,
    iso,
    parse_day,
    parse_instant,
)

#: Far beyond any list we hold, and far below an offset the database cannot represent.
MAX_PAGE = 1_000_000
#: ``overdue=`` as the case list reads it; anything else is a 422.
OVERDUE_VALUES = dict.fromkeys(("", "0", "false", "no"), False) | dict.fromkeys(
    ("1", "true", "yes"), True
)


def clock_json(clock, wf) -> dict:
    definition = workflows.clock(wf, clock.name)
    return {
        "name": clock.name,
        "label": definition.label if definition else clock.name,
        "status": clock.status,
        "period": clock.period,
        "started_at": iso(clock.started_at),
        "due_at": iso(clock.due_at),
        # The last day (local) a person reads; ``due_at`` is its 24:00 instant (the next 00:00).
        "due_on": deadline_day(clock.due_at, clock.period_unit).isoformat(),
        "due_text": deadline_chinese(clock.due_at, clock.period_unit),
        # This clock's own: counted on a provisional calendar year (not the case's other clocks).
        "provisional": clock.provisional,
        "paused_at": iso(clock.paused_at),
        "stopped_at": iso(clock.stopped_at),
        "extended": clock.extended,
    }


def event_json(event) -> dict:
    return {
        "id": event.id,
        "kind": event.kind,
        "trigger": event.trigger,
        "from": event.from_state,
        "to": event.to_state,
        "occurred_at": iso(event.occurred_at),
        "recorded_at": iso(event.recorded_at),
        "actor": event.actor.username if event.actor else event.actor_name,
        "note": event.note,
        "data": event.data,
    }


def notice_json(notice, deliveries: list | None = None) -> dict:
    """A notice as the case's JSON lists it; ``deliveries``: its service rows when already read."""
    return {
        "id": notice.id,
        "kind": notice.kind,
        "title": notice.title,
        "document_number": notice.document_number,
        "status": notice.status,
        "issued_at": iso(notice.issued_at),
        "sha256": notice.sha256,
        "event_id": notice.event_id,
        # Whom it is to: a party, or both sides of a ruling (``parties``); a step may tell each.
        "addressee_role": (notice.addressee or {}).get("role"),
        "delivery": notice_delivery_json(notice, deliveries),
    }


def case_summary_json(case) -> dict:
    wf = workflows.get(case.workflow)
    state = workflows.state(wf, case.state)
    return {
        "id": case.id,
        "number": case.number,
        "workflow": case.workflow,
        "unit": case.unit.code,
        "state": case.state,
        "state_label": state.label if state else case.state,
        "is_closed": case.is_closed,
        "version": case.version,
        "title": case.title,
        "priority": case.priority,
        "complainant": case.complainant,
        "respondent": case.respondent,
        "received_at": iso(case.received_at),
        "next_due_at": iso(case.next_due_at),
        # Earlier findings against the respondent in any unit (credit.md, repeat detection).
        "repeat_of": (case.data or {}).get("repeat_of") or [],
    }


#: What another unit following a linked case sees of its parties (the case page's read-only
#: view): who they are, not how to reach them.
READ_ONLY_PARTY_KEYS = ("name", "kind", "country")


def case_json(case, user, *, read_only: bool = False) -> dict:
    """The case as ``user`` reads it. ``read_only``: another unit's case linked to one of the
    user's unit's (``selectors.case_get_readable``), shown as its web page shows it."""
    if read_only:
        return _case_followed_json(case, user)
    wf = workflows.get(case.workflow)
    deliveries = case_deliveries(case.id)  # every notice's service rows in one query
    out = case_summary_json(case)
    out.update(
        {
            "channel": case.channel,
            "right": case.right,
            "data": case.data,
            "fair_id": case.fair_id,
            "exhibitor_id": case.exhibitor_id,
            "applicant_id": case.applicant_id,
            "assignee": case.assignee.username if case.assignee else None,
            "opened_at": iso(case.opened_at),
            "closed_at": iso(case.closed_at),
            "clocks": [clock_json(c, wf) for c in selectors.case_clocks(case)],
            "available_triggers": [
                {"trigger": t.trigger, "label": t.label, "dest": t.dest}
                for t in available_triggers(case, user)
            ],
            "events": [event_json(e) for e in selectors.case_events(case)],
            "notices": [
                notice_json(n, deliveries.get(n.id, [])) for n in selectors.case_notices(case)
            ],
            "linked_cases": [
                {
                    "id": other.id,
                    "number": other.number,
                    "workflow": other.workflow,
                    "state": other.state,
                    "kind": kind,
                    "direction": direction,
                }
                for direction, kind, other in selectors.case_links(case)
            ],
            "read_only": False,
        }
    )
    return out


def _case_followed_json(case, user) -> dict:
    """What the case page shows another unit that follows the case (issue 15): its state,
    clocks, steps and notices by title; not what is the handling unit's to keep — the parties'
    contacts, the step notes and data, the case data (facts, drafts, repeat findings), the
    notices' service, the evidence, its links to cases of other units — and no triggers."""
    out = case_json(case, user)
    for role in ("complainant", "respondent"):
        out[role] = {k: v for k, v in (out[role] or {}).items() if k in READ_ONLY_PARTY_KEYS}
    for event in out["events"]:
        event["note"], event["data"] = "", None
    for notice in out["notices"]:
        notice["delivery"] = None
    out.update(
        {
            "data": None,
            "repeat_of": [],
            "available_triggers": [],
            "linked_cases": [
                link
                for link, (_direction, _kind, other) in zip(
                    out["linked_cases"], selectors.case_links(case), strict=True
                )
                if other.unit_id == user.unit_id
            ],
            "read_only": True,
        }
    )
    return out


def _unit_for_new_case(user, body):
    from caseflow.accounts.models import Unit

    code = body.get("unit")
    if code is None:
        if user.unit is None:
            raise ValidationFailed(
                "管理员立案须指定单位",
                message_en="admins must name the unit",
                fields={"unit": "required"},
            )
        return user.unit
    unit = db.session.scalars(db.select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise ValidationFailed(
            "未知的单位", message_en=f"unknown unit {code}", fields={"unit": "unknown"}
        )
    if not user.can_see_unit(unit.id):
        raise PermissionDenied(
            "无权在其他单位立案", message_en="you may not open cases for that unit"
        )
    return unit


#: Ids that belong to one workflow only (interfaces.md); elsewhere they would dangle unchecked.
_WORKFLOW_IDS = {
    "fair_id": "fair_complaint",
    "exhibitor_id": "fair_complaint",
    "applicant_id": "pre_exam",
}


def _ids_of_other_workflows(body) -> None:
    errors = {
        name: f"仅用于 {workflow} / only for {workflow}"
        for name, workflow in _WORKFLOW_IDS.items()
        if body.get(name) is not None and body.get("workflow") != workflow
    }
    if errors:
        raise ValidationFailed(
            "该流程不使用：" + "、".join(errors),
            message_en="not used by this workflow: " + ", ".join(errors),
            fields=errors,
        )


@bp.post("/cases")
def cases_create():
    user, body = api_user(), body_check(json_body(), "CaseCreate")
    _ids_of_other_workflows(body)
    case = case_open(
        workflow=body.get("workflow"),
        unit=_unit_for_new_case(user, body),
        actor=user,
        title=body.get("title") or "",
        channel=body.get("channel"),
        received_at=body.get("received_at"),
        complainant=body.get("complainant"),
        respondent=body.get("respondent"),
        right=body.get("right"),
        priority=bool(body.get("priority")),
        data=body.get("data"),
        fair_id=body.get("fair_id"),
        exhibitor_id=body.get("exhibitor_id"),
        applicant_id=body.get("applicant_id"),
    )
    return jsonify(case_json(case, user)), 201


@bp.get("/cases/<case_id>")
def cases_show(case_id):
    user = api_user()
    # As the web page: another unit's case linked to one of the user's unit's is read-only.
    case, read_only = selectors.case_get_readable(case_id, user=user)
    return jsonify(case_json(case, user, read_only=read_only))


@bp.post("/cases/<case_id>/transitions")
def cases_fire(case_id):
    user = api_user()
    case = selectors.case_get(case_id, user=user, for_step=True)
    body = body_check(json_body(), "Fire")
    case_fire(
        case,
        body["trigger"],
        user,
        occurred_at=body.get("occurred_at") or None,
        note=body.get("note") or "",
        data=body.get("data") or {},
        version=body.get("version"),
    )
    db.session.commit()  # then its notices render: the answer shows them issued
    return jsonify(case_json(case, user))


@bp.post("/cases/<case_id>/assign")
def cases_assign(case_id):
    """Give the case to a member of its unit (``assignee``: a username) or to nobody (null);
    supervisors and admins of the unit only."""
    from caseflow.accounts.models import User

    user = api_user()
    case = selectors.case_get(case_id, user=user)
    body = body_check(json_body(), "Assign")
    version, username = body.get("version"), body["assignee"]
    assignee = None
    if username is not None:
        assignee = db.session.scalar(db.select(User).where(User.username == username.strip()))
        if assignee is None or not assignee.active:
            raise ValidationFailed(
                "没有该用户",
                message_en=f"no active user {username.strip()[:64]!r}",
                fields={"assignee": "未知用户 / unknown user"},
            )
    if version is not None and version != case.version:
        raise VersionConflict(
            "案件已被他人修改，请刷新后重试",
            message_en="the case changed since you read it",
            fields={"version": f"当前版本 {case.version} / current version {case.version}"},
        )
    case_assign(case, assignee=assignee, actor=user)
    return jsonify(case_json(case, user))


def _query_instant(name):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise ValidationFailed(
            f"{name} 不正确", message_en=f"{name} is not usable", fields={name: instant_reason(exc)}
        ) from None


def _query_date(name):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return parse_day(value)
    except OutOfRange as exc:
        raise ValidationFailed(
            f"{name} 不正确", message_en=f"{name} is out of range", fields={name: str(exc)}
        ) from None
    except ValueError:
        raise ValidationFailed(f"{name} 格式不正确", fields={name: "YYYY-MM-DD"}) from None


@bp.get("/cases")
def cases_index():
    user = api_user()
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        raise Malformed("page 应为整数", message_en="page must be an integer") from None
    if not 1 <= page <= MAX_PAGE:  # beyond MAX_PAGE the offset would overflow the database
        raise ValidationFailed(
            f"page 应在 1 至 {MAX_PAGE} 之间",
            message_en=f"page must be from 1 to {MAX_PAGE}",
            fields={"page": f"应在 1 至 {MAX_PAGE} 之间 / from 1 to {MAX_PAGE}"},
        )
    workflow = request.args.get("workflow") or None
    if workflow and workflow not in workflows.WORKFLOWS:
        names = list(workflows.WORKFLOWS)
        raise ValidationFailed(
            f"未知的流程：{workflow}",
            message_en=f"unknown workflow {workflow!r}",
            fields={"workflow": f"应为 {'、'.join(names)} 之一 / one of {', '.join(names)}"},
        )
    state = request.args.get("state") or None
    if state:
        # The states of the workflow asked for, else of every workflow: a typo is not "none".
        modules = [workflows.get(workflow)] if workflow else list(workflows.WORKFLOWS.values())
        states = list(dict.fromkeys(s.name for m in modules for s in m.STATES))
        if state not in states:
            raise ValidationFailed(
                f"未知的状态：{state}",
                message_en=f"unknown state {state!r}",
                fields={"state": f"应为 {'、'.join(states)} 之一 / one of {', '.join(states)}"},
            )
    overdue = request.args.get("overdue", "").lower()
    if overdue not in OVERDUE_VALUES:
        raise ValidationFailed(
            "overdue 应为 true 或 false",
            message_en="overdue must be true or false",
            fields={"overdue": "应为 true 或 false / true or false"},
        )
    unit = request.args.get("unit") or None
    if unit:
        # Another unit's cases: 403, as /stats answers, not an empty list.
        unit = report_unit(user, unit).code
    items, total = selectors.cases_list(
        user,
        workflow=workflow,
        state=state,
        overdue=OVERDUE_VALUES[overdue],
        due_before=_query_instant("due_before"),
        unit=unit,
        q=request.args.get("q") or None,
        page=page,
    )
    return jsonify(
        {
            "items": [case_summary_json(c) for c in items],
            "total": total,
            "page": max(page, 1),
            "per_page": selectors.PER_PAGE,
        }
    )


@bp.get("/stats")
def stats():
    user = api_user()
    unit = request.args.get("unit") or None
    if unit:
        report_unit(user, unit)  # another unit's figures: 403, not a row of zeros
    # Every figure of a row covers the one period it states (by default the dashboard's).
    from_on, to_on = stats_period(_query_date("from"), _query_date("to"))
    if from_on > to_on:
        raise ValidationFailed(
            "止日不能早于起日", message_en="to is before from", fields={"to": "before from"}
        )
    rows = cases_stats(user, unit=unit, from_on=from_on, to_on=to_on)
    return jsonify({"workflows": stats_with_on_time(user, rows, unit, from_on, to_on)})
