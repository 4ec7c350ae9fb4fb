"""The credit register over JSON (credit.md, interfaces.md): list, record noncompliance, publish,
repair, revoke and withdraw.

Any signed-in user lists every unit's records; of another unit's record that is not published
they see only the fact: kind, subject, case number, unit and date.
"""

from flask import request

import workflows
import workflows.credit as spec
from caseflow.api import api_user, bp, json_body
from caseflow.api.cases import clock_json
from caseflow.api.schema import body_check
from caseflow.credit import selectors
from caseflow.credit.services import (
    credit_record_noncompliance,
    credit_record_publish,
    credit_record_repair,
    credit_record_revoke,
    credit_record_withdraw,
)
from caseflow.errors import ValidationFailed
from caseflow.timeutil import instant_reason, iso, parse_instant


def _day(value):
    return value.isoformat() if value else None


def credit_json(
    record, user, clocks: list | None = None, provisional: set[str] | None = None
) -> dict:
    """A record as the API shows it to ``user``: in full for its own unit (and admins) or once
    published; otherwise only the fact, the case number, the unit and the date. ``clocks``: the
    record's clocks when already read (a page of them reads all its records' at once);
    ``provisional``: its ``credit_dates_provisional`` entry, likewise."""
    out = {
        "id": record.id,
        "kind": record.kind,
        "kind_label": selectors.kind_label(record.kind),
        "unit": record.unit.code,
        "subject": {"name": record.subject_name, "code": record.subject_code},
        "case_number": record.case_number,
        "decided_on": _day(record.decided_on),
    }
    if not selectors.record_shown_in_full(record, user):
        return out
    if provisional is None:
        provisional = selectors.credit_dates_provisional([record])[record.id]
    out.update(
        {
            "status": record.status,
            "status_label": selectors.status_label(record.status),
            "case_id": record.case_id if user.can_see_unit(record.unit_id) else None,
            "document_number": record.document_number,
            "patent_number": record.patent_number,
            "minor": record.minor,
            "published_on": _day(record.published_on),
            "display_until": _day(record.display_until),
            # Counted on a provisional year: marked wherever shown (deadlines.md §1).
            "display_until_provisional": "display" in provisional,
            "repair_eligible_on": _day(record.repair_eligible_on),
            "repair_eligible_on_provisional": "repair_eligible" in provisional,
            "revoked_at": iso(record.revoked_at),
            "ended_at": iso(record.ended_at),
        }
    )
    if user.can_see_unit(record.unit_id):
        wf = workflows.get(record.case.workflow)
        out["details"] = record.details
        out["end_reason"] = record.end_reason
        if clocks is None:
            clocks = selectors.credit_record_clocks(record)
        out["clocks"] = [_record_clock_json(c, wf) for c in clocks]
    return out


def _record_clock_json(clock, wf) -> dict:
    """A record's clock under the name credit.md gives it (``publication``, ``display``,
    ``repair_eligible``, ``withdrawal``); its name among the case's clocks beside it (a case
    holds the clocks of each of its records: ``credit_publication.17``)."""
    out = clock_json(clock, wf)
    found = spec.clock_of(clock.name)
    if found is not None:
        out["name"], out["case_clock"] = found[0].name, clock.name
    return out


def _record(record_id):
    return selectors.credit_record_get(record_id)


def _occurred_at(body):
    value = body.get("occurred_at")
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise ValidationFailed(
            "发生时间不正确",
            message_en="occurred_at is not usable",
            fields={"occurred_at": instant_reason(exc)},
        ) from None


@bp.get("/credit")
def credit_list():
    """Every unit's records: ``q`` (subject, case or document number), ``code``, ``kind``,
    ``status``, ``page``."""
    user = api_user()
    args = request.args
    kind, status = args.get("kind", ""), args.get("status", "")

    if kind and kind not in dict(spec.KINDS):
        raise ValidationFailed(
            "未知的记录类别", message_en=f"unknown kind {kind}", fields={"kind": "unknown"}
        )
    if status and status not in dict(spec.STATUSES):
        raise ValidationFailed(
            "未知的状态", message_en=f"unknown status {status}", fields={"status": "unknown"}
        )
    try:
        page = int(args.get("page", 1))
    except ValueError:
        raise ValidationFailed("页码应为整数", fields={"page": "integer"}) from None
    result = selectors.credit_records_page(
        page=max(1, min(page, 1_000_000)),
        q=args.get("q", "")[:200],
        code=args.get("code", "")[:18],
        kind=kind,
        status=status,
        seen_by=user,
        with_cases=True,
    )
    # The clocks shown (own unit's records) for the whole page in one query, not one per record.
    clocks = selectors.credit_records_clocks(
        [r for r in result.records if user.can_see_unit(r.unit_id)]
    )
    provisional = selectors.credit_dates_provisional(
        [r for r in result.records if selectors.record_shown_in_full(r, user)]
    )
    return {
        "items": [
            credit_json(r, user, clocks.get(r.id), provisional.get(r.id, set()))
            for r in result.records
        ],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


@bp.get("/credit/<int:record_id>")
def credit_get(record_id):
    return credit_json(_record(record_id), api_user())


@bp.post("/credit")
def credit_create():
    """A noncompliance record (拒不执行) by a supervisor, against one of the unit's cases: its
    subject is the case's respondent (``subject`` names it, or is omitted)."""
    # ``kind`` is an enumeration of one: other records follow from decisions, not by hand.
    body = body_check(json_body(), "CreditCreate")
    user = api_user()
    record = credit_record_noncompliance(
        actor=user,
        subject=body.get("subject"),
        case_id=body["case_id"],
        note=body.get("note") or "",
        at=_occurred_at(body),
    )
    return credit_json(record, user), 201


@bp.post("/credit/<int:record_id>/publish")
def credit_publish(record_id):
    """The whole input is the path: publishing takes effect now."""
    user = api_user()
    record = credit_record_publish(_record(record_id), actor=user)
    return credit_json(record, user)


@bp.post("/credit/<int:record_id>/repair")
def credit_repair(record_id):
    return _reasoned_step(credit_record_repair, record_id)


@bp.post("/credit/<int:record_id>/revoke")
def credit_revoke(record_id):
    return _reasoned_step(credit_record_revoke, record_id)


@bp.post("/credit/<int:record_id>/withdraw")
def credit_withdraw(record_id):
    return _reasoned_step(credit_record_withdraw, record_id)


def _reasoned_step(service, record_id):
    """A step on a record that takes a reason and, optionally, when it happened (CreditStep)."""
    body = body_check(json_body(), "CreditStep")
    user = api_user()
    record = service(_record(record_id), actor=user, reason=body["reason"], at=_occurred_at(body))
    return credit_json(record, user)
