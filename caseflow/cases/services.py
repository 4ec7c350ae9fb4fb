"""Writes for cases: open one (numbered, with its opening clocks), open a linked one, lodge a
complaint at the fair desk, assign, claim.

State changes are not here: they go through ``caseflow.engine.case_fire``.
"""

import hashlib
import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

import workflows
from caseflow.calendar.index import FIRST_YEAR as CALENDAR_FIRST_YEAR
from caseflow.cases.models import Case, Event
from caseflow.errors import (
    NotFound,
    PermissionDenied,
    StateConflict,
    ValidationFailed,
    VersionConflict,
)
from caseflow.extensions import db
from caseflow.sequences import sequence_next
from caseflow.text import is_blank, text_strip
from caseflow.timeutil import instant_reason, iso, local_date, parse_instant, utcnow
from workflows.intake import CHANNELS

log = logging.getLogger(__name__)

#: Roles that may open a case (viewers only read).
OPENING_ROLES = ("caseworker", "desk_officer", "supervisor", "admin")
PARTY_KINDS = ("person", "company")
RIGHT_KINDS = ("patent", "trademark", "copyright")
RIGHT_LABELS = {"patent": "专利", "trademark": "商标", "copyright": "著作权"}
PATENT_TYPES = ("invention", "utility_model", "design")
CHANNEL_CODES = tuple(code for code, _label in CHANNELS)
#: Intake by phone or in person: the clerk writes the particulars down (SAMR Order 20 art 9).
SPOKEN_CHANNELS = ("hotline_12345", "hotline_12330", "walk_in")


def case_number_next(*, unit, workflow, year: int) -> str:
    """``{unit}-{CODE}-{year}-{seq:05d}``, gapless per unit, workflow and year (the counter row
    stays locked until the caller's transaction ends)."""
    code = workflows.get(workflow).CODE
    seq = sequence_next(f"case:{unit.code}:{code}:{year}")
    return f"{unit.code}-{code}-{year}-{seq:05d}"


def _party(value, field, errors, *, required):
    if value is None or value == {}:
        if required:
            errors[f"{field}.name"] = "必填 / required"
        return {}
    party = {k: v for k, v in value.items() if v is not None}
    name = party.get("name")
    if required and is_blank(name):
        errors[f"{field}.name"] = "必填 / required"
    if party.get("kind") not in (None, *PARTY_KINDS):
        errors[f"{field}.kind"] = "应为 person 或 company / person or company"
    if "code" in party:
        from caseflow.credit.subjects import subject_code_clean

        # The unified social credit code, checksum verified as for applicants (credit.md).
        code = subject_code_clean(party["code"], f"{field}.code", errors)
        if code:
            party["code"] = code
        else:
            party.pop("code")
    if name:
        party["name"] = text_strip(name)
    return party


def _right(value, errors):
    if value is None:
        return {}
    if value.get("kind") not in (None, *RIGHT_KINDS):
        errors["right.kind"] = "应为 patent、trademark 或 copyright / patent, trademark or copyright"
    if value.get("patent_type") not in (None, *PATENT_TYPES):
        errors["right.patent_type"] = "应为 invention、utility_model 或 design / invention, utility_model or design"
    return dict(value)


def _requester_as_filed(complainant: dict, applicant) -> dict:
    """The pre-exam requester: the filed applicant, under its filed name and credit code.

    procedures.md §2: only an applicant with an approved filing at the unit may request it, so
    the name typed for the requester must be the filing's (compared as the credit register folds
    names: full-width, blanks, 有限责任公司); its contact details are kept as typed. Another name
    would put an unfiled company on the notices under someone else's filing.
    """
    from caseflow.credit.subjects import subject_name_key

    typed = complainant.get("name") or ""
    if typed and subject_name_key(typed) != subject_name_key(applicant.name):
        raise ValidationFailed(
            f"预审请求人须为备案主体“{applicant.name}”",
            message_en=f"the requester of a pre-examination must be the filed applicant "
            f"{applicant.name!r}",
            fields={
                "complainant.name": f"须为备案主体“{applicant.name}”，或留空 / must be the "
                f"filed applicant, or left blank"
            },
        )
    return {
        **complainant,
        "name": applicant.name,
        "kind": "company",
        "country": "CN",
        "code": applicant.credit_code,
    }


def _received_at(value, now, errors):
    if value is None or value == "":
        return now
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_instant(value)
        except ValueError as exc:
            errors["received_at"] = instant_reason(exc)
            return now
    else:
        errors["received_at"] = "时间格式不正确 / not an ISO 8601 instant"
        return now
    if parsed.tzinfo is None:
        errors["received_at"] = "须带时区 / needs a UTC offset"
    elif parsed > now + timedelta(seconds=5):
        errors["received_at"] = "不能是将来的时间 / in the future"
    elif local_date(parsed).year < CALENDAR_FIRST_YEAR:
        # Its clocks count on the working-day calendar, which begins in 2004.
        errors["received_at"] = (
            f"不能早于{CALENDAR_FIRST_YEAR}年（工作日历的起始年份） / before "
            f"{CALENDAR_FIRST_YEAR}, where the working-day calendar begins"
        )
    return parsed


#: What caseflow writes into ``case.data`` itself (credit.md's repeat detection, the document
#: drafts, the mediation log, the compensation worksheet): never taken from whoever opens a case.
COMPUTED_DATA = ("repeat_of", "drafts", "mediation_sessions", "compensation")
#: The most a case's opening data may weigh as JSON: the facts of a complaint run to a few
#: thousand characters; this is room for them many times over, and every read of the case
#: carries it.
OPENING_DATA_MAX_BYTES = 256 * 1024


def _right_kind_check(wf, right: dict, errors) -> None:
    """The procedure's kinds of right (``Opening.right_kinds``): a trademark complaint is no
    patent adjudication; it is transferred to its own authority."""
    kind = (right or {}).get("kind")
    if wf.OPENING.right_kinds and kind and kind not in wf.OPENING.right_kinds:
        allowed = "、".join(RIGHT_LABELS.get(k, k) for k in wf.OPENING.right_kinds)
        errors["right.kind"] = (
            f"{wf.LABEL}只办理{allowed}案件，{RIGHT_LABELS.get(kind, kind)}案件请移送有关部门"
            f" / {wf.NAME} is about {', '.join(wf.OPENING.right_kinds)} only, not {kind}"
        )


def _opening_data(data, errors) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        errors["data"] = "应为 JSON 对象 / must be an object"
        return
    for name in COMPUTED_DATA:
        if name in data:
            errors[f"data.{name}"] = "由系统生成，不能填写 / computed by caseflow, not accepted"
    if len(json.dumps(data, ensure_ascii=False).encode()) > OPENING_DATA_MAX_BYTES:
        errors["data"] = (
            f"不能超过{OPENING_DATA_MAX_BYTES // 1024} KB / at most "
            f"{OPENING_DATA_MAX_BYTES // 1024} KB"
        )


def workflows_opened_at(unit) -> tuple[str, ...]:
    """The workflows a case may be opened in at ``unit``: those its kind runs (a fair desk its
    complaints and on-site mediation, a centre the rest), pre-examination only where the unit has
    its technical fields (``Opening`` in each workflow module)."""
    profile = unit.profile or {}
    return tuple(
        name
        for name, wf in workflows.WORKFLOWS.items()
        if unit.kind in wf.OPENING.unit_kinds
        and (wf.OPENING.profile_key is None or profile.get(wf.OPENING.profile_key))
    )


def choice_clean(spec, value):
    """``value`` if it is one of the ``choice`` field's values, else ValueError naming the choices
    by their labels in Chinese and by their codes in English (the engine's ``clean_field`` and
    the opening data share it)."""
    if value not in spec.choice_values:
        labels = "、".join(label for _value, label in spec.choices)
        raise ValueError(f"应为以下之一：{labels} / must be one of: {', '.join(spec.choice_values)}")
    return value


def _opening_fields(wf, data, errors) -> None:
    """The opening data items the workflow declares (``Opening.data_fields``, choices), checked
    when given: an unknown ``complaint_type`` would silently count the default period."""
    if not isinstance(data, dict):
        return
    for spec in wf.OPENING.data_fields:
        value = data.get(spec.name)
        if value is None or value == "":
            continue
        try:
            choice_clean(spec, value)
        except ValueError as exc:
            errors[f"data.{spec.name}"] = f"{spec.label}：{exc}"


def case_running_check(case: Case, *, record: str, record_en: str) -> None:
    """Guard of the case's working records (the session log, the compensation worksheet): a case
    in a final state is done, and its file is what the parties and the court were given. Refused
    with a 409; the case page offers no form then."""
    if case.is_closed:
        raise StateConflict(
            f"案件已办结，不能再{record}",
            message_en=f"the case is closed: no more {record_en}",
            fields={"state": "已办结 / closed"},
        )


def case_open(
    *,
    workflow,
    unit,
    actor,
    title="",
    channel=None,
    received_at=None,
    complainant=None,
    respondent=None,
    right=None,
    priority=False,
    data=None,
    fair_id=None,
    exhibitor_id=None,
    applicant_id=None,
    public=False,
) -> Case:
    """Open a case in ``workflow`` at ``unit``: numbered, in its initial state, with its opening
    clocks running from ``received_at`` and an ``opened`` event. Flushed; the caller commits.

    Pre-exam requests must pass the applicant's eligibility check, fair complaints the desk's
    admissibility check (both raise ``ValidationFailed`` with the reason); nothing is written then.
    """
    # ``public``: a party's own online filing (parties.md §1), no user behind it.
    if not public and (actor is None or actor.role not in OPENING_ROLES):
        raise PermissionDenied("无权立案", message_en="your role may not open cases")
    if unit is None or (not public and not actor.can_see_unit(unit.id)):
        raise PermissionDenied(
            "无权在其他单位立案", message_en="you may not open cases for that unit"
        )
    if workflow not in workflows.WORKFLOWS:
        raise ValidationFailed(
            f"未知的流程：{workflow}",
            message_en=f"unknown workflow {workflow!r}",
            fields={
                "workflow": "应为 "
                + "、".join(workflows.WORKFLOWS)
                + " 之一 / one of "
                + ", ".join(workflows.WORKFLOWS)
            },
        )
    wf = workflows.get(workflow)
    if workflow not in workflows_opened_at(unit):
        raise ValidationFailed(
            f"{unit.name}不办理“{wf.LABEL}”案件",
            message_en=f"unit {unit.code} does not run {workflow} cases",
            fields={"workflow": f"本单位不办理{wf.LABEL} / not run by this unit"},
        )
    now = utcnow()
    errors: dict = {}
    received = _received_at(received_at, now, errors)
    # A pre-exam's requester is its filed applicant (``_requester_as_filed``): it may be left out;
    # a penalty found in an inspection has no reporter.
    complainant = _party(
        complainant,
        "complainant",
        errors,
        required=wf.OPENING.complainant and channel not in wf.OPENING.anonymous_channels,
    )
    respondent = _party(respondent, "respondent", errors, required=False)
    # A fair complaint's respondent is the exhibitor, named by the desk's check below.
    if wf.OPENING.respondent and not respondent.get("name") and workflow != "fair_complaint":
        label = workflows.PARTY_LABELS.get(workflow, ("", "被请求人"))[1]
        errors["respondent.name"] = f"必填：{label} / required: the respondent"
    right = _right(right, errors)
    _right_kind_check(wf, right, errors)
    _opening_data(data, errors)
    _opening_fields(wf, data, errors)
    if channel is not None and channel not in CHANNEL_CODES:
        errors["channel"] = (
            "应为 " + "、".join(CHANNEL_CODES) + " 之一 / one of " + ", ".join(CHANNEL_CODES)
        )
    elif channel is None and workflow == "intake":
        errors["channel"] = "必填 / required"
    elif wf.OPENING.channels and channel not in wf.OPENING.channels:
        labels = "、".join(label for code, label in CHANNELS if code in wf.OPENING.channels)
        errors["channel"] = (
            f"{wf.LABEL}直接立案的来源应为：{labels}（举报线索先登记为投诉举报，受理时转为线索）"
            f" / opened directly only by: {', '.join(wf.OPENING.channels)}"
        )
    if workflow == "intake" and channel in SPOKEN_CHANNELS:
        # SAMR Order 20 art 9 [V]: a complaint taken by phone or at the window is written down
        # with the complainant's name and contact, the respondent and the facts.
        if not (complainant.get("contact") or complainant.get("address")):
            errors["complainant.contact"] = "电话或来访登记须记录联系方式 / contact required"
        if not respondent.get("name"):
            errors["respondent.name"] = "电话或来访登记须记录被投诉人 / respondent required"
        if is_blank(title) and not (data or {}).get("facts"):
            errors["title"] = "电话或来访登记须记录事实 / the facts are required"
    if errors:
        raise ValidationFailed(
            "立案信息不完整或有误：" + "；".join(f"{k} {v}" for k, v in errors.items()),
            message_en="invalid case: " + ", ".join(errors),
            fields=errors,
        )
    data = dict(data or {})

    if workflow == "pre_exam":
        from caseflow.applicants.services import applicant_check_eligible

        applicant = applicant_check_eligible(unit=unit, applicant_id=applicant_id, right=right)
        applicant_id = applicant.id
        complainant = _requester_as_filed(complainant, applicant)
    if workflow == "fair_complaint":
        from caseflow.fairs.services import fair_complaint_check, fair_complaint_priority

        fair, exhibitor = fair_complaint_check(
            unit=unit,
            fair_id=fair_id,
            exhibitor_id=exhibitor_id,
            complainant=complainant,
            right=right,
            data=data,
        )
        fair_id, exhibitor_id = fair.id, exhibitor.id
        priority = priority or fair_complaint_priority(complainant, data)
        if not respondent:
            respondent = {"name": exhibitor.name, "kind": "company", "booth": exhibitor.booth}
            if exhibitor.credit_code:  # matched against the credit register by code
                respondent["code"] = exhibitor.credit_code

    case = _case_insert(
        wf,
        unit=unit,
        actor=actor,
        title=text_strip(title or ""),
        channel=channel,
        received_at=received,
        complainant=complainant,
        respondent=respondent,
        right=right,
        priority=priority,
        data=data,
        fair_id=fair_id,
        exhibitor_id=exhibitor_id,
        applicant_id=applicant_id,
        now=now,
    )
    log.info("case %s opened by %s", case.number, actor.username if actor else "the public")
    return case


def _case_insert(wf, *, unit, actor, received_at, now, note="", **values) -> Case:
    from caseflow.credit.selectors import repeat_lookup
    from caseflow.credit.subjects import subject_name_key

    respondent = values.get("respondent") or {}
    respondent_key = subject_name_key(respondent.get("name", ""))
    # Repeat detection (credit.md): the respondent's earlier findings in every unit's register
    # and decided cases, kept on the case as data.repeat_of.
    repeat_of = repeat_lookup(
        code=respondent.get("code"),
        key=respondent_key,
        unit_id=unit.id,
        patent_number=(values.get("right") or {}).get("number"),
    )
    if repeat_of:
        values["data"] = {**(values.get("data") or {}), "repeat_of": repeat_of}
    case = Case(
        number=case_number_next(unit=unit, workflow=wf.NAME, year=local_date(now).year),
        unit=unit,
        unit_id=unit.id,
        workflow=wf.NAME,
        state=wf.INITIAL,
        is_closed=False,
        received_at=received_at,
        complainant_name=(values.get("complainant") or {}).get("name", ""),
        respondent_name=respondent.get("name", ""),
        respondent_code=respondent.get("code"),
        respondent_key=respondent_key,
        opened_at=now,
        last_event_at=received_at,
        **values,
    )
    db.session.add(case)
    event = Event(
        case=case,
        kind="opened",
        actor_id=actor.id if actor else None,
        to_state=wf.INITIAL,
        occurred_at=received_at,
        recorded_at=now,
        note=note,
        data={"number": case.number},
    )
    db.session.add(event)
    db.session.flush()
    _start_opening_clocks(case, wf, actor=actor, event=event)
    return case


def _start_opening_clocks(case, wf, *, actor, event):
    from caseflow.clocks.services import case_refresh_next_due, clock_start_defined

    if wf.NAME == "fair_complaint":
        # The desk's clocks need the fair (its close); the fairs area starts them.
        from caseflow.fairs.services import fair_complaint_start_clocks

        fair_complaint_start_clocks(case, actor=actor, event=event)
    else:
        for name in wf.OPENING_CLOCKS:
            clock_start_defined(case, name, started_at=case.received_at, actor=actor, event=event)
    case_refresh_next_due(case)


def case_open_linked(
    source: Case, *, workflow: str, unit, actor, at, received_at=None
) -> Case:
    """A case in ``workflow`` opened from ``source`` inside the caller's transaction: same
    parties and right, the complainant's facts and the evidence, its own number and clocks.
    Received when ``source``'s request was complete (``_request_complete_at``: the matter arrived
    then), or at ``received_at`` where the step is a new request or a transfer
    (``LinkSpec.received_at_step``); a first receipt before that is kept as
    ``data.first_received_at``. The caller records the ``CaseLink``.

    ``unit`` must run ``workflow`` (its ``Opening.unit_kinds``), as for a case opened directly: an
    adjudication at a fair desk would sit where nobody can accept it (a 422, nothing written)."""
    wf = workflows.get(workflow)
    if unit.kind not in wf.OPENING.unit_kinds:
        raise ValidationFailed(
            f"{unit.name}不办理“{wf.LABEL}”案件，不能转入",
            message_en=f"unit {unit.code} does not run {workflow} cases: it cannot receive one",
            fields={"unit": f"{unit.name}不办理{wf.LABEL} / {unit.code} does not run {workflow}"},
        )
    errors: dict = {}
    _right_kind_check(wf, source.right or {}, errors)
    if errors:
        raise ValidationFailed(
            f"“{wf.LABEL}”不办理该类权利的案件，不能转入",
            message_en=f"{workflow} cases are not about that kind of right: it cannot receive one",
            fields=errors,
        )
    data = {"opened_from": source.number}
    if (source.data or {}).get("facts"):
        # The complainant's account of the facts is the request's: the new procedure decides on it.
        data["facts"] = source.data["facts"]
    if received_at is None:
        received_at = _request_complete_at(source)
    if received_at != source.received_at:
        data["first_received_at"] = iso(source.received_at)
    case = _case_insert(
        wf,
        unit=unit,
        actor=actor,
        title=source.title,
        channel=source.channel,
        received_at=received_at,
        complainant=dict(source.complainant or {}),
        respondent=dict(source.respondent or {}),
        right=dict(source.right or {}),
        priority=source.priority,
        data=data,
        now=utcnow(),
        note=f"由 {source.number} 转入",
    )
    _evidence_carry(source, case, actor=actor)
    return case


def _request_complete_at(source: Case) -> datetime:
    """When ``source``'s request became complete: its receipt, or the last step that started its
    opening clock again (a correction submitted). procedures.md §1 and §3: acceptance counts
    again from the corrected request, so the case it is routed into counts from there too; from
    the first, incomplete receipt it would open overdue and escalated for the weeks the
    complainant took to correct it."""
    wf = workflows.get(source.workflow)
    restarts = [
        row.trigger
        for row in wf.TRANSITIONS
        if any(e.action == "start" and e.clock in wf.OPENING_CLOCKS for e in row.clocks)
    ]
    corrected = None
    if restarts:
        corrected = db.session.scalar(
            select(Event.occurred_at)
            .where(
                Event.case_id == source.id,
                Event.kind == "transition",
                Event.trigger.in_(restarts),
            )
            .order_by(Event.occurred_at.desc(), Event.id.desc())
            .limit(1)
        )
    return corrected or source.received_at


def _evidence_carry(source: Case, case: Case, *, actor) -> None:
    """``source``'s evidence goes with the matter (a 移交函 encloses it, 证据材料N件): a row on
    ``case`` for each file, the same stored bytes and SHA-256 (nothing is copied or re-checked:
    it was checked when filed), noted 转自 the source's number; one ``evidence`` event."""
    from caseflow.cases.evidence import Evidence

    filed = db.session.scalars(
        select(Evidence).where(Evidence.case_id == source.id).order_by(Evidence.id)
    ).all()
    if not filed:
        return
    now = utcnow()
    origin = f"转自 {source.number}"
    for item in filed:
        db.session.add(
            Evidence(
                case_id=case.id,
                uploaded_by_id=item.uploaded_by_id,
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                path=item.path,
                description=(f"{origin}：{item.description}" if item.description else origin)[:300],
                uploaded_at=now,
            )
        )
    db.session.add(
        Event(
            case_id=case.id,
            kind="evidence",
            actor_id=actor.id if actor else None,
            # Arrived with the case: dated with its receipt, so its timeline reads in order.
            occurred_at=case.received_at,
            recorded_at=now,
            note=f"转入证据材料{len(filed)}件（{origin}）",
            data={
                "from": source.number,
                "files": [
                    {"filename": i.filename, "sha256": i.sha256, "size": i.size} for i in filed
                ],
            },
        )
    )
    db.session.flush()


def case_assign(case: Case, *, assignee, actor) -> Case:
    """Give ``case`` to ``assignee`` (same unit); supervisors and admins, and at a fair desk the
    officers (they hand complaints to one another between shifts). The caller commits."""
    if actor is not None and not actor.can_see_unit(case.unit_id):
        raise NotFound("案件不存在", message_en="No such case")
    desk_handover = (
        actor is not None and actor.role == "desk_officer" and case.workflow == "fair_complaint"
    )
    if actor is None or (actor.role not in ("supervisor", "admin") and not desk_handover):
        raise PermissionDenied(
            "只有部门负责人可以分配案件", message_en="only supervisors assign cases"
        )
    assignee_check(case, assignee)
    assignee_record(case, assignee, actor=actor, now=utcnow())
    db.session.flush()
    return case


def may_hold(case: Case, user) -> bool:
    """Who may hold a case: an active member of its unit's staff (not a viewer)."""
    return user.unit_id == case.unit_id and user.role != "viewer" and user.active


def assignee_check(case: Case, assignee) -> None:
    """``assignee`` may hold ``case`` (``may_hold``); None leaves it unassigned."""
    if assignee is not None and not may_hold(case, assignee):
        raise ValidationFailed(
            "承办人须为本单位在岗工作人员",
            message_en="the assignee must be active staff of the case's unit",
            fields={"assignee": "other unit or inactive"},
        )


def assignee_record(case: Case, assignee, *, actor, now, note: str = "", **data) -> None:
    """``case`` goes to ``assignee`` (None: unassigned): a new version, so that two assignments
    at once cannot both be stored, and its ``assign`` event (``data`` added to it)."""
    case.assignee_id = assignee.id if assignee else None
    case.version = case.version + 1
    db.session.add(
        Event(
            case_id=case.id,
            kind="assign",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            note=note,
            data={"assignee": assignee.username if assignee else None, **data},
        )
    )


def cases_release(user, *, actor) -> list[Case]:
    """After an admin changed ``user`` (moved to another unit, made a viewer or an admin,
    deactivated), the open cases they may no longer hold go back to their unit's unassigned list
    (the inbox's 未分配) for its supervisor to reassign, rather than sit with someone who cannot
    see or act on them. Each gets an ``assign`` event naming the admin and the reason. Flushes;
    the caller commits."""
    held = db.session.scalars(
        select(Case)
        .where(Case.assignee_id == user.id, Case.is_closed.is_(False))
        .order_by(Case.number)
    )
    released = [case for case in held if not may_hold(case, user)]
    if not user.active:
        reason, why = "inactive", "已停用"
    elif user.role == "viewer":
        reason, why = "role", "已改为只读用户"
    else:
        reason, why = "unit", "已调离本单位"
    now = utcnow()
    for case in released:
        assignee_record(
            case,
            None,
            actor=actor,
            now=now,
            note=f"承办人 {user.display_name}（{user.username}）{why}，案件退回本单位未分配",
            released_from=user.username,
            reason=reason,
        )
    db.session.flush()
    return released


def case_claim(*, case, actor) -> None:
    """A caseworker takes an unassigned case of their unit (supervisors assign through
    ``case_assign``). Records an ``assign`` event. Flushed; the caller commits.

    Two people claiming the same case at once: the case's version guards the UPDATE (optimistic
    locking, checked at this flush), so exactly one claim is stored and the other gets a
    ``VersionConflict`` (409);
    a claim of a case that already has its assignee is a ``StateConflict`` (409).
    """
    if actor.role not in ("caseworker", "desk_officer", "supervisor") or actor.unit_id != case.unit_id:
        raise PermissionDenied("无权认领该案件", message_en="you may not claim this case")
    if case.assignee_id is not None:
        raise StateConflict(
            "该案件已有承办人", message_en="the case already has an assignee", fields={"case": "assigned"}
        )
    assignee_record(case, actor, actor=actor, now=utcnow(), note=f"{actor.display_name} 认领")
    try:
        db.session.flush()
    except StaleDataError:
        raise VersionConflict(
            "该案件刚被他人认领或修改，请刷新后重试",
            message_en="someone else claimed or changed the case just now; reload and retry",
            fields={"case": "claimed"},
        ) from None
    log.info("case %s claimed by %s", case.number, actor.username)


def desk_complaint_lodge(
    *, actor, fair_id, exhibitor_id, complainant, right, priority, fast_mode, title, photos, facts=""
):
    """Lodge a fair complaint at the desk and file its photos as evidence (procedures.md §5).

    The case opens through ``case_open`` (which runs the desk's refusal checks and starts the hour
    clocks) assigned to the officer who lodged it (so its hour-clock alerts reach someone; a
    colleague or supervisor may reassign it); each photo is then filed with its SHA-256. The facts
    (what is displayed, how it infringes) go into ``data.facts``. Returns the case; the caller
    commits the case and its photos in one transaction.
    """
    from caseflow.cases.evidence import evidence_add, evidence_check
    from caseflow.fairs.models import Exhibitor

    if actor is None or actor.role not in ("desk_officer", "supervisor"):
        raise PermissionDenied(
            "投诉须由展会投诉站人员登记", message_en="only fair desk staff lodge complaints"
        )
    contents = []
    for photo in photos:
        content = photo.read()
        try:
            evidence_check(photo.filename, content)  # refuse a bad photo before anything is written
        except ValidationFailed as exc:
            # Several files go in at once: the refusal names the one refused, beside the photos.
            name = photo.filename
            raise ValidationFailed(
                f"{name}：{exc.message}",
                message_en=f"{name}: {exc.message_en}",
                fields={"photos": f"{name}：{exc.message} / {name}: {exc.message_en}"},
            ) from None
        contents.append((photo.filename, content))
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    respondent = {}
    if exhibitor is not None:
        respondent = {
            "name": exhibitor.name,
            "kind": "company",
            "country": exhibitor.country,
            "booth": exhibitor.booth,
        }
        if exhibitor.credit_code:  # matched against the credit register by code
            respondent["code"] = exhibitor.credit_code
    case = case_open(
        unit=actor.unit,
        actor=actor,
        workflow="fair_complaint",
        channel="fair_desk",
        title=title or f"展位 {respondent.get('booth', '')} 知识产权投诉",
        complainant=complainant,
        respondent=respondent,
        right=right,
        fair_id=fair_id,
        exhibitor_id=exhibitor_id,
        priority=priority,
        data={**({"fast_mode": True} if fast_mode else {}), **({"facts": facts} if facts else {})},
    )
    now = utcnow()
    case.assignee_id = actor.id
    case.version += 1
    db.session.add(
        Event(
            case_id=case.id,
            kind="assign",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            data={"assignee": actor.username},
        )
    )
    seen = set()
    for filename, content in contents:
        digest = hashlib.sha256(content).hexdigest()
        if digest in seen:  # the same photo picked twice in one lodging: filed once
            continue
        seen.add(digest)
        evidence_add(case=case, actor=actor, filename=filename, content=content, description="现场照片")
    return case
