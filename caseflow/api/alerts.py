"""``GET /api/v1/alerts?since=&level=&page=``, acknowledgement, and the outbox problems for
admins."""

from flask import request, url_for

from caseflow.accounts.mail import account_mail_counts, account_mails_in_trouble_query
from caseflow.alerts import selectors, services
from caseflow.alerts.delivery import alert_facts
from caseflow.alerts.models import LEVELS
from caseflow.api import api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.errors import Malformed, PermissionDenied
from caseflow.extensions import db
from caseflow.timeutil import iso, parse_instant

MAX_LIMIT = 500
#: Beyond this a page's offset would overflow the database's integers.
MAX_PAGE = 1_000_000


def alert_json(alert) -> dict:
    return {
        **alert_facts(alert),
        "acknowledged_at": iso(alert.acknowledged_at),
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by else None,
        "ack_note": alert.ack_note,
    }


def _query_args():
    since = request.args.get("since")
    level = request.args.get("level") or None
    try:
        since = parse_instant(since) if since else None
    except ValueError as exc:
        raise Malformed(
            f"since 不是 ISO 8601 时间：{since}", message_en=str(exc), fields={"since": "ISO 8601"}
        ) from exc
    if level is not None and level not in LEVELS:
        raise Malformed(
            f"未知的预警级别：{level}",
            message_en=f"unknown level {level!r}",
            fields={"level": " | ".join(LEVELS)},
        )
    try:
        limit = min(int(request.args.get("limit", 100)), MAX_LIMIT)
    except ValueError as exc:
        raise Malformed(
            "limit 须为整数", message_en="limit must be an integer", fields={"limit": "integer"}
        ) from exc
    if limit < 1:  # PostgreSQL refuses a negative LIMIT; SQLite would read it as "no limit"
        raise Malformed(
            "limit 须为正整数", message_en="limit must be at least 1", fields={"limit": "≥ 1"}
        )
    try:
        page = int(request.args.get("page", 1))
    except ValueError as exc:
        raise Malformed(
            "page 须为整数", message_en="page must be an integer", fields={"page": "integer"}
        ) from exc
    if not 1 <= page <= MAX_PAGE:
        raise Malformed(
            f"page 须在 1 至 {MAX_PAGE} 之间",
            message_en=f"page must be 1 to {MAX_PAGE}",
            fields={"page": f"1 … {MAX_PAGE}"},
        )
    return since, level, limit, page


@bp.get("/alerts")
def alerts_list():
    """Alerts on cases the token's user may see, newest first, ``limit`` a page: ``total`` counts
    them all and ``next`` is the address of the next page (null on the last)."""
    since, level, limit, page = _query_args()
    user = api_user()
    filters = {
        "since": since,
        "level": level,
        "unacknowledged": request.args.get("open") == "true",
    }
    query = selectors.alerts_visible_query(user, **filters)
    alerts = db.session.scalars(query.offset((page - 1) * limit).limit(limit)).all()
    total = selectors.alerts_visible_count(user, **filters)
    more = page * limit < total
    return {
        "alerts": [alert_json(a) for a in alerts],
        "unread": selectors.alerts_unread_count(user),
        "total": total,
        "page": page,
        "next": url_for("api.alerts_list", **{**request.args, "page": page + 1}) if more else None,
    }


@bp.post("/alerts/<int:alert_id>/acknowledge")
def alerts_acknowledge(alert_id: int):
    user = api_user()
    alert = selectors.alert_get_for(user, alert_id)
    note = body_check(json_body(), "Acknowledge")["note"]
    services.alert_acknowledge(alert=alert, actor=user, note=note)
    db.session.commit()
    return alert_json(alert)


def _next_attempt(row) -> str | None:
    """When the row is tried again; none for a failed row, which waits for an admin."""
    return None if row.status == "failed" else iso(row.next_attempt_at)


@bp.get("/alerts/outbox")
def alerts_outbox():
    """Failed deliveries and those waiting for a retry (admins): the alerts' messages, and the
    account mails (credential changes) under ``account_mails`` in the same shape."""
    if not api_user().is_admin:
        raise PermissionDenied("仅管理员可查看", message_en="admins only")
    messages = db.session.scalars(selectors.outbox_problems_query().limit(MAX_LIMIT)).all()
    mails = db.session.scalars(account_mails_in_trouble_query().limit(MAX_LIMIT)).all()
    return {
        "counts": selectors.outbox_counts(),
        "problems": [
            {
                "id": m.id,
                "alert_id": m.alert_id,
                "case_number": m.alert.case.number,
                "channel": m.channel,
                "recipient": m.recipient,
                "status": m.status,
                "attempts": m.attempts,
                "next_attempt_at": _next_attempt(m),
                "last_error": m.last_error,
            }
            for m in messages
        ],
        "account_mails": {
            "counts": account_mail_counts(),
            "problems": [
                {
                    "id": mail.id,
                    "username": mail.user.username,
                    "kind": mail.kind,
                    "recipient": mail.recipient,
                    "status": mail.status,
                    "attempts": mail.attempts,
                    "next_attempt_at": _next_attempt(mail),
                    "last_error": mail.last_error,
                }
                for mail in mails
            ],
        },
    }


@bp.post("/alerts/outbox/retry")
def alerts_outbox_retry():
    """Every failed delivery sent again at once (admins), as the outbox page's 全部重发."""
    user = api_user()
    messages, mails = services.outbox_retry_all_failed(actor=user)
    db.session.commit()
    return {"alert_messages": messages, "account_mails": mails}
