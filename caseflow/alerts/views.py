"""The alerts page (预警), acknowledgement, and the outbox section for admins: alert messages and
account mails (``caseflow.accounts.mail``) that failed or wait for a retry, each to send again."""

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseflow.accounts.mail import (
    KIND_LABELS,
    account_mail_counts,
    account_mail_retry,
    account_mails_in_trouble_count,
    account_mails_in_trouble_query,
)
from caseflow.accounts.models import AccountMail
from caseflow.alerts import selectors, services
from caseflow.alerts.models import LEVEL_LABELS, LEVELS, OutboxMessage
from caseflow.errors import NotFound, ValidationFailed
from caseflow.extensions import db
from caseflow.web.access import role_required
from caseflow.web.filters import in_language

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

PAGE_SIZE = 100


@bp.app_context_processor
def _badge():
    """``alerts_unread`` for the nav badge in base.html."""
    try:
        return {"alerts_unread": selectors.alerts_unread_count(current_user)}
    except Exception:  # noqa: BLE001 — a badge must never break a page (e.g. an error page)
        db.session.rollback()
        return {"alerts_unread": 0}


@bp.get("/")
@login_required
def index():
    return _list_render()


def _list_render(ack_errors: dict[int, str] | None = None, status: int = 200):
    """The alerts list at the page and filters of the request's query string; ``ack_errors``
    shows why an acknowledgement was refused beside that alert's note."""
    level = request.args.get("level") if request.args.get("level") in LEVELS else None
    open_only = request.args.get("open") == "1"
    total = selectors.alerts_visible_count(current_user, level=level, unacknowledged=open_only)
    listed = _page_of(
        selectors.alerts_visible_query(current_user, level=level, unacknowledged=open_only),
        total,
        "page",
    )
    alerts = listed.rows
    # A GET changes nothing (ASVS 4.2.2 / 13.1): the badge clears with the page's "mark all
    # read" button, a POST with its CSRF token.
    unread = selectors.alert_ids_unread(current_user, among=[alert.id for alert in alerts])
    return render_template(
        "alerts/index.html",
        alerts=alerts,
        total=total,
        page=listed.page,
        pages=listed.pages,
        unread=unread,
        # "Mark all read" is for every unread notification, on this page or not: counted.
        unread_count=selectors.alerts_unread_count(current_user),
        level=level,
        open_only=open_only,
        levels=LEVELS,
        level_labels=LEVEL_LABELS,
        can_ack=current_user.role in services.ACK_ROLES,
        ack_errors=ack_errors or {},
    ), status


@bp.post("/read")
@login_required
def mark_read():
    """Mark every in-app notification of the user read (the nav badge clears)."""
    services.alerts_mark_read(user=current_user)
    db.session.commit()
    return redirect(url_for("alerts.index"))


@bp.post("/<int:alert_id>/acknowledge")
@role_required("supervisor")
def acknowledge(alert_id: int):
    alert = selectors.alert_get_for(current_user, alert_id)
    try:
        services.alert_acknowledge(
            alert=alert, actor=current_user, note=request.form.get("note", "")
        )
    except ValidationFailed as exc:  # a blank note: said beside the field, on the list
        db.session.rollback()
        reason = in_language((exc.fields or {}).get("note") or exc.message)
        return _list_render(ack_errors={alert_id: reason}, status=422)
    db.session.commit()
    flash(f"已确认预警：{alert.case.number} {alert.label}", "success")
    return redirect(_list_url(_anchor=f"alert-{alert.id}"))


def _list_url(**extra) -> str:
    """The alerts list on the page and with the filters the request came from (the forms on the
    list post to addresses carrying its query string)."""
    kept = {key: request.args.get(key) for key in ("level", "open", "page")}
    return url_for("alerts.index", **kept, **extra)


@bp.get("/outbox")
@role_required("admin")
def outbox():
    """Both lists a page at a time, each with its own page number (``page``, ``mails_page``):
    every row in trouble is reachable however many there are after an outage."""
    problems = _page_of(
        selectors.outbox_problems_query(), selectors.outbox_problems_count(), "page"
    )
    mails = _page_of(
        account_mails_in_trouble_query(), account_mails_in_trouble_count(), "mails_page"
    )
    return render_template(
        "alerts/outbox.html",
        problems=problems,
        counts=selectors.outbox_counts(),
        account_mails=mails,
        account_mail_counts=account_mail_counts(),
        kind_labels=KIND_LABELS,
    )


@dataclass
class _Page:
    rows: list
    page: int
    pages: int
    #: The query-string key of this list's page number.
    key: str


def _page_of(query, total: int, key: str) -> _Page:
    """The rows of ``query`` (``total`` in all) on the page the query string's ``key`` asks
    for, clamped to the pages there are."""
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get(key, 1, type=int) or 1, 1), pages)
    rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return _Page(list(rows), page, pages, key)


@bp.post("/outbox/<int:message_id>/retry")
@role_required("admin")
def outbox_retry(message_id: int):
    message = _outbox_row(OutboxMessage, message_id, "消息不存在", "no such message")
    services.outbox_retry(message=message, actor=current_user)
    return _retried()


@bp.post("/outbox/retry-failed")
@role_required("admin")
def outbox_retry_failed():
    """全部重发: every failed alert message and account mail again, in one click."""
    messages, mails = services.outbox_retry_all_failed(actor=current_user)
    db.session.commit()
    flash(_("已安排重发 %(n)s 条发送失败的通知", n=messages + mails), "success")
    return redirect(url_for("alerts.outbox"))


@bp.post("/outbox/account-mails/<int:mail_id>/retry")
@role_required("admin")
def outbox_account_mail_retry(mail_id: int):
    mail = _outbox_row(AccountMail, mail_id, "邮件不存在", "no such mail")
    account_mail_retry(mail=mail, actor=current_user)
    return _retried("account-mails")


def _outbox_row(model, row_id: int, missing: str, missing_en: str):
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(missing, message_en=missing_en)
    return row


def _retried(anchor: str | None = None):
    """Commit the retry and go back to the outbox page (at ``anchor``) saying so."""
    db.session.commit()
    flash(_("已安排重发"), "success")
    return redirect(url_for("alerts.outbox", _anchor=anchor))
