"""Writes the UI needs that no other area offers: claiming a case, lodging at the fair desk.

Transitions go through ``caseflow.engine.case_fire``; evidence through ``caseflow.cases.evidence``.
"""

import hashlib
import logging

from caseflow.cases.models import Event
from caseflow.errors import PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)


def case_claim(*, case, actor) -> None:
    """A caseworker takes an unassigned case of their unit (supervisors assign through
    ``caseflow.cases.services.case_assign``). Records an ``assign`` event. Commits."""
    if actor.role not in ("caseworker", "desk_officer", "supervisor") or actor.unit_id != case.unit_id:
        raise PermissionDenied("无权认领该案件", message_en="you may not claim this case")
    if case.assignee_id is not None:
        raise ValidationFailed(
            "该案件已有承办人", message_en="the case already has an assignee", fields={"case": "assigned"}
        )
    case.assignee_id = actor.id
    now = utcnow()
    db.session.add(
        Event(
            case_id=case.id,
            kind="assign",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            note=f"{actor.display_name} 认领",
            data={"assignee": actor.username},
        )
    )
    db.session.commit()
    log.info("case %s claimed by %s", case.number, actor.username)


def desk_complaint_lodge(
    *, actor, fair_id, exhibitor_id, complainant, right, priority, fast_mode, title, photos, facts=""
):
    """Lodge a fair complaint at the desk and file its photos as evidence (procedures.md §5).

    The case opens through ``case_open`` (which runs the desk's refusal checks and starts the hour
    clocks) assigned to the officer who lodged it (so its hour-clock alerts reach someone; a
    colleague or supervisor may reassign it); each photo is then filed with its SHA-256. The facts
    (what is displayed, how it infringes) go into ``data.facts``. Returns the case.
    """
    from caseflow.cases.evidence import evidence_add, evidence_check
    from caseflow.cases.services import case_open
    from caseflow.fairs.models import Exhibitor

    contents = []
    for photo in photos:
        content = photo.read()
        evidence_check(photo.filename, content)  # refuse a bad photo before anything is written
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
    db.session.commit()
    seen = set()
    for filename, content in contents:
        digest = hashlib.sha256(content).hexdigest()
        if digest in seen:  # the same photo picked twice in one lodging: filed once
            continue
        seen.add(digest)
        evidence_add(case=case, actor=actor, filename=filename, content=content, description="现场照片")
    return case
