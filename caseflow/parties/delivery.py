"""Electronic service of notices (电子送达, parties.md §4), run by the scheduler's outbox job.

A ``NoticeDelivery`` row is written with its notice, inside the transition; this job sends it
once the PDF is issued: an e-mail through ``SMTP_URL`` (the PDF attached) and an SMS through the
signed gateway webhook ``CASEFLOW_SMS_URL``, both carrying the party's personal link. The web
request never waits for either.

The date of service is the moment the message reached the party's system (Civil Procedure Law
art 90): for e-mail, when the receiving SMTP server accepted the DATA; its reply is the proof.
The clock that counts from the party's receipt is then re-timed to it, as actor ``system``. A
delivery that is refused or runs out of retries raises an alert to serve on paper.
"""

import json
import logging
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import select

from caseflow.alerts.delivery import SIGNATURE_HEADER, smtp_connect, webhook_signature
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.outbox import DeliveryReport, outbox_backoff, outbox_claim, outbox_waiting
from caseflow.parties.models import NoticeDelivery
from caseflow.parties.services import (
    mask_address,
    notice_served,
    party_link_ensure,
    party_link_url,
    receipt_date,
    served_party_name,
)
from caseflow.storage import storage_for
from caseflow.timeutil import chinese_date, local_date, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_FIRST = timedelta(minutes=1)
SMS_TIMEOUT = 10


class PermanentFailure(Exception):
    """The party's server or the gateway refused the message for good (a 5xx reply to the
    recipient, a 4xx from the gateway): retrying cannot help."""


@dataclass
class Sent:
    delivered_at: datetime
    proof: str


# -- what the message says -----------------------------------------------------------------------


def message_text(notice, link: str, role: str | None = None) -> str:
    case = notice.case
    return (
        f"{served_party_name(notice, role) or '当事人'}：\n\n"
        f"{case.unit.name}向您送达《{notice.title}》（{notice.document_number}），"
        f"案号 {case.number}，签发日期 {chinese_date(local_date(notice.issued_at))}。\n\n"
        f"请通过以下个人链接查看、下载文书并办理相关事项（请勿转发）：\n{link}\n\n"
        f"办件查询码：{case.public_code}\n"
        "依据《中华人民共和国民事诉讼法》第九十条，本消息到达您的电子邮箱之日为送达日期。\n\n"
        "—— caseflow 知识产权保护案件办理系统（系统邮件，请勿直接回复）\n"
    )


def sms_text(notice, link: str) -> str:
    # No PDF on SMS (parties.md §4): the title, the number and the link.
    return f"【{notice.case.unit.name}】您有一份《{notice.title}》（{notice.document_number}）待查收：{link}"


def _link_for(row: NoticeDelivery) -> str:
    link, token = party_link_ensure(row.notice.case, row.role)
    db.session.flush()
    return party_link_url(token)


# -- e-mail --------------------------------------------------------------------------------------


def email_build(row: NoticeDelivery, config, link: str) -> EmailMessage:
    notice = row.notice
    mail = EmailMessage()
    mail["Subject"] = f"【电子送达】{notice.title} {notice.document_number}"
    mail["From"] = config.get("CASEFLOW_MAIL_FROM") or "caseflow@localhost"
    mail["To"] = row.address
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(idstring=f"service-{row.id}", domain="caseflow")
    mail["X-Caseflow-Notice"] = f"{notice.id} {notice.document_number}"
    mail.set_content(message_text(notice, link, row.role))
    if notice.file_path:
        # From the unit's store (a folder or S3), checked against the notice's SHA-256: a party
        # is never sent bytes other than those issued.
        store = storage_for(config["CASEFLOW_STORAGE"], config)
        pdf = store.get(notice.file_path, sha256=notice.sha256)
        mail.add_attachment(
            pdf,
            maintype="application",
            subtype="pdf",
            filename=f"{notice.document_number}-{notice.title}.pdf",
        )
    return mail


def email_serve(row: NoticeDelivery, config, link: str) -> Sent:
    """Send the mail and return the moment the receiving server accepted it, with its reply."""
    url = config.get("SMTP_URL")
    if not url:
        raise RuntimeError("SMTP_URL is not configured: electronic service needs a mail server")
    mail = email_build(row, config, link)
    with smtp_connect(url) as client:
        client.ehlo_or_helo_if_needed()
        code, reply = client.mail(mail["From"])
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, mail["From"])
        code, reply = client.rcpt(row.address)
        if code not in (250, 251):
            client.rset()
            error = f"{code} {reply.decode(errors='replace')}"
            if 500 <= code < 600:
                raise PermanentFailure(f"recipient refused: {error}")
            raise smtplib.SMTPRecipientsRefused({row.address: (code, reply)})
        # Bytes go out as given: the lines must already end in CRLF.
        code, reply = client.data(mail.as_bytes(policy=mail.policy.clone(linesep="\r\n")))
        accepted_at = utcnow()
        if code != 250:  # smtplib raises only when DATA itself is refused, not the message
            error = f"{code} {reply.decode(errors='replace')}"
            if 500 <= code < 600:
                raise PermanentFailure(f"message refused: {error}")
            raise smtplib.SMTPDataError(code, reply)
        host = getattr(client, "_host", "") or ""
    proof = f"{code} {reply.decode(errors='replace')}".strip()
    return Sent(accepted_at, f"SMTP {host} {accepted_at.isoformat()}: {proof}")


# -- SMS through the gateway webhook ------------------------------------------------------------


def sms_serve(row: NoticeDelivery, config, link: str) -> Sent:
    url = config.get("CASEFLOW_SMS_URL")
    if not url:
        raise RuntimeError("CASEFLOW_SMS_URL is not configured")
    notice = row.notice
    body = json.dumps(
        {
            "to": row.address,
            "text": sms_text(notice, link),
            "delivery_id": row.id,
            "notice": {
                "document_number": notice.document_number,
                "title": notice.title,
                "case_number": notice.case.number,
            },
        },
        ensure_ascii=False,
    ).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "caseflow-service",
        "X-Caseflow-Delivery": str(row.id),
    }
    secret = config.get("CASEFLOW_SMS_SECRET") or config.get("CASEFLOW_WEBHOOK_SECRET")
    if secret:
        headers[SIGNATURE_HEADER] = webhook_signature(body, secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=SMS_TIMEOUT) as response:
            answer = response.read(2000).decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentFailure(f"gateway refused: HTTP {exc.code}") from None
        raise
    accepted_at = utcnow()
    return Sent(accepted_at, f"SMS gateway {accepted_at.isoformat()}: HTTP {status} {answer}".strip())


SENDERS = {"email": email_serve, "sms": sms_serve}


# -- the outbox job ------------------------------------------------------------------------------


def notice_deliveries_send(now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the electronic services that are due and whose notice is issued; commits per row.
    Each row is claimed first, so two schedulers never both send it (``caseflow.outbox``). Not
    ``outbox_drain``: a service has its own outcome (a permanent refusal, paper service when
    every way failed, the receipt clocks timed from the service)."""
    report = DeliveryReport()
    d = NoticeDelivery.__table__.c
    # ``now=None`` (the scheduler): each claim and backoff is timed when it happens (outbox_drain).
    waiting = outbox_waiting(NoticeDelivery.__table__, now or utcnow())
    ids = db.session.scalars(
        select(d.id)
        .join(Notice, Notice.id == d.notice_id)
        .where(waiting, Notice.status == "issued", d.method.in_(tuple(SENDERS)))
        .order_by(d.next_attempt_at, d.id)
        .limit(limit)
    ).all()
    db.session.commit()
    config = current_app.config
    for row_id in ids:
        if outbox_claim(NoticeDelivery.__table__, row_id, now) is None:
            continue
        row = db.session.get(NoticeDelivery, row_id)
        try:
            link = _link_for(row)
            db.session.commit()  # the link exists before a message names it
            sent = SENDERS[row.method](row, config, link)
        except Exception as exc:  # noqa: BLE001 — recorded, retried or alerted
            db.session.rollback()
            row = db.session.get(NoticeDelivery, row_id)
            error = f"{type(exc).__name__}: {exc}"[:2000]
            give_up = isinstance(exc, PermanentFailure) or row.attempts >= MAX_ATTEMPTS
            row.last_error = error
            row.claim_token, row.lease_until = None, None
            if give_up:
                row.status = "failed"
                db.session.flush()
                _after_failure(row)
                report.failed += 1
            else:
                row.status = "pending"
                failed_at = now or utcnow()
                row.next_attempt_at = failed_at + outbox_backoff(row.attempts, BACKOFF_FIRST)
                report.retrying += 1
            db.session.commit()
            log.warning("service %s (%s) attempt %d failed: %s", row_id, row.method, row.attempts, error)
            continue
        row.status, row.delivered_at, row.proof = "sent", sent.delivered_at, sent.proof
        row.claim_token, row.lease_until, row.last_error = None, None, None
        db.session.flush()
        at = receipt_date(row.notice)
        if at is not None:
            notice_served(row.notice, at=at)
        db.session.commit()
        report.sent += 1
        # deployment.md: a line per delivery at INFO, the address masked as the party's page does.
        log.info(
            "service %s sent: %s to %s (notice %s)",
            row_id,
            row.method,
            mask_address(row.address),
            row.notice_id,
        )
    return report


def _after_failure(row: NoticeDelivery) -> None:
    """A failed message: if another one reached the party (an SMS when the e-mail bounced),
    that is the service; if none did and none is still on its way, serve on paper."""
    siblings = db.session.scalars(
        select(NoticeDelivery).where(
            NoticeDelivery.notice_id == row.notice_id, NoticeDelivery.id != row.id
        )
    ).all()
    at = receipt_date(row.notice)
    if at is not None:
        notice_served(row.notice, at=at)
    if not any(s.status in ("sent", "pending", "sending") for s in siblings):
        undelivered_alert_raise(row, now=utcnow())


def undelivered_alert_raise(row: NoticeDelivery, *, now: datetime):
    """An alert to the caseworker: this notice did not reach the party electronically; serve
    it on paper. The receipt clock keeps its provisional start until a service is recorded."""
    from caseflow.alerts.models import UNDELIVERED, Alert, OutboxMessage
    from caseflow.alerts.services import _staff_by_unit, alert_recipient_ids
    from caseflow.clocks.models import Clock
    from caseflow.notices.kinds import RECEIPT_CLOCKS

    notice = row.notice
    case = notice.case
    clock_name = RECEIPT_CLOCKS.get(notice.kind)
    clock = None
    if clock_name:
        clock = db.session.scalar(
            select(Clock).where(
                Clock.case_id == case.id,
                Clock.name == clock_name,
                Clock.status.in_(("running", "paused")),
            )
        )
    alert = Alert(
        clock_id=None,
        notice_id=notice.id,
        case_id=case.id,
        unit_id=case.unit_id,
        level=UNDELIVERED,
        due_at=clock.due_at if clock else now,
        moment_at=now,
        raised_at=now,
        late=False,
    )
    db.session.add(alert)
    db.session.flush()
    staff = _staff_by_unit({case.unit_id})[case.unit_id]
    for user_id in alert_recipient_ids("due_soon", case.assignee_id, staff):
        db.session.add(
            OutboxMessage(
                alert_id=alert.id,
                channel="inapp",
                user_id=user_id,
                recipient=f"user:{user_id}",
                status="sent",
                attempts=0,
                next_attempt_at=now,
                sent_at=now,
            )
        )
    log.warning("case %s: notice %s undelivered by %s; serve on paper", case.number, notice.id, row.method)
    return alert
