"""Sending one outbox message: e-mail over SMTP (or to .eml files when no SMTP server is set), and
a signed JSON webhook for WeCom/DingTalk bots and other systems.

Every function here raises on failure; the outbox records the error and retries.
"""

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.request
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import workflows
from caseflow.alerts.rules import is_day_based
from caseflow.timeutil import deadline_chinese, deadline_day, iso

SMTP_TIMEOUT = 20
WEBHOOK_TIMEOUT = 10
SIGNATURE_HEADER = "X-Caseflow-Signature"


def deliver(message, config) -> None:
    if message.channel == "email":
        email_send(message, config)
    elif message.channel == "webhook":
        webhook_post(message, config)
    else:
        raise ValueError(f"nothing to deliver on channel {message.channel!r}")


# -- what the message says -----------------------------------------------------------------------


def due_text(alert) -> str:
    """The due date as every surface writes it: the last day (and weekday), or the hour for hour
    clocks; never 00:00 of the next day."""
    text = deadline_chinese(alert.due_at, alert_period_unit(alert))
    if alert_provisional(alert):
        # deadlines.md §1: counted on a year whose official schedule is not out yet, marked
        # wherever it is shown.
        text += "（暂定）"
    return text


def alert_period_unit(alert) -> str:
    """The unit its due date is written in: its clock's; an undelivered-notice alert has no clock,
    its moment is an instant, written with the hour."""
    return alert.clock.period_unit if alert.clock else "hours"


def alert_provisional(alert) -> bool:
    """Whether the date the alert carries is still provisional: it was counted on a year whose
    official schedule was not out, and the official year, once loaded, has not confirmed its
    clock on that very date (a moved date keeps the mark: the alert's own date is stale)."""
    if not alert.provisional:
        return False
    clock = alert.clock
    return clock is None or clock.provisional or clock.due_at != alert.due_at


def clock_name_text(alert) -> str:
    """The clock as the procedure names it (审理期限), not its code (``closing``)."""
    module = workflows.WORKFLOWS.get(alert.case.workflow)
    definition = workflows.clock(module, alert.clock.name) if module else None
    return definition.label if definition else alert.clock.name


def alert_subject(alert) -> str:
    if alert.clock is None:  # an undelivered notice (parties.md §4)
        return f"【{alert.label}】{alert.case.number} {alert.notice.title}"
    return f"【{alert.label}】{alert.case.number} {clock_name_text(alert)} {due_text(alert)}"


def alert_text(alert) -> str:
    case, clock = alert.case, alert.clock
    head = f"案件 {case.number}" + (f"《{case.title}》" if case.title else "")
    if clock is None:
        notice = alert.notice
        return f"{head} 的{notice.title}（{notice.document_number}）电子送达失败，请改为纸质送达并登记送达日期。"
    if alert.level == "due_soon":
        body = f"{head} 的时限「{clock_name_text(alert)}」即将届满，届满时间：{due_text(alert)}。"
    elif alert.level == "overdue":
        body = f"{head} 的时限「{clock_name_text(alert)}」已于 {due_text(alert)} 届满，尚未办结。"
    else:
        span = "5 个工作日" if is_day_based(clock.period_unit) else "2 小时"
        body = f"{head} 的时限「{clock_name_text(alert)}」超期已满 {span}（届满时间：{due_text(alert)}），请督办。"
    if alert.late:
        body += "（系统恢复后补发）"
    return body


def alert_payload(message) -> dict:
    """The webhook body: ``msgtype``/``text`` as WeCom and DingTalk group bots expect, and the
    alert itself for other systems. ``delivery_id`` lets a receiver drop a repeated delivery."""
    alert = message.alert
    return {
        "msgtype": "text",
        "text": {"content": alert_text(alert)},
        "delivery_id": message.id,
        "alert": alert_facts(alert),
    }


def alert_facts(alert) -> dict:
    """What an alert says, as the webhook and the API both show it."""
    return {
        "id": alert.id,
        "level": alert.level,
        "label": alert.label,
        "case_id": alert.case_id,
        "case_number": alert.case.number,
        "clock": alert.clock.name if alert.clock else None,
        "clock_label": clock_name_text(alert) if alert.clock else None,
        "notice_id": alert.notice_id,
        "due_at": iso(alert.due_at),
        "due_on": deadline_day(
            alert.due_at, alert.clock.period_unit if alert.clock else "hours"
        ).isoformat(),
        "due_text": due_text(alert),
        "provisional": alert_provisional(alert),
        "moment_at": iso(alert.moment_at),
        "raised_at": iso(alert.raised_at),
        "late": alert.late,
    }


# -- e-mail --------------------------------------------------------------------------------------


def email_build(message, config) -> EmailMessage:
    alert = message.alert
    mail = EmailMessage()
    mail["Subject"] = alert_subject(alert)
    mail["From"] = config.get("CASEFLOW_MAIL_FROM") or "caseflow@localhost"
    mail["To"] = message.recipient
    mail["Date"] = format_datetime(alert.raised_at)
    mail["Message-ID"] = email_message_id(message, config)
    mail["X-Caseflow-Alert"] = f"{alert.id} {alert.level}"
    mail.set_content(
        alert_text(alert) + "\n\n—— caseflow 知识产权保护案件办理系统（系统邮件，请勿回复）\n"
    )
    return mail


def email_message_id(message, config) -> str:
    """The same on every attempt of one outbox message, so a repeat after a crash is recognisable
    as the same mail. The message's creation instant and the installation's public host keep two
    caseflow installations that share a mail server (and both have an ``outbox-1``) apart."""
    host = urlsplit(config.get("CASEFLOW_PUBLIC_URL") or "").hostname or "caseflow"
    created = message.created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"<outbox-{message.id}.{created}@{host}>"


def email_send(message, config) -> None:
    """Send the alert's mail (see ``mail_send``)."""
    mail_send(email_build(message, config), config, f"{message.id:08d}.eml")


def mail_send(mail: EmailMessage, config, file_name: str) -> None:
    """Send over ``SMTP_URL`` (``smtp://[user:pass@]host:port``, ``smtps://…`` for TLS,
    ``?starttls=1`` for STARTTLS). Without one, write ``<CASEFLOW_STORAGE>/outbox-mail/<file_name>``
    (development: read the mail without a server). Alert mails and account mails both go here."""
    url = config.get("SMTP_URL")
    if not url:
        if str(config["CASEFLOW_STORAGE"]).startswith("s3://"):
            from caseflow.storage import storage_for

            # Several nodes: the development mailbox lives in the shared store too.
            storage_for(config["CASEFLOW_STORAGE"], config).put_new(
                f"outbox-mail/{file_name}", mail.as_bytes()
            )
            return
        folder = Path(config["CASEFLOW_STORAGE"]) / "outbox-mail"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / file_name
        partial = target.with_suffix(".part")
        partial.write_bytes(mail.as_bytes())
        partial.replace(target)  # atomic: a reader never sees half a mail
        return
    with smtp_connect(url) as client:
        client.send_message(mail)


def smtp_connect(url: str) -> smtplib.SMTP:
    """A connected, logged-in SMTP client for ``SMTP_URL``; use it as a context manager."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            host, port or 465, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port or 25, timeout=SMTP_TIMEOUT)
    try:
        if "starttls=1" in (parts.query or ""):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
    except Exception:
        client.close()
        raise
    return client


# -- webhook -------------------------------------------------------------------------------------


def webhook_signature(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, the value of the X-Caseflow-Signature header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_post(message, config) -> None:
    url = config.get("CASEFLOW_WEBHOOK_URL")
    if not url:
        raise RuntimeError("CASEFLOW_WEBHOOK_URL is not configured")
    body = json.dumps(alert_payload(message), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "caseflow-alerts",
        "X-Caseflow-Delivery": str(message.id),
    }
    secret = config.get("CASEFLOW_WEBHOOK_SECRET")
    if secret:
        headers[SIGNATURE_HEADER] = webhook_signature(body, secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    # urlopen raises HTTPError for any status >= 400; the outbox records it and retries.
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
        response.read()
