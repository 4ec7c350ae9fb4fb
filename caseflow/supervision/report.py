"""The annual statistics a centre sends to CNIPA and its province (年度统计报表).

Per workflow, for the calendar year (local days): cases received by channel and by right type,
foreign-related cases, outcomes and the cases they went on to (a complaint routed to adjudication,
a failed mediation's adjudication, a fair complaint referred to a centre), median and 90th-percentile days to close, the on-time share of
every promise (the same count as the dashboard: a running clock past due is missed); for pre-exam
the qualification rate and the grant time counted from the request and from the formal filing at
CNIPA; for fairs the complaints per fair.
"""

import math
from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

import workflows
from caseflow.accounts.models import Unit
from caseflow.cases.models import Case, CaseLink, Event
from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.supervision.selectors import on_time_tallies
from caseflow.timeutil import local_date, start_of_local_day, utcnow

#: Years a report may ask for: the system's calendars cover these.
YEAR_MIN, YEAR_MAX = 2000, 2099


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (what a statistician re-counting by hand gets)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _days(start, end) -> int:
    """Days between two instants, counted on local calendar days (received 1 March, closed
    3 March: 2 days), as the returns count them."""
    return (local_date(end) - local_date(start)).days


def _spread(values: list[int]) -> dict:
    return {"count": len(values), "median": _median(values), "p90": _percentile(values, 0.9)}


def _is_foreign(case) -> bool:
    """A party from outside the mainland (country set and not CN), as the returns count
    涉外 cases (Hong Kong, Macao and Taiwan are reported with them)."""
    for party in (case.complainant or {}, case.respondent or {}):
        country = (party.get("country") or "").strip().upper()
        if country and country not in ("CN", "CHN", "中国"):
            return True
    return False


def _right_type(case) -> str:
    right = case.right or {}
    kind = right.get("kind") or "unknown"
    if kind == "patent" and right.get("patent_type"):
        return f"patent:{right['patent_type']}"
    return kind


def report_unit(user, code: str | None) -> Unit | None:
    """The unit a report is for: the user's own, or for admins the one named (None: all)."""
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code.strip().upper()))
        if unit is None:
            raise ValidationFailed("未知的单位", message_en="unknown unit", fields={"unit": "unknown"})
        if not user.can_see_unit(unit.id):
            raise PermissionDenied("无权查看其他单位的统计", message_en="another unit's figures")
        return unit
    if user.is_admin:
        return None
    if user.unit_id is None:
        raise NotFound("用户没有所属单位", message_en="the user has no unit")
    return db.session.get(Unit, user.unit_id)


def report_year(text) -> int:
    try:
        year = int(text)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "year 应为四位年份", message_en="year must be a four-digit year", fields={"year": "YYYY"}
        ) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationFailed(
            f"year 应在 {YEAR_MIN}–{YEAR_MAX} 之间",
            message_en=f"year must be within {YEAR_MIN}-{YEAR_MAX}",
            fields={"year": "range"},
        )
    return year


#: What the report reads of the year's received and closed cases.
_RECEIVED = (
    Case.workflow, Case.channel, Case.right, Case.complainant, Case.respondent, Case.fair_id,
)
_CLOSED = (Case.workflow, Case.state, Case.received_at, Case.closed_at)


def annual_report(user, *, year: int, unit: Unit | None, now=None) -> dict:
    """The year's figures, per workflow, for ``unit`` (None: every unit; admins only)."""
    now = now or utcnow()
    start = start_of_local_day(date(year, 1, 1))
    end = start_of_local_day(date(year + 1, 1, 1))
    unit_id = unit.id if unit is not None else None

    def scoped(query):
        if not user.is_admin:
            query = query.where(Case.unit_id == user.unit_id)
        if unit_id is not None:
            query = query.where(Case.unit_id == unit_id)
        return query

    # Plain rows of the columns counted: a year's cases as ORM objects, their case data and
    # bookkeeping, cost more than the queries.
    received = db.session.execute(
        scoped(select(*_RECEIVED).where(Case.received_at >= start, Case.received_at < end))
    ).all()
    closed = db.session.execute(
        scoped(select(*_CLOSED).where(Case.closed_at >= start, Case.closed_at < end))
    ).all()
    tallies = on_time_tallies(user, start=start, end=end, now=now, unit_id=unit_id)
    # The cases closed in the year that opened another: counted by the procedure they went on to.
    target = aliased(Case)
    went_on = db.session.execute(
        scoped(
            select(Case.workflow, target.workflow)
            .join(CaseLink, CaseLink.source_id == Case.id)
            .join(target, target.id == CaseLink.target_id)
            .where(Case.closed_at >= start, Case.closed_at < end)
        )
    ).all()
    fair_names = {}
    if any(c.fair_id for c in received):
        from caseflow.fairs.models import Fair

        ids = {c.fair_id for c in received if c.fair_id}
        fair_names = {f.id: f.name for f in db.session.scalars(select(Fair).where(Fair.id.in_(ids)))}

    out = []
    for name, module in workflows.WORKFLOWS.items():
        mine = [c for c in received if c.workflow == name]
        done = [c for c in closed if c.workflow == name]
        final_labels = {s.name: s.label for s in module.STATES}
        entry = {
            "workflow": name,
            "label": module.LABEL,
            "received": len(mine),
            "closed": len(done),
            "by_channel": dict(sorted(Counter(c.channel or "unknown" for c in mine).items())),
            "by_right_type": dict(sorted(Counter(_right_type(c) for c in mine).items())),
            "foreign_related": sum(1 for c in mine if _is_foreign(c)),
            "outcomes": [
                {"state": state, "label": final_labels.get(state, state), "cases": n}
                for state, n in sorted(Counter(c.state for c in done).items())
            ],
            "went_on_to": [
                {"workflow": to, "label": workflows.get(to).LABEL, "cases": n}
                for (_, to), n in sorted(Counter(r for r in went_on if r[0] == name).items())
            ],
            "days_to_close": _spread([_days(c.received_at, c.closed_at) for c in done]),
            "promises": [
                {
                    "clock": t.clock,
                    "label": (workflows.clock(module, t.clock).label
                              if workflows.clock(module, t.clock) else t.clock),
                    "met": t.met,
                    "missed": t.missed,
                    "on_time_share": round(t.share, 4) if t.share is not None else None,
                }
                for t in tallies
                if t.workflow == name
            ],
        }
        if name == "pre_exam":
            entry["pre_exam"] = _pre_exam_figures(scoped, start, end)
        if name == "fair_complaint":
            per_fair = Counter(c.fair_id for c in mine if c.fair_id)
            entry["fairs"] = [
                {"fair_id": fair_id, "name": fair_names.get(fair_id, str(fair_id)), "cases": n}
                for fair_id, n in sorted(per_fair.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
        out.append(entry)
    return {
        "year": year,
        "unit": unit.code if unit is not None else None,
        "unit_name": unit.name if unit is not None else None,
        "generated_at": now,
        "workflows": out,
    }


def _pre_exam_figures(scoped, start, end) -> dict:
    """Qualification rate of the reviews concluded in the year; grant time of the patents granted
    in the year, counted from the request (receipt) and from the formal filing at CNIPA.

    Reads the year's steps only (a range of ``ix_events_trigger_occurred_at``), and the filings
    of the cases granted in it, whenever they were filed (a December filing, a January grant):
    never the other years' events."""
    steps = db.session.execute(
        scoped(
            select(Event.case_id, Event.trigger, Event.occurred_at, Case.received_at)
            .join(Case, Case.id == Event.case_id)
            .where(
                Case.workflow == "pre_exam",
                Event.kind == "transition",
                Event.trigger.in_(("qualify", "disqualify", "record_grant")),
                Event.occurred_at >= start,
                Event.occurred_at < end,
            )
            .order_by(Event.id)
        )
    ).all()
    granted = {case_id for case_id, trigger, *_ in steps if trigger == "record_grant"}
    filed_at = {}
    if granted:
        filings = select(Event.case_id, Event.occurred_at).where(
            Event.case_id.in_(sorted(granted)),
            Event.kind == "transition",
            Event.trigger == "record_filing",
        )
        # A filing recorded again (after a correction) counts from the last one.
        for case_id, occurred_at in db.session.execute(filings.order_by(Event.id)):
            filed_at[case_id] = occurred_at
    qualified = disqualified = 0
    from_request, from_filing = [], []
    for case_id, trigger, occurred_at, received_at in steps:
        if trigger == "qualify":
            qualified += 1
        elif trigger == "disqualify":
            disqualified += 1
        elif trigger == "record_grant":
            from_request.append(_days(received_at, occurred_at))
            if case_id in filed_at:
                from_filing.append(_days(filed_at[case_id], occurred_at))
    reviewed = qualified + disqualified
    return {
        "qualified": qualified,
        "not_qualified": disqualified,
        "qualification_rate": round(qualified / reviewed, 4) if reviewed else None,
        "grant_days_from_request": _spread(from_request),
        "grant_days_from_filing": _spread(from_filing),
    }
