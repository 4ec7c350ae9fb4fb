"""Supervisors' reads in the API: the approval queue, the on-time figures beside ``/stats``, and
the annual statistics report. The same selectors as the dashboard, so the two can be compared."""

from datetime import date, timedelta

from flask import jsonify, request, url_for

from caseflow.api import api_user, bp
from caseflow.cases.selectors import _unit_by_code
from caseflow.credit import selectors as credit_selectors
from caseflow.errors import ValidationFailed
from caseflow.supervision.report import annual_report, report_unit, report_year
from caseflow.supervision.selectors import (
    approvals_queue,
    on_time_by_workflow,
    on_time_tallies,
    waiting_text,
)
from caseflow.timeutil import (
    deadline_chinese,
    deadline_day,
    end_of_local_day,
    iso,
    local_date,
    start_of_local_day,
    utcnow,
)

#: The dashboard's default period: the twelve weeks up to today.
DEFAULT_WEEKS = 12
QUEUE_MAX = 500


def stats_period(from_on: date | None, to_on: date | None, now=None) -> tuple[date, date]:
    """The period a figure covers: by default the dashboard's, twelve weeks up to today."""
    to_on = to_on or local_date(now or utcnow())
    return from_on or to_on - timedelta(weeks=DEFAULT_WEEKS), to_on


def stats_with_on_time(user, rows: list[dict], unit_code, from_on: date | None, to_on: date | None):
    """``rows`` (``cases_stats``) with ``clocks_met``, ``clocks_missed`` and ``on_time_share``
    per workflow, counted as the dashboard counts them over the same period (by default the
    dashboard's: twelve weeks up to today); ``period_from``/``period_to`` say which."""
    now = utcnow()
    from_on, to_on = stats_period(from_on, to_on, now)
    unit_id = _unit_by_code(unit_code).id if unit_code else None
    totals = on_time_by_workflow(
        on_time_tallies(
            user,
            start=start_of_local_day(from_on),
            end=end_of_local_day(to_on),
            now=now,
            unit_id=unit_id,
        )
    )
    out = []
    for row in rows:
        tally = totals.get(row["workflow"])
        share = tally.share if tally else None
        out.append(
            {
                **row,
                "period_from": from_on.isoformat(),
                "period_to": to_on.isoformat(),
                "clocks_met": tally.met if tally else 0,
                "clocks_missed": tally.missed if tally else 0,
                "on_time_share": round(share, 4) if share is not None else None,
            }
        )
    return out


def _approval_json(row, now) -> dict:
    """One row of the queue. Every row carries the case fields (for a credit record, those of its
    source case) and ``kind``: ``case``, or ``credit`` with the record, the action and its
    deadline."""
    waited = row.waiting(now)
    out = {
        "kind": row.kind,
        "case_id": row.case.id,
        "case_number": row.case.number,
        "workflow": row.case.workflow,
        "state": row.case.state,
        "waiting_since": iso(row.waiting_since),
        "waiting_hours": round(waited.total_seconds() / 3600, 1),
        "waiting_text": waiting_text(waited),
    }
    if row.kind == "case":
        return {
            **out,
            "assignee": row.case.assignee.username if row.case.assignee else None,
            "triggers": [{"trigger": t.trigger, "label": t.label} for t in row.steps],
            "url": url_for("web.case_detail", case_id=row.case.id),
        }
    record = row.record
    return {
        **out,
        "assignee": None,
        "triggers": [{"trigger": row.action, "label": row.label}],
        "url": url_for("web.credit_record", record_id=record.id),
        "action": row.action,
        "action_label": row.label,
        "due_at": iso(row.due_at) if row.due_at else None,
        "due_on": deadline_day(row.due_at, row.due_unit).isoformat() if row.due_at else None,
        "due_text": deadline_chinese(row.due_at, row.due_unit) if row.due_at else None,
        "record": {
            "id": record.id,
            "kind": record.kind,
            "kind_label": credit_selectors.kind_label(record.kind),
            "status": record.status,
            "status_label": credit_selectors.status_label(record.status),
            "subject": {"name": record.subject_name, "code": record.subject_code},
            "document_number": record.document_number,
            "decided_on": record.decided_on.isoformat(),
            "revoked_at": iso(record.revoked_at),
        },
    }


@bp.get("/approvals")
def approvals_index():
    """What waits for a step only a supervisor may take, longest waiting first: cases
    (``kind = case``) and the unit's credit records to publish or withdraw (``kind = credit``)."""
    user = api_user()
    try:
        limit = int(request.args.get("limit", 100))
    except ValueError:
        raise ValidationFailed("limit 应为整数", fields={"limit": "integer"}) from None
    if not 1 <= limit <= QUEUE_MAX:
        raise ValidationFailed(f"limit 应在 1–{QUEUE_MAX} 之间", fields={"limit": "range"})
    now = utcnow()
    queue = approvals_queue(user, now=now, limit=limit)
    return jsonify(
        {
            "total": queue.total,
            "items": [_approval_json(row, now) for row in queue.rows],
        }
    )


@bp.get("/stats/report")
def stats_report():
    """The annual statistics for ``year`` (default: this year) and ``unit`` (default: the
    user's own; admins may name any, or none for all units)."""
    user = api_user()
    year = report_year(request.args.get("year", local_date(utcnow()).year))
    unit = report_unit(user, request.args.get("unit"))
    report = annual_report(user, year=year, unit=unit)
    return jsonify({**report, "generated_at": iso(report["generated_at"])})
