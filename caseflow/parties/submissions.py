"""A party's own submission from its page (parties.md §5): the matching trigger fires through the
engine as actor ``party:<role>``. Above the engine, unlike the rest of the parties area (consent,
service, links), which the notices area calls while a step is being written."""

import workflows
from caseflow.cases.models import Event
from caseflow.engine import case_fire
from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.parties.models import PartyLink
from caseflow.parties.services import (
    ACTION_LABELS,
    MAX_FILES,
    MAX_TEXT,
    PartyActor,
    evidence_files_add,
    party_action_for,
)
from caseflow.timeutil import utcnow


def party_submit(
    *, link: PartyLink, text, files: list[tuple[str, bytes]], waive_hearing=False, now=None
) -> Event:
    """A party's answer, correction, statement or supplement: the matching trigger fires with
    ``occurred_at`` = now as actor ``party:<role>``, and the files join the case's evidence with
    their SHA-256 (parties.md §5). Every file is checked before anything is written.

    ``waive_hearing``: the penalty respondent gives up its hearing with its statement, in writing
    on its own page (行政处罚法 arts 63–64); only where the step records a waiver. Flushed; the
    caller commits (then the step's notices render)."""
    from caseflow.cases.evidence import evidence_check

    case = link.case
    trigger = party_action_for(case, link.role)
    if trigger is None:
        raise StateConflict(
            "案件当前阶段无需您提交材料", message_en="nothing is expected from you at this stage"
        )
    errors: dict = {}
    if text is None:
        text = ""
    if not isinstance(text, str):
        errors["text"] = "应为文本 / must be text"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"不超过{MAX_TEXT}字 / at most {MAX_TEXT} characters"
    if len(files) > MAX_FILES:
        errors["files"] = f"最多{MAX_FILES}个文件 / at most {MAX_FILES} files"
    waiver = waiver_field(case, trigger)
    if waive_hearing and waiver is None:  # the page offers no box: a message, not a field
        raise ValidationFailed(
            "本阶段没有可放弃的听证", message_en="there is no hearing to waive at this stage"
        )
    if not errors and not (text or "").strip() and not files and not waive_hearing:
        errors["text"] = "请填写内容或上传文件 / write something or attach a file"
    if errors:
        raise ValidationFailed(
            "提交内容有误", message_en="invalid submission: " + ", ".join(errors), fields=errors
        )
    for filename, content in files:
        try:
            evidence_check(filename, content)
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"{filename}：{exc.message}",
                message_en=f"{filename}: {exc.message_en}",
                fields={"files": f"{filename}：{exc.message} / {exc.message_en}"},
            ) from None
    actor = PartyActor(side=link.role, unit_id=case.unit_id, party_triggers=(trigger,))
    text = (text or "").strip()
    field = _text_field(case, trigger)
    data = {waiver: True} if waive_hearing else {}
    if field is not None:
        # Stored as when the caseworker records it: the step's field (陈述申辩要点), on the event
        # and the case; a note is the staff's own working record.
        if text:
            data[field] = text
        event = case_fire(case, trigger, actor, occurred_at=now, data=data)
    else:
        event = case_fire(case, trigger, actor, occurred_at=now, data=data, note=text)
    evidence_files_add(case, files, actor_name=actor.actor_name, description=ACTION_LABELS[trigger][0])
    link.last_used_at = utcnow()
    db.session.flush()
    return event


def _text_field(case, trigger: str) -> str | None:
    """The step's own text field, if it has one (``receive_statement``'s ``statement``): where
    the party's text goes."""
    row = workflows.transition(workflows.get(case.workflow), trigger)
    return next((f.name for f in row.fields if f.type == "text"), None) if row else None


def waiver_field(case, trigger: str | None) -> str | None:
    """The step's written hearing waiver, if it records one (``receive_statement``'s
    ``hearing_waived``): the box the party's page offers beside the statement."""
    if trigger is None:
        return None
    row = workflows.transition(workflows.get(case.workflow), trigger)
    if row is None:
        return None
    return next((f.name for f in row.fields if f.name == "hearing_waived"), None)
