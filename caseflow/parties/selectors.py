"""Reads of the parties area: the public status of a case (parties.md §2), what a party's page
shows (§5), and a notice's service record as the API and the case page show it (§4).

Nothing here returns notes, staff names or the other party's contact details.
"""

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from flask import current_app, has_request_context, request
from sqlalchemy import select

import workflows
from caseflow.calendar.periods import due_compute, due_on_of
from caseflow.cases.models import Case, CaseLink, Event
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.extensions import db
from caseflow.notices.kinds import RECEIPT_CLOCKS, RECEIPT_RECORDED_BY_STEP
from caseflow.parties.models import NoticeDelivery, PartyConsent
from caseflow.parties.services import mask_address, party_receipt_date
from caseflow.search import code_as_typed
from caseflow.timeutil import iso, utcnow
from caseflow.translations.runtime import N_
from workflows._schema import BOTH_PARTIES

#: The clocks that set a party something to do, and whose they are (parties.md §2: "the next
#: deadline that concerns the party"). The centre's own clocks are not a party's deadline.
PARTY_CLOCKS = {
    "correction": ("complainant",),
    "revision": ("complainant",),
    "formal_filing": ("complainant",),
    "answer": ("respondent",),
    "fair_answer": ("respondent",),
    "consent": ("respondent",),
    "compliance": ("respondent",),
    "statement": ("respondent",),
    "payment": ("respondent",),
    "appeal": ("complainant", "respondent"),
    "confirmation_window": ("complainant", "respondent"),
}
#: The clocks that count from the party's receipt of a notice, by clock: the notice's kind
#: (parties.md §4). Until a service of it is recorded the party reads the rule, 自收到之日起15日内
#: (``Deadline.from_receipt``), never the date counted from the step that issued it; unless that
#: step records the receipt itself (``RECEIPT_RECORDED_BY_STEP``: the answer notice prints
#: 请于…前提交答辩书, and the page gives the same date).
RECEIPT_NOTICES = {clock: kind for kind, clock in RECEIPT_CLOCKS.items()}
#: Of those, the clocks that count from each party's own receipt of a ruling served on both (the
#: period to sue, Patent Law art 65: 15 days from *its* receipt). The case's clock runs from the
#: later service (the case closes when both periods are over); a party reads its own date, and a
#: reader who is no party reads the rule.
OWN_RECEIPT_CLOCKS = {
    clock: kind for clock, kind in RECEIPT_NOTICES.items() if len(PARTY_CLOCKS.get(clock, ())) > 1
}
#: How a period counted from the party's receipt is worded where no date can be given, by unit.
RECEIPT_RULES = {
    "days": "自收到之日起{n}日内",
    "workdays": "自收到之日起{n}个工作日内",
    "months": "自收到之日起{n}个月内",
}
#: A party's right that outlives the clock it is counted by, by the trigger that exercises it:
#: its label on the page. 行政处罚法 arts 63–64: a statement ends the statement period, not the
#: right to ask for a hearing within it (``request_hearing``'s ``clock_running`` guard with
#: ``or_ended_by``); a written waiver with the statement gives that right up.
KEPT_RIGHTS = {"request_hearing": N_("要求听证期限")}
#: The centre's own time limits a party is told of (the acceptance decision, the closing date):
#: shown as "the centre decides by", apart from what the party itself must do.
CENTRE_CLOCKS = (
    "acceptance",
    "review",
    "desk_review",
    "mediation",
    "closing",
    "decision_by_close",
    "post_fair",
)
#: The longest case number and code the lookup reads; anything longer names nothing.
MAX_NUMBER, MAX_CODE = 40, 16


def public_base_url() -> str:
    config = current_app.config
    base = config.get("CASEFLOW_PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    if not base and config.get("SERVER_NAME"):
        base = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    return (base or "").rstrip("/")


def public_status_url(case: Case) -> str:
    """``/status?number=…&code=…``: what the QR on a notice and the receipt opens."""
    query = urlencode({"number": case.number, "code": case.public_code})
    return f"{public_base_url()}/status?{query}"


def receipt_rule(period: str) -> str:
    """``15 days`` → 自收到之日起15日内: a party's period before its receipt is known."""
    count, _, unit = period.partition(" ")
    return RECEIPT_RULES[unit].format(n=count)


@dataclass
class Deadline:
    clock: str
    label: str
    #: None when the date depends on a receipt not known here (``from_receipt``).
    due_at: datetime | None
    #: The last day (the instant is 24:00 of it): what a person reads.
    due_on: date | None
    parties: tuple
    provisional: bool
    #: An hours or fixed-instant clock: read the instant, not the day.
    by_hour: bool = False
    #: The period (``15 days``) when it runs from the reader's own receipt and no date is given.
    from_receipt: str | None = None


@dataclass
class HandOver:
    """A case the one looked up went on to, as its parties may see it: which procedure, its
    number, the unit that has it and its stage. Nothing else of it (its status code, parties and
    steps are its own page's)."""

    workflow: str
    workflow_label: str
    number: str
    unit: str
    state: str
    state_label: str


@dataclass
class PublicStatus:
    number: str
    workflow: str
    workflow_label: str
    state: str
    state_label: str
    is_closed: bool
    received_at: datetime
    closed_at: datetime | None
    #: (state label, occurred_at) of each change of stage, oldest first.
    steps: list = field(default_factory=list)
    #: The running clocks that set a party something to do, soonest first.
    deadlines: list = field(default_factory=list)
    #: The centre's next time limit the parties are told of (e.g. the acceptance decision).
    centre_deadline: Deadline | None = None
    #: The cases this one went on to (an intake routed onwards, a referral, a failed mediation):
    #: ``HandOver`` rows, oldest first.
    handed_over: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "workflow": self.workflow,
            "workflow_label": self.workflow_label,
            "state": self.state,
            "state_label": self.state_label,
            "is_closed": self.is_closed,
            "received_at": iso(self.received_at),
            "closed_at": iso(self.closed_at),
            "stages": [{"label": label, "at": iso(at)} for label, at in self.steps],
            "next_deadline": self._deadline_json(self.deadlines[0]) if self.deadlines else None,
            "deadlines": [self._deadline_json(d) for d in self.deadlines],
            "centre_deadline": self._deadline_json(self.centre_deadline)
            if self.centre_deadline
            else None,
            "handed_over": [vars(h) for h in self.handed_over],
        }

    @staticmethod
    def _deadline_json(d: Deadline) -> dict:
        return {
            "clock": d.clock,
            "label": d.label,
            "due_at": iso(d.due_at),
            "due_on": d.due_on.isoformat() if d.due_on else None,
            "parties": list(d.parties),
            "provisional": d.provisional,
            # A period each party counts from its own receipt: the rule, not one date.
            "rule": receipt_rule(d.from_receipt) if d.from_receipt else None,
        }


def case_by_public_code(number, code) -> Case | None:
    """The case a number and status code name; None for an unknown number and for a wrong code
    alike (the caller answers both the same way). The code compares in constant time."""
    if not isinstance(number, str) or not isinstance(code, str):
        return None
    number, code = number.strip().upper(), code_as_typed(code)
    if not number or not code or len(number) > MAX_NUMBER or len(code) > MAX_CODE:
        return None
    case = db.session.scalar(select(Case).where(Case.number == number))
    expected = case.public_code if case is not None else "0" * 10
    if not hmac.compare_digest(expected.encode(), code.encode()) or case is None:
        return None
    return case


def case_public_status(case: Case, *, role: str | None = None) -> PublicStatus:
    """What the public page (or a party's page, for ``role``) shows of ``case``."""
    wf = workflows.get(case.workflow)
    state = workflows.state(wf, case.state)
    steps = []
    events = db.session.scalars(
        select(Event)
        .where(Event.case_id == case.id, Event.kind == "transition")
        .order_by(Event.occurred_at, Event.id)
    )
    for event in events:
        if event.to_state != event.from_state:
            to = workflows.state(wf, event.to_state)
            steps.append((to.label if to else event.to_state, event.occurred_at))
    labels = {c.name: c.label for c in wf.CLOCKS}
    deadlines, centre = [], None
    clocks = db.session.scalars(
        select(Clock)
        .where(Clock.case_id == case.id, Clock.status == "running")
        .order_by(Clock.due_at)
    )
    for clock in clocks:
        parties = PARTY_CLOCKS.get(clock.name)
        if centre is None and clock.name in CENTRE_CLOCKS:
            centre = Deadline(
                clock=clock.name,
                label=labels.get(clock.name, clock.name),
                due_at=clock.due_at,
                due_on=due_on_of(clock.due_at),
                parties=(),
                provisional=clock.provisional,
                by_hour=clock.period_unit in ("hours", "fixed"),
            )
        if not parties or (role is not None and role not in parties):
            continue
        if clock.name in OWN_RECEIPT_CLOCKS:
            deadlines.append(_own_period(clock, labels.get(clock.name, clock.name), role))
            continue
        if (
            clock.name in RECEIPT_NOTICES
            and RECEIPT_NOTICES[clock.name] not in RECEIPT_RECORDED_BY_STEP
            and _notice_received(clock, None) is None
        ):
            # Not served yet: the period runs from a receipt no one knows (parties.md §4).
            deadlines.append(
                Deadline(
                    clock=clock.name,
                    label=labels.get(clock.name, clock.name),
                    due_at=None,
                    due_on=None,
                    parties=parties,
                    provisional=False,
                    from_receipt=clock.period,
                )
            )
            continue
        deadlines.append(
            Deadline(
                clock=clock.name,
                label=labels.get(clock.name, clock.name),
                due_at=clock.due_at,
                due_on=due_on_of(clock.due_at),
                parties=parties,
                provisional=clock.provisional,
                by_hour=clock.period_unit in ("hours", "fixed"),
            )
        )
    deadlines += _kept_rights(case, wf, role)
    # A party's own period may end before or after the case's clock it was listed by.
    deadlines.sort(key=lambda d: (d.due_at is None, d.due_at.timestamp() if d.due_at else 0))
    return PublicStatus(
        number=case.number,
        workflow=case.workflow,
        workflow_label=wf.LABEL,
        state=case.state,
        state_label=state.label if state else case.state,
        is_closed=case.is_closed,
        received_at=case.received_at,
        closed_at=case.closed_at,
        steps=steps,
        deadlines=deadlines,
        centre_deadline=centre,
        handed_over=_handed_over(case),
    )


def _handed_over(case: Case) -> list[HandOver]:
    """The cases ``case`` opened (``CaseLink`` from it): closed by the hand-over, the source would
    otherwise tell its parties nothing of where their matter went."""
    targets = db.session.scalars(
        select(Case)
        .join(CaseLink, CaseLink.target_id == Case.id)
        .where(CaseLink.source_id == case.id)
        .order_by(CaseLink.id)
    )
    out = []
    for target in targets:
        wf = workflows.get(target.workflow)
        state = workflows.state(wf, target.state)
        out.append(
            HandOver(
                workflow=target.workflow,
                workflow_label=wf.LABEL,
                number=target.number,
                unit=target.unit.name,
                state=target.state,
                state_label=state.label if state else target.state,
            )
        )
    return out


def _kept_rights(case: Case, wf, role: str | None) -> list[Deadline]:
    """The ``KEPT_RIGHTS`` the party (``role``; None: any) may still exercise on ``case`` now,
    each with the last day of the period it is counted by: a step of the case's state whose
    ``clock_running`` guard passes because a step of its ``or_ended_by`` stopped the clock
    early and the clock's due is still ahead (the engine's test), unless that step recorded the
    party's waiver of the rest of the period (the field a ``clock_expired`` guard of the
    workflow reads as ``or_waived_by``)."""
    now, rights = utcnow(), []
    for transition in wf.TRANSITIONS:
        label = KEPT_RIGHTS.get(transition.trigger)
        if label is None or case.state not in transition.sources:
            continue
        for guard in transition.guards:
            name, ended_by = guard.params.get("clock"), guard.params.get("or_ended_by")
            parties = PARTY_CLOCKS.get(name, ())
            if guard.name != "clock_running" or not ended_by or not parties:
                continue
            if role is not None and role not in parties:
                continue
            clock = db.session.scalars(
                select(Clock)
                .where(Clock.case_id == case.id, Clock.name == name)
                .order_by(Clock.id.desc())
                .limit(1)
            ).first()
            # A running clock is listed as itself; one run out leaves nothing to do.
            if clock is None or clock.status not in ("met", "breached") or clock.due_at <= now:
                continue
            stopped_by = db.session.scalar(
                select(Event)
                .join(ClockEntry, ClockEntry.event_id == Event.id)
                .where(ClockEntry.clock_id == clock.id, ClockEntry.action == "stop")
                .limit(1)
            )
            if stopped_by is None or stopped_by.trigger not in ended_by:
                continue  # ended by the right itself (a hearing asked for) or by another step
            if any((stopped_by.data or {}).get(field) for field in _waiver_fields(wf, name)):
                continue
            rights.append(
                Deadline(
                    clock=name,
                    label=label,
                    due_at=clock.due_at,
                    due_on=due_on_of(clock.due_at),
                    parties=parties,
                    provisional=clock.provisional,
                    by_hour=clock.period_unit in ("hours", "fixed"),
                )
            )
    return rights


def _waiver_fields(wf, clock: str) -> set[str]:
    """The fields in which a step stopping ``clock`` records the party's waiver of the rest of
    its period (a ``clock_expired`` guard's ``or_waived_by`` on that clock)."""
    return {
        guard.params["or_waived_by"]
        for transition in wf.TRANSITIONS
        for guard in transition.guards
        if guard.name == "clock_expired"
        and guard.params.get("clock") == clock
        and guard.params.get("or_waived_by")
    }


def _own_period(clock: Clock, label: str, role: str | None) -> Deadline:
    """The period of ``clock`` (one of ``OWN_RECEIPT_CLOCKS``) as party ``role`` counts it: from
    its own receipt of the ruling, by the clock's period and calendar; the rule while that party
    is not served, and always for a reader who is no party (``role`` None)."""
    from caseflow.clocks.services import clock_calendar

    received = _notice_received(clock, role) if role is not None else None
    parties = (role,) if role is not None else PARTY_CLOCKS[clock.name]
    if received is None or not clock.period:
        return Deadline(
            clock=clock.name,
            label=label,
            due_at=None,
            due_on=None,
            parties=parties,
            provisional=False,
            from_receipt=clock.period,
        )
    result = due_compute(received, clock.period, calendar=clock_calendar(clock))
    return Deadline(
        clock=clock.name,
        label=label,
        due_at=result.due_at,
        due_on=due_on_of(result.due_at),
        parties=parties,
        provisional=result.provisional,
    )


def _notice_received(clock: Clock, role: str | None) -> datetime | None:
    """When party ``role`` (for a ruling served on both; None: its addressee) received the notice
    whose step started ``clock`` (or a correction of it): None while it is not served on it."""
    from caseflow.notices.models import Notice

    started_by = (
        select(ClockEntry.event_id)
        .where(ClockEntry.clock_id == clock.id, ClockEntry.action == "start")
        .order_by(ClockEntry.id)
        .limit(1)
        .scalar_subquery()
    )
    notice = db.session.scalar(
        select(Notice)
        .where(
            Notice.case_id == clock.case_id,
            Notice.event_id == started_by,
            Notice.kind == RECEIPT_NOTICES[clock.name],
        )
        .order_by(Notice.id.desc())
        .limit(1)
    )
    return party_receipt_date(notice, role) if notice is not None else None


def notice_deliveries(notice_id: int) -> list[NoticeDelivery]:
    return list(
        db.session.scalars(
            select(NoticeDelivery)
            .where(NoticeDelivery.notice_id == notice_id)
            .order_by(NoticeDelivery.id)
        )
    )


def case_deliveries(case_id: str) -> dict[int, list[NoticeDelivery]]:
    """Every service row of a case's notices, by notice, in one query (a case page or a case's
    JSON lists them for each of its notices)."""
    by_notice: dict[int, list[NoticeDelivery]] = {}
    for row in db.session.scalars(
        select(NoticeDelivery).where(NoticeDelivery.case_id == case_id).order_by(NoticeDelivery.id)
    ):
        by_notice.setdefault(row.notice_id, []).append(row)
    return by_notice


def delivery_json(row: NoticeDelivery) -> dict:
    return {
        "method": row.method,
        "address": mask_address(row.address) if row.method in ("email", "sms") else "",
        "status": row.status,
        "delivered_at": iso(row.delivered_at),
        "opened_at": iso(row.opened_at),
        "proof": row.proof,
        "attempts": row.attempts,
        "last_error": row.last_error,
    }


def notice_delivery_json(notice, rows: list[NoticeDelivery] | None = None) -> dict | None:
    """The notice's ``delivery`` (parties.md §4): the service that counts (paper recorded, else
    e-mail, else SMS), and every attempt under ``all``; None when nothing was sent or recorded.
    ``rows``: its service rows when already read (``case_deliveries``)."""
    if rows is None:
        rows = notice_deliveries(notice.id)
    if not rows:
        return None
    order = {"post": 0, "in_person": 0, "public_notice": 0, "email": 1, "sms": 2}
    sent = [r for r in rows if r.status == "sent"]
    if sent:
        best = sorted(sent, key=lambda r: (order[r.method], -r.id if order[r.method] == 0 else r.id))[0]
    else:
        best = sorted(rows, key=lambda r: (order[r.method], r.id))[0]
    opened = [r.opened_at for r in rows if r.opened_at]
    result = delivery_json(best)
    result["opened_at"] = iso(min(opened)) if opened else None
    result["all"] = [delivery_json(r) for r in rows]
    return result


def party_consent_json(consent: PartyConsent | None) -> dict:
    if consent is None:
        return {"consent": False, "email": None, "phone": None, "updated_at": None}
    return {
        "consent": consent.consent,
        "email": mask_address(consent.email or "") or None,
        "phone": mask_address(consent.phone or "") or None,
        "updated_at": iso(consent.updated_at),
    }


def party_notices(case: Case, role: str) -> list:
    """The issued notices addressed to ``role`` on ``case`` (what that party received)."""
    from caseflow.notices.models import Notice

    notices = db.session.scalars(
        select(Notice)
        .where(Notice.case_id == case.id, Notice.status == "issued")
        .order_by(Notice.id)
    )
    # A ruling (BOTH_PARTIES) is served on each side.
    return [n for n in notices if (n.addressee or {}).get("role") in (role, BOTH_PARTIES)]
