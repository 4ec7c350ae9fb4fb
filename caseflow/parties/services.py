"""Writes of the parties area (parties.md): filing online, party links, consent to electronic
service, queuing and recording the service of notices, re-timing the clocks that count from a
party's receipt, and a party's own submissions through its link."""

import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, select

import workflows
from caseflow.cases.locks import case_lock
from caseflow.cases.models import Case, Event
from caseflow.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    StateConflict,
    ValidationFailed,
)
from caseflow.extensions import db
from caseflow.notices.kinds import RECEIPT_CLOCKS
from caseflow.parties.models import (
    PAPER_METHODS,
    PARTY_ROLES,
    NoticeDelivery,
    PartyConsent,
    PartyLink,
)
from caseflow.timeutil import (
    chinese_date,
    instant_reason,
    iso,
    local_date,
    local_zone,
    parse_day,
    parse_instant,
    utcnow,
)
from workflows._schema import BOTH_PARTIES

log = logging.getLogger(__name__)

#: A party's link stops working this long after its case became final (parties.md §5).
LINK_LIFETIME_AFTER_CLOSE = timedelta(days=90)
#: Evidence a party or a filer may send at once (parties.md §1).
MAX_FILES = 10
#: Free text a party types (facts, an answer, a statement): about ten pages.
MAX_TEXT = 20_000

#: Which trigger a party's submission fires, by (workflow, state, role) (parties.md §5).
PARTY_ACTIONS = {
    ("adjudication", "awaiting_answer", "respondent"): "receive_answer",
    ("penalty", "intent_notified", "respondent"): "receive_statement",
    ("intake", "needs_correction", "complainant"): "submit_correction",
    ("adjudication", "needs_correction", "complainant"): "submit_correction",
    ("fair_complaint", "needs_supplement", "complainant"): "supplement",
}
#: What the party's page calls each submission.
ACTION_LABELS = {
    "receive_answer": ("提交答辩书", "Submit your answer"),
    "receive_statement": ("提交陈述申辩意见", "Submit your statement"),
    "submit_correction": ("提交补正材料", "Submit the correction"),
    "supplement": ("补充材料", "Submit the supplement"),
}



class LinkGone(DomainError):
    """An expired or revoked party link: the page says so rather than "not found"."""

    status = 410
    code = "link_gone"


# -- actors that are not users ------------------------------------------------------------------


@dataclass(frozen=True)
class PartyActor:
    """A party acting through its own link: fires only the triggers of ``party_triggers``, on its
    own case; the audit event names it ``party:<role>`` (no user row)."""

    side: str
    unit_id: int
    party_triggers: tuple = field(default=())
    id: None = None
    role: str = "party"

    @property
    def username(self) -> str:
        return f"party:{self.side}"

    @property
    def actor_name(self) -> str:
        return self.username

    def can_see_unit(self, unit_id) -> bool:
        return unit_id == self.unit_id


# -- validation helpers -------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,24}$")


def clean_email(value, errors: dict, name: str = "email") -> str | None:
    if value is None or value == "":
        return None
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        errors[name] = "电子邮箱格式不正确 / not an e-mail address"
        return None
    return value


def clean_phone(value, errors: dict, name: str = "phone") -> str | None:
    if value is None or value == "":
        return None
    value = value.strip()
    if not _PHONE.match(value) or not 6 <= sum(c.isdigit() for c in value) <= 20:
        errors[name] = "手机号码格式不正确 / not a phone number"
        return None
    return re.sub(r"[ \-]", "", value)


def mask_address(address: str) -> str:
    """An address as the API and the party's page show it: enough to recognise, not to use."""
    if not address:
        return ""
    if "@" in address:
        local, _, domain = address.partition("@")
        return (local[:1] + "***" + (local[-1:] if len(local) > 2 else "")) + "@" + domain
    return address[:3] + "****" + address[-4:] if len(address) > 7 else "****" + address[-2:]


def _role(role) -> str:
    if role not in PARTY_ROLES:
        raise NotFound(
            "当事人角色应为 complainant 或 respondent",
            message_en="the party role is complainant or respondent",
            fields={"role": "complainant | respondent"},
        )
    return role


# -- party links --------------------------------------------------------------------------------


def _token_of(salt: str) -> str:
    """256 bits: an HMAC of the link's salt under SECRET_KEY, URL-safe."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"party-link:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def party_link_token(link: PartyLink) -> str:
    return _token_of(link.salt)


def party_link_url(token: str) -> str:
    base = current_app.config.get("CASEFLOW_PUBLIC_URL") or ""
    return f"{base.rstrip('/')}/p/{token}"


def party_link_ensure(case: Case, role: str) -> tuple[PartyLink, str]:
    """The party's active link to ``case`` and its token; a new one when there is none. In the
    caller's transaction."""
    role = _role(role)
    link = db.session.scalar(
        select(PartyLink)
        .where(PartyLink.case_id == case.id, PartyLink.role == role, PartyLink.revoked_at.is_(None))
        .order_by(PartyLink.id.desc())
    )
    if link is None:
        salt = secrets.token_hex(16)
        link = PartyLink(case_id=case.id, role=role, salt=salt, token_hash=_hash(_token_of(salt)))
        db.session.add(link)
        db.session.flush()
    return link, party_link_token(link)


def party_link_open(token: str, *, now: datetime | None = None) -> PartyLink:
    """The link a token names, if it still works; ``LinkGone`` (410) when revoked or expired,
    ``NotFound`` otherwise. Compares hashes, so the lookup leaks nothing by its timing."""
    now = now or utcnow()
    if not isinstance(token, str) or not 20 <= len(token) <= 100 or "\x00" in token:
        raise NotFound("链接无效", message_en="this link is not valid")
    link = db.session.scalar(select(PartyLink).where(PartyLink.token_hash == _hash(token)))
    if link is None:
        raise NotFound("链接无效", message_en="this link is not valid")
    if link.revoked_at is not None:
        raise LinkGone(
            "该链接已被撤销，请与承办人联系获取新链接",
            message_en="this link was revoked; ask the case handler for a new one",
        )
    if _links_expired(link.case, now):
        raise LinkGone(
            "该链接已过期（案件办结满90日）",
            message_en="this link has expired (90 days after the case was closed)",
        )
    return link


def _links_expired(case: Case, now: datetime) -> bool:
    """Whether the case's party links no longer work: its final state is 90 days old."""
    return bool(case.is_closed and case.closed_at and now > case.closed_at + LINK_LIFETIME_AFTER_CLOSE)


def party_link_issue(*, case: Case, role: str, actor, now: datetime | None = None) -> str:
    """The caseworker asks for the party's link (to print or send): its token, the same link
    until it is revoked. Refused (409) once the case's links have expired: the link would answer
    410 at once. In the caller's transaction."""
    _check_staff(case, actor)
    if _links_expired(case, now or utcnow()):
        raise StateConflict(
            "案件办结已满90日，当事人链接已失效，不能再生成",
            message_en="the case was closed more than 90 days ago: party links no longer work",
        )
    _link, token = party_link_ensure(case, role)
    return token


def party_link_revoke(*, case: Case, role: str, actor, now: datetime | None = None) -> int:
    """The caseworker ends the party's links to ``case`` (a new one is made with the next
    notice or on request). Audited; the caller commits. Returns how many were revoked."""
    role = _role(role)
    _check_staff(case, actor)
    now = now or utcnow()
    links = db.session.scalars(
        select(PartyLink).where(
            PartyLink.case_id == case.id, PartyLink.role == role, PartyLink.revoked_at.is_(None)
        )
    ).all()
    for link in links:
        link.revoked_at, link.revoked_by_id = now, actor.id
    db.session.add(
        Event(
            case_id=case.id,
            kind="party_link",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            note=f"撤销当事人链接（{party_label(case.workflow, role)}）",
            data={"role": role, "revoked": len(links)},
        )
    )
    db.session.flush()
    return len(links)


# -- consent to electronic service --------------------------------------------------------------

#: Staff who record a party's consent (parties.md §3: the caseworker or desk officer of the unit).
CONSENT_ROLES = ("caseworker", "desk_officer")


def _check_staff(case: Case, actor) -> None:
    if actor is None or actor.role not in (*CONSENT_ROLES, "supervisor"):
        raise PermissionDenied(
            "须由承办人或窗口人员办理", message_en="a caseworker or desk officer does this"
        )
    if not actor.can_see_unit(case.unit_id):
        raise PermissionDenied(
            "无权办理其他单位的案件", message_en="this case belongs to another unit"
        )


def party_consent_get(case_id: str, role: str) -> PartyConsent | None:
    return db.session.scalar(
        select(PartyConsent).where(PartyConsent.case_id == case_id, PartyConsent.role == role)
    )


def delivery_consent_set(
    *, case: Case, role: str, email=None, phone=None, consent=True, by, blank_keeps=False, drop=()
) -> PartyConsent:
    """Record (or withdraw) a party's consent to electronic service at ``email``/``phone``.

    ``by`` is a ``User`` (caseworker or desk officer of the unit), a ``PartyActor`` of that
    party, or the string ``"public"`` (the filing form). One ``delivery_consent`` audit event per
    change. After a withdrawal notices go on paper again. Flushed; the caller commits.

    ``blank_keeps`` (the party's page, which shows the addresses masked and never in its
    fields): an address left blank keeps that channel of a consent given as it is, and ``drop``
    names the channels (``email``, ``phone``) to stop.
    """
    role = _role(role)
    if isinstance(by, PartyActor):
        if by.side != role or by.unit_id != case.unit_id:
            raise PermissionDenied("只能修改本方的送达方式", message_en="only your own consent")
        actor_id, actor_name = None, by.actor_name
    elif by == "public":
        actor_id, actor_name = None, "public"
    else:
        if by is None or by.role not in CONSENT_ROLES or not by.can_see_unit(case.unit_id):
            raise PermissionDenied(
                "须由本单位承办人或窗口人员办理",
                message_en="a caseworker or desk officer of the case's unit does this",
            )
        actor_id, actor_name = by.id, None
    errors: dict = {}
    email = clean_email(email, errors)
    phone = clean_phone(phone, errors)
    record = party_consent_get(case.id, role)
    if blank_keeps and consent:
        email, phone = _addresses_kept(record, email, phone, drop, errors)
        if not errors and not (email or phone) and record is not None and record.consent:
            errors["email"] = (
                "同意电子送达须保留电子邮箱或手机号码；不再电子送达的，请撤回电子送达同意"
                " / keep an e-mail or a phone, or withdraw the consent to electronic service"
            )
    if consent is True and not errors and not (email or phone):
        errors["email"] = "同意电子送达须提供电子邮箱或手机号码 / e-mail or phone required"
    if errors:
        # Each message in one language; a page names the fields by their labels (fields_summary).
        reasons = [str(reason).partition(" / ") for reason in errors.values()]
        raise ValidationFailed(
            "送达地址确认信息有误：" + "；".join(chinese for chinese, _sep, _en in reasons),
            message_en="invalid delivery address: " + "; ".join(en or zh for zh, _sep, en in reasons),
            fields=errors,
        )
    now = utcnow()
    if record is None:
        record = PartyConsent(case_id=case.id, role=role)
        db.session.add(record)
    if consent or email or phone:
        record.email, record.phone = email, phone
    record.consent = consent
    record.updated_at = now
    record.updated_by = actor_name or f"user:{by.username}"
    _consent_event(
        case,
        record,
        ("同意电子送达" if consent else "撤回电子送达同意"),
        now=now,
        actor_id=actor_id,
        actor_name=actor_name,
    )
    db.session.flush()
    log.info("case %s: %s consent to e-service %s", case.number, role, consent)
    return record


#: Each channel of electronic service: its address field, and how the party's page names the
#: box that stops it.
_CHANNELS = (("email", "不再通过电子邮件送达"), ("phone", "不再通过短信送达"))


def _addresses_kept(record, email, phone, drop, errors: dict) -> tuple:
    """(e-mail, phone) after a change on the party's page: a blank address keeps the channel of
    the consent in force, a channel in ``drop`` stops; an address typed beside its stop box is
    refused in ``errors`` (which of the two was meant cannot be told)."""
    current = record if record is not None and record.consent else None
    typed = {"email": email, "phone": phone}
    kept = {}
    for channel, stop in _CHANNELS:
        if channel in drop and typed[channel]:
            errors[channel] = (
                f"已勾选“{stop}”，请不要同时填写新地址 / you ticked to stop this channel and "
                "typed a new address: do one or the other"
            )
        if channel in drop:
            kept[channel] = None
        else:
            kept[channel] = typed[channel] or (getattr(current, channel) if current else None)
    return kept["email"], kept["phone"]


def _consent_event(case, record, what: str, *, now, actor_id=None, actor_name=None, **data):
    """The ``delivery_consent`` audit event of ``record`` on ``case``: ``what`` happened, to
    which party, and the addresses masked (staff read the audit)."""
    db.session.add(
        Event(
            case_id=case.id,
            kind="delivery_consent",
            actor_id=actor_id,
            actor_name=actor_name,
            occurred_at=now,
            recorded_at=now,
            note=f"{what}（{party_label(case.workflow, record.role)}）",
            data={
                "role": record.role,
                "consent": record.consent,
                "email": mask_address(record.email or ""),
                "phone": mask_address(record.phone or ""),
                **data,
            },
        )
    )


def consents_carry_over(source: Case, target: Case) -> None:
    """``target``, opened from ``source`` (a complaint routed to adjudication), keeps its parties'
    consent to electronic service: the same parties at the same addresses (parties.md §3: consent
    given on the online filing form). One ``delivery_consent`` event per party, as on a change."""
    now = utcnow()
    for consent in db.session.scalars(
        select(PartyConsent).where(PartyConsent.case_id == source.id).order_by(PartyConsent.role)
    ):
        db.session.add(
            PartyConsent(
                case_id=target.id,
                role=consent.role,
                email=consent.email,
                phone=consent.phone,
                consent=consent.consent,
                updated_at=now,
                updated_by=consent.updated_by,
            )
        )
        _consent_event(
            target,
            consent,
            f"沿用 {source.number} 的送达地址确认："
            + ("同意电子送达" if consent.consent else "未同意电子送达"),
            now=now,
            actor_name="system",
            from_case=source.number,
        )
    db.session.flush()


def party_label(workflow: str, role: str) -> str:
    """How ``workflow`` names the party ``role`` (请求人, 被投诉人…), never its key."""
    complainant, respondent = workflows.PARTY_LABELS.get(workflow, ("投诉人", "被投诉人"))
    return complainant if role == "complainant" else respondent


# -- electronic service: queued with the notice -------------------------------------------------


#: A party's consent and addresses, as the deliveries of a notice read them: the columns, not the
#: row (every step that issues a notice runs it, and the statement is built once).
_CONSENT_ADDRESSES = (
    select(PartyConsent.__table__.c["consent", "email", "phone"])
    .where(PartyConsent.__table__.c.case_id == bindparam("case_id"))
    .where(PartyConsent.__table__.c.role == bindparam("role"))
)


def notice_deliveries_queue(notice) -> list[NoticeDelivery]:
    """Called by ``notice_queue`` inside the transition: a notice addressed to a party that
    consented to electronic service gets one outbox row per address (e-mail, SMS). The
    scheduler sends them once the PDF is issued (parties.md §4)."""
    rows = []
    for role in served_roles(notice):
        consent = db.session.execute(
            _CONSENT_ADDRESSES, {"case_id": notice.case_id, "role": role}
        ).first()
        if consent is None or not consent.consent:
            continue
        for method, address in (("email", consent.email), ("sms", consent.phone)):
            if address:
                row = NoticeDelivery(
                    notice_id=notice.id,
                    case_id=notice.case_id,
                    role=role,
                    method=method,
                    address=address,
                    status="pending",
                    next_attempt_at=utcnow(),
                )
                db.session.add(row)
                rows.append(row)
    return rows


def served_roles(notice) -> tuple[str, ...]:
    """The parties ``notice`` is served on: its addressee, or both sides of a ruling."""
    role = (notice.addressee or {}).get("role")
    if role == BOTH_PARTIES:
        return PARTY_ROLES
    return (role,) if role in PARTY_ROLES else ()


def served_party_name(notice, role: str | None) -> str:
    """The name of the party ``role`` of a ruling served on both sides, else the addressee's."""
    addressee = notice.addressee or {}
    if addressee.get("role") == BOTH_PARTIES and role in PARTY_ROLES:
        return ((addressee.get("parties") or {}).get(role) or {}).get("name") or ""
    return addressee.get("name") or ""


# -- the date of service, and the clocks that count from it ------------------------------------


def service_date(notice_id: int, role: str | None = None) -> datetime | None:
    """The notice's date of service (on party ``role``, for a ruling served on both): a paper
    service recorded by the caseworker, else the earliest e-mail accepted by the party's server,
    else the earliest SMS the gateway took (an SMS is the date of service only when no e-mail is
    sent or still on its way)."""
    query = select(NoticeDelivery).where(NoticeDelivery.notice_id == notice_id)
    if role is not None:
        query = query.where(NoticeDelivery.role == role)
    every = db.session.scalars(query).all()
    rows = [r for r in every if r.status == "sent"]
    paper = [r for r in rows if r.method in PAPER_METHODS]
    if paper:  # the caseworker's record is the last word
        return max(paper, key=lambda r: r.id).delivered_at
    emails = [r.delivered_at for r in rows if r.method == "email" and r.delivered_at]
    if emails:
        return min(emails)
    if any(r.method == "email" and r.status in ("pending", "sending") for r in every):
        return None  # the e-mail may still arrive: it, not the SMS, is the service
    texts = [r.delivered_at for r in rows if r.method == "sms" and r.delivered_at]
    if texts:
        return min(texts)
    return None


def replacement_chain(notice) -> list:
    """``notice`` and the notices it corrects (``replaces_id``), newest first."""
    chain, seen = [notice], {notice.id}
    while chain[-1].replaces_id is not None and chain[-1].replaces_id not in seen:
        chain.append(chain[-1].replaces)
        seen.add(chain[-1].id)
    return chain


def party_receipt_date(notice, role: str | None = None) -> datetime | None:
    """When party ``role`` received the text of ``notice``: the earliest service on it of the
    notice or of any notice it corrects. A correction served on a party already served with the
    notice it corrects restarts nothing: the party had the text, and its period, from then."""
    served = [at for n in replacement_chain(notice) if (at := service_date(n.id, role)) is not None]
    return min(served, default=None)


def receipt_date(notice) -> datetime | None:
    """The date a clock counting from the receipt of ``notice`` runs from: its party's receipt,
    and for a ruling served on both sides the later of the two received so far (the period to
    sue runs out for the case only when it has for each party)."""
    if (notice.addressee or {}).get("role") != BOTH_PARTIES:
        return party_receipt_date(notice)
    served = [at for role in PARTY_ROLES if (at := party_receipt_date(notice, role)) is not None]
    return max(served, default=None)


def receipt_clocks_retime(notice, *, at: datetime) -> list[Event]:
    """Re-time the clock that counts from the party's receipt of ``notice`` to ``at``, as actor
    ``system``: one ``clock`` audit event naming the clock, the old and the new due date. Only
    the clock the notice's own step started is moved. In the caller's transaction."""
    from caseflow.clocks.models import ClockEntry
    from caseflow.clocks.services import clock_retime

    name = RECEIPT_CLOCKS.get(notice.kind)
    if name is None or notice.event_id is None:
        return []
    clock = _active_clock(notice.case_id, name)
    if clock is None:
        return []
    started_by = db.session.scalar(
        select(ClockEntry.event_id).where(
            ClockEntry.clock_id == clock.id, ClockEntry.action == "start"
        )
    )
    if started_by != notice.event_id or clock.started_at == at:
        return []
    case = notice.case
    before = clock.due_at
    # The clock by its name (答辩期限), as the timeline shows the note: never its code.
    label = _clock_label(workflows.WORKFLOWS.get(case.workflow), name)
    event = _system_clock_event(
        case, at, f"按送达日期重新起算{label}（{notice.title} {notice.document_number}）"
    )
    moved = clock_retime(case, name, started_at=at, event=event, note=event.note)
    if moved is None:
        db.session.expunge(event)
        return []
    from caseflow.clocks.services import case_refresh_next_due

    case_refresh_next_due(case)
    event.data = {
        "clock": name,
        "notice_id": notice.id,
        "served_at": iso(at),
        "due_before": iso(before),
        "due_after": iso(moved.due_at),
    }
    log.info("case %s: clock %s re-timed to %s", case.number, name, iso(at))
    return [event]


def service_clocks_stop(notice, *, at: datetime) -> list[Event]:
    """End the clocks the service of ``notice`` ends (``NoticeSpec.stops_on_service`` of the step
    that issued it: the penalty decision's 送达期限), met or breached at ``at``, as actor
    ``system``: one ``clock`` audit event per clock. In the caller's transaction."""
    from caseflow.clocks.services import case_refresh_next_due, clock_stop

    issued_by = db.session.get(Event, notice.event_id) if notice.event_id else None
    wf = workflows.WORKFLOWS.get(notice.case.workflow)
    row = workflows.transition(wf, issued_by.trigger) if wf and issued_by else None
    if row is None or row.notice is None or row.notice.kind != notice.kind:
        return []
    case, events = notice.case, []
    for name in row.notice.stops_on_service:
        if _active_clock(case.id, name) is None:
            continue
        # The clock by its name (送达期限), as the timeline shows the note: never its code.
        event = _system_clock_event(
            case, at, f"文书已送达，{_clock_label(wf, name)}届止（{notice.title} {notice.document_number}）"
        )
        stopped = clock_stop(case, name, at=at, event=event, note=event.note)
        assert stopped is not None  # active, just read
        event.data = {
            "clock": name,
            "notice_id": notice.id,
            "served_at": iso(at),
            "status": stopped.status,
        }
        events.append(event)
        log.info("case %s: clock %s %s at service", case.number, name, stopped.status)
    if events:
        case_refresh_next_due(case)
    return events


def _active_clock(case_id: int, name: str):
    """The case's clock ``name`` while it still counts (running or paused), else None."""
    from caseflow.clocks.models import Clock

    return db.session.scalar(
        select(Clock).where(
            Clock.case_id == case_id,
            Clock.name == name,
            Clock.status.in_(("running", "paused")),
        )
    )


def _system_clock_event(case, at: datetime, note: str) -> Event:
    """The ``clock`` audit event a service writes as actor ``system``, added to the session."""
    event = Event(
        case_id=case.id,
        kind="clock",
        actor_id=None,
        actor_name="system",
        occurred_at=at,
        recorded_at=utcnow(),
        note=note,
    )
    db.session.add(event)
    return event


def _clock_label(wf, name: str) -> str:
    definition = workflows.clock(wf, name) if wf else None
    return definition.label if definition else name


def notice_served(notice, *, at: datetime) -> list[Event]:
    """What the service of ``notice`` on ``at`` changes (parties.md §4): the clock counting from
    the party's receipt is re-timed to it, and the clocks its service ends are stopped."""
    # A ruling served on both sides counts from the later service (receipt_date).
    received = receipt_date(notice) or at
    return receipt_clocks_retime(notice, at=received) + service_clocks_stop(notice, at=at)


def _served_instant(served_at, notice, now, errors) -> datetime | None:
    """The instant of a paper service. A bare date (the case page's date form, an API client's
    ``2026-12-01``) is served that day: at noon, but never before the notice was issued nor after
    now, so the day the notice is issued and handed over is a valid day of service."""
    if isinstance(served_at, datetime):
        return served_at
    if not (isinstance(served_at, str) and served_at.strip()):
        errors["served_at"] = "必填 / required"
        return None
    text = served_at.strip()
    try:
        if len(text) != 10:
            return parse_instant(text)
        day = parse_day(text)
    except ValueError as exc:
        errors["served_at"] = instant_reason(exc)
        return None
    at = datetime.combine(day, time(12), tzinfo=local_zone()).astimezone(UTC)
    if day == local_date(notice.issued_at):
        at = max(at, notice.issued_at)
    if day == local_date(now):
        at = min(at, now)
    return at


def notice_service_record(
    *, notice, served_at, method, actor, note: str = "", party: str | None = None
) -> NoticeDelivery:
    """The caseworker records a paper service (post, in person, public notice) and its date;
    the receipt clock is re-timed to it and the clocks its service ends are stopped
    (``notice_served``). A ruling served on both sides names the ``party`` served. Once only:
    a second record for the same party is refused (409), naming the date already recorded.
    Flushed; the caller commits."""
    case = notice.case
    _check_staff(case, actor)
    # Held until the commit, as a step holds it: simultaneous records of one service queue here,
    # and each later one finds the delivery the first wrote (each was a service and an event).
    case_lock(case)
    errors: dict = {}
    roles = served_roles(notice)
    if len(roles) > 1 and party not in roles:
        errors["party"] = "请选择受送达的当事人 / name the party served"
    elif len(roles) <= 1:
        party = roles[0] if roles else "other"
    if method not in PAPER_METHODS:
        errors["method"] = "应为 post、in_person 或 public_notice / post, in_person or public_notice"
    now = utcnow()
    at = _served_instant(served_at, notice, now, errors)
    if at is not None:
        if at.tzinfo is None:
            errors["served_at"] = "须带时区 / needs a UTC offset"
        elif at > now + timedelta(seconds=5):
            errors["served_at"] = "不能是将来的时间 / in the future"
        elif at < notice.issued_at:
            errors["served_at"] = "不能早于文书签发日期 / before the notice was issued"
    note = note or ""
    if len(note) > 1000:  # the web form's note; the API's is bounded by its schema
        errors["note"] = "不超过1000字 / at most 1000 characters"
    if errors:
        raise ValidationFailed(
            "送达登记有误：" + "；".join(f"{k} {v}" for k, v in errors.items()),
            message_en="invalid service record: " + ", ".join(errors),
            fields=errors,
        )
    if not notice.is_issued:
        raise StateConflict("文书尚未签发", message_en="the notice is not issued yet")
    recorded = db.session.scalar(
        select(NoticeDelivery.delivered_at)
        .where(
            NoticeDelivery.notice_id == notice.id,
            NoticeDelivery.method.in_(PAPER_METHODS),
            NoticeDelivery.status == "sent",
            NoticeDelivery.role == party,
        )
        .order_by(NoticeDelivery.id)
        .limit(1)
    )
    if recorded is not None:
        # A notice is served on its addressee once: a second record would be a second service
        # event and, with a different date, a second re-timing of its clocks.
        day = local_date(recorded)
        raise StateConflict(
            f"该文书已登记送达（{chinese_date(day)}），不能重复登记",
            message_en=f"the service of this notice is already recorded ({day.isoformat()})",
            fields={"served_at": f"已登记送达：{chinese_date(day)} / already recorded"},
        )
    row = NoticeDelivery(
        notice_id=notice.id,
        case_id=case.id,
        role=party,
        method=method,
        address=f"paper-{secrets.token_hex(4)}",  # each paper service is its own record
        status="sent",
        attempts=1,
        next_attempt_at=now,
        delivered_at=at,
        proof=note or f"{actor.display_name} 登记",
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.add(
        Event(
            case_id=case.id,
            kind="service",
            actor_id=actor.id,
            occurred_at=at,
            recorded_at=now,
            note=f"登记送达：{notice.title} {notice.document_number}"
            + (f"，{served_party_name(notice, party)}" if len(roles) > 1 else "")
            + f"（{method}）",
            data={
                "notice_id": notice.id,
                "method": method,
                "served_at": iso(at),
                "party": party,
            },
        )
    )
    db.session.flush()
    notice_served(notice, at=at)
    return row


# -- a party's own submission -------------------------------------------------------------------


def party_action_for(case: Case, role: str) -> str | None:
    """The trigger a party may fire from its page now, if any."""
    trigger = PARTY_ACTIONS.get((case.workflow, case.state, role))
    if trigger is None:
        return None
    try:
        wf = workflows.get(case.workflow)
    except (KeyError, LookupError):
        return None
    if not any(t.trigger == trigger for t in wf.TRANSITIONS):
        return None
    return trigger


def evidence_files_add(case: Case, files, *, actor_name: str, description: str) -> list:
    """Store already-checked files as the case's evidence, with one ``evidence`` event each.
    A file the case already holds is not stored again, and not refused: a party often sends
    back what it was served, and the staff's refusal would name another upload (its name, time
    and number) to the party. Flushed; the caller commits."""
    from caseflow.cases.evidence import evidence_add, evidence_duplicate

    added, seen = [], set()
    for filename, content in files:
        digest = hashlib.sha256(content).hexdigest()
        if digest in seen:  # the same photo picked twice in one submission: filed once
            continue
        seen.add(digest)
        if evidence_duplicate(case, digest) is not None:  # the same bytes are on file already
            continue
        evidence = evidence_add(
            case=case, actor=None, filename=filename, content=content, description=description
        )
        last = db.session.scalar(
            select(Event)
            .where(Event.case_id == case.id, Event.kind == "evidence")
            .order_by(Event.id.desc())
        )
        if last is not None:
            last.actor_name = actor_name
        added.append(evidence)
    db.session.flush()
    return added
