"""Drafts of the documents a step issues: a decision's findings, reasoning and operative items, an
agreement's terms (notices.md, "Decisions and agreements carry their reasoning").

A draft is kept on the case (``case.data["drafts"][kind]``, ``kind`` the notice kind of the step
that issues it) and may be edited while the case is open and that step has not fired; once it
fires, the draft is the record of what was issued (the step's event keeps the issued text). The engine takes the drafted fields the trigger's data leaves
out from here. Which fields are drafted is the workflow's data (``Field.drafted``), so every
workflow that issues a reasoned document (adjudication, mediation, the penalty procedure) shares
this one mechanism.
"""

from types import SimpleNamespace

import workflows
from caseflow.cases.models import Case, Event
from caseflow.errors import PermissionDenied, StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import iso, utcnow

#: Who may write a draft: the roles that handle a case (a viewer reads only).
DRAFTING_ROLES = ("caseworker", "supervisor", "admin")


def draft_steps(workflow: str) -> dict:
    """notice kind → the transitions issuing it that have drafted fields, for one workflow."""
    out: dict = {}
    for row in workflows.get(workflow).TRANSITIONS:
        if row.notice is not None and any(f.drafted for f in row.fields):
            out.setdefault(row.notice.kind, []).append(row)
    return out


def draft_fields(workflow: str, kind: str) -> tuple:
    """The drafted fields of ``kind`` in ``workflow`` (the first issuing step's labels)."""
    rows = draft_steps(workflow).get(kind) or []
    seen, fields = set(), []
    for row in rows:
        for f in row.fields:
            if f.drafted and f.name not in seen:
                seen.add(f.name)
                fields.append(f)
    return tuple(fields)


def draft_kinds_open(case: Case) -> list[str]:
    """The kinds that may be drafted now: the case is open and no step issuing the kind has
    fired yet (a decision may be drafted from acceptance on; once issued, it is the record)."""
    from sqlalchemy import select

    steps = draft_steps(case.workflow)
    if case.is_closed or not steps:
        return []
    fired = set(
        db.session.scalars(
            select(Event.trigger).where(
                Event.case_id == case.id,
                Event.kind == "transition",
                Event.trigger.in_([row.trigger for rows in steps.values() for row in rows]),
            )
        )
    )
    return [kind for kind, rows in steps.items() if not any(row.trigger in fired for row in rows)]


def draft_get(case: Case, kind: str) -> dict:
    """The saved draft of ``kind`` (empty when none was saved)."""
    return dict(((case.data or {}).get("drafts") or {}).get(kind) or {})


def _kind_check(case: Case, kind: str) -> tuple:
    fields = draft_fields(case.workflow, kind)
    if not fields:
        raise ValidationFailed(
            f"本流程没有可起草的文书“{kind}”",
            message_en=f"workflow {case.workflow} drafts no document {kind!r}",
            fields={"kind": "无此文书 / no such draft"},
        )
    return fields


def draft_save(case: Case, kind: str, values, *, actor, at=None) -> dict:
    """Save the draft of ``kind`` on ``case`` (all of it: a field left out is cleared) with one
    ``draft`` audit event; the caller commits. A partial draft is allowed; the issuing step checks that the
    required parts are there. Refused, changing nothing: another unit's case (403), a viewer
    (403), a kind the workflow does not draft (422), a step that has already fired (409), a value
    that is not text, carries NUL or is longer than 50,000 characters (422)."""
    from caseflow.engine import clean_field

    if actor is None or not actor.can_see_unit(case.unit_id):
        raise PermissionDenied(
            "无权办理其他单位的案件", message_en="this case belongs to another unit"
        )
    if actor.role not in DRAFTING_ROLES:
        raise PermissionDenied("无权起草文书", message_en="your role may not draft documents")
    fields = _kind_check(case, kind)
    if kind not in draft_kinds_open(case):
        raise StateConflict(
            "该文书已经签发或当前阶段不能起草，草稿不能再修改",
            message_en=f"{kind} cannot be drafted in state {case.state} (issued or not yet due)",
            fields={"kind": f"not in {case.state}"},
        )
    if not isinstance(values, dict):
        raise ValidationFailed(
            "草稿应为 JSON 对象",
            message_en="the draft must be an object",
            fields={"draft": "object"},
        )
    known = {f.name for f in fields}
    errors = {k: "未知的字段 / unknown field" for k in values if k not in known}
    draft = {}
    for spec in fields:
        value = values.get(spec.name)
        if value is None or value == "" or value == []:
            continue
        try:
            draft[spec.name] = clean_field(spec, value)
        except ValueError as exc:
            errors[spec.name] = f"{spec.label}：{exc}"
    if errors:
        raise ValidationFailed(
            "草稿有误：" + "；".join(errors.values()),
            message_en="invalid draft: " + ", ".join(errors),
            fields=errors,
        )
    now = at or utcnow()
    draft["saved_at"] = iso(now)
    draft["saved_by"] = actor.username
    data = dict(case.data or {})
    data["drafts"] = {**(data.get("drafts") or {}), kind: draft}
    case.data = data
    db.session.add(
        Event(
            case_id=case.id,
            kind="draft",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            note=f"保存文书草稿：{_kind_title(case, kind)}",
            # The lengths, not the text: the draft itself is on the case, the issued text on the
            # issuing step's event.
            data={
                "kind": kind,
                "lengths": {
                    k: (len(v) if isinstance(v, str) else [len(x) for x in v])
                    for k, v in draft.items()
                    if k in known
                },
            },
        )
    )
    db.session.flush()
    return draft


def _kind_title(case, kind) -> str:
    from caseflow.notices.kinds import kind_title

    return kind_title(case.workflow, kind)


def draft_preview_notice(case: Case, kind: str, *, now=None):
    """A notice-like object for rendering the draft with the real template: nothing is queued,
    numbered or stored (the document number and verification code are placeholders)."""
    from caseflow.notices.kinds import kind_addressee_role, kind_title

    _kind_check(case, kind)
    draft = draft_get(case, kind)
    now = now or utcnow()
    event = SimpleNamespace(data=draft, note="", occurred_at=now)
    role = kind_addressee_role(case.workflow, kind)
    party = case.complainant if role in ("complainant", "applicant") else case.respondent
    return SimpleNamespace(
        id=None,
        case=case,
        case_id=case.id,
        unit=case.unit,
        event=event,
        event_id=None,
        kind=kind,
        title=kind_title(case.workflow, kind),
        addressee={"role": role, "name": (party or {}).get("name", "")},
        issued_at=now,
        document_number="（草稿，签发时编号）",
        verification_code="DRAFT",
        replaces_id=None,
        replaces=None,
        preview=True,
    )
