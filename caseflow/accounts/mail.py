"""Telling a user that their credentials changed (ASVS 2.2.3): a password changed by its owner or
reset by an admin, or a new API token. The mail is written as an ``AccountMail`` row in the same
transaction as the change and sent after commit by the scheduler's outbox job, through the same
SMTP path as alert mails (``caseflow.alerts.delivery.mail_send``) and the same outbox loop
(``caseflow.outbox``), so two schedulers never both send it. A user without an e-mail address
gets no mail (logged).

A failure is retried on the alert mails' schedule and, once given up, shown to admins beside
them (/alerts/outbox, the admin page's 消息发送 tab, ``GET /api/v1/alerts/outbox``), where it can
be sent again: a user who is never told of a reset they did not ask for must not go unnoticed.
"""

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from caseflow.accounts.models import AccountMail, User
from caseflow.alerts.delivery import mail_send
from caseflow.extensions import db
from caseflow.outbox import (
    BACKOFF_FIRST,
    MAX_ATTEMPTS,
    DeliveryReport,
    outbox_counts,
    outbox_drain,
    outbox_in_trouble,
    outbox_in_trouble_count,
    outbox_retry_failed,
    outbox_retry_now,
)
from caseflow.timeutil import to_local, utcnow
from caseflow.translations.runtime import N_

log = logging.getLogger(__name__)

#: What each kind of mail is about, for the admins' outbox page (translated where shown).
KIND_LABELS = {
    "password_changed": N_("密码已修改"),
    "password_reset": N_("密码已重置"),
    "token_created": N_("新建 API 令牌"),
}
FOOTER = "\n\n如果这不是您本人或管理员的操作，请立即联系系统管理员。\n\n—— caseflow 知识产权保护案件办理系统（系统邮件，请勿回复）\n"


def _when(at: datetime) -> str:
    local = to_local(at)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"


def _greeting(user: User) -> str:
    return f"{user.display_name}（{user.username}）：\n\n"


def account_mail_queue(user: User, kind: str, *, at: datetime, actor: User | None = None,
                       token_id: int | None = None, expires_at: datetime | None = None) -> None:
    """Write the mail for one credential change of ``user``; the caller's commit sends it."""
    if not user.email:
        log.info("no e-mail address for %s: %s not notified", user.username, kind)
        return
    if kind == "password_changed":
        subject = "【caseflow】您的登录密码已修改"
        text = f"您的 caseflow 账户密码已于 {_when(at)} 修改，所有已登录的设备均已退出。"
    elif kind == "password_reset":
        by = f"管理员 {actor.display_name}（{actor.username}）" if actor else "管理员"
        subject = "【caseflow】您的登录密码已被重置"
        text = f"您的 caseflow 账户密码已于 {_when(at)} 由{by}重置，所有已登录的设备均已退出。"
    elif kind == "token_created":
        subject = "【caseflow】您的账户新建了 API 令牌"
        until = f"，有效期至 {_when(expires_at)}" if expires_at else ""
        text = (
            f"已于 {_when(at)} 为您的 caseflow 账户新建 API 令牌（编号 {token_id}{until}）。"
            "持有该令牌即可以您的身份调用接口；如不需要，请让管理员撤销。"
        )
    else:
        raise ValueError(f"unknown account mail {kind!r}")
    db.session.add(
        AccountMail(
            user_id=user.id,
            kind=kind,
            recipient=user.email,
            subject=subject,
            body=_greeting(user) + text + FOOTER,
            next_attempt_at=at,
            created_at=at,
        )
    )
    db.session.flush()


def _mail_build(row: AccountMail, config) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = row.subject
    mail["From"] = config.get("CASEFLOW_MAIL_FROM") or "caseflow@localhost"
    mail["To"] = row.recipient
    mail["Date"] = format_datetime(row.created_at)
    # Stable per row, so a repeat after a crash is recognisable as the same mail.
    mail["Message-ID"] = make_msgid(idstring=f"account-{row.id}", domain="caseflow")
    mail["X-Caseflow-Account"] = row.kind
    mail.set_content(row.body)
    return mail


def account_mails_in_trouble_query():
    """Account mails that failed for good, or wait for a retry after an error, newest first;
    without their subject and text, which no list shows (the sender reads them row by row)."""
    return (
        select(AccountMail)
        .options(joinedload(AccountMail.user), defer(AccountMail.subject), defer(AccountMail.body))
        .where(outbox_in_trouble(AccountMail.__table__))
        .order_by(AccountMail.id.desc())
    )


def account_mails_in_trouble_count() -> int:
    return outbox_in_trouble_count(AccountMail.__table__)


def account_mail_counts() -> dict[str, int]:
    return outbox_counts(AccountMail.__table__)


def account_mail_retry(*, mail: AccountMail, actor: User, now: datetime | None = None) -> None:
    """An admin sends a failed (or waiting) account mail again at once, with a fresh count of
    attempts. Does not commit."""
    outbox_retry_now(mail, actor=actor, now=now or utcnow())
    log.info("account mail %s retried by %s", mail.id, actor.username)


def account_mails_retry_failed(*, actor: User, now: datetime | None = None) -> int:
    """An admin sends every failed account mail again at once; how many. Does not commit."""
    return outbox_retry_failed(AccountMail.__table__, actor=actor, now=now or utcnow())


def account_mails_send(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send the account mails that are due; commits after each one. A failure is recorded and
    retried like an alert mail's (30 s, doubling, up to an hour), then given up after
    ``MAX_ATTEMPTS`` and left for an admin."""
    config = current_app.config

    def send(row_id: int) -> None:
        row = db.session.get(AccountMail, row_id)
        mail_send(_mail_build(row, config), config, f"account-{row_id:08d}.eml")

    return outbox_drain(
        AccountMail.__table__,
        send,
        now=now,
        limit=limit,
        max_attempts=MAX_ATTEMPTS,
        backoff_first=BACKOFF_FIRST,
    )
