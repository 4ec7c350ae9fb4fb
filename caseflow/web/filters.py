"""How the pages write dates, deadlines and countdowns: the Chinese way, in local time (and
ISO dates with English words when the page is in English).

Pure functions, registered as Jinja filters by ``filters_register(app)``; the tests call them directly.
"""

import re
from datetime import date, datetime, time, timedelta

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from caseflow.timeutil import (
    chinese_date,
    deadline_chinese,
    deadline_day,
    deadline_english,
    local_date,
    to_local,
    utcnow,
)
from workflows.credit import ends_by_itself


def _request_cache() -> dict | None:
    """A dict that lives as long as the request (None outside one): a list page asks for the
    language and the same translations once per row."""
    from flask import has_request_context, request

    if not has_request_context():
        return None
    return request.environ.setdefault("caseflow.label_cache", {})


def _english() -> bool:
    """Whether this request is shown in English (outside a request: Chinese)."""
    cache = _request_cache()
    if cache is not None and "english?" in cache:
        return cache["english?"]
    try:
        locale = get_locale()
    except RuntimeError:  # no application context
        return False
    english = locale is not None and locale.language == "en"
    if cache is not None:
        cache["english?"] = english
    return english


def request_translations():
    """Flask-Babel's translations for this request, looked up once: a page asks for a hundred
    texts, and each of Flask-Babel's own lookups goes through its context and the locale again.
    Kept on the request, not on ``g`` (an application context may outlive one request); outside
    a request (a mail, a job) the lookup is Flask-Babel's."""
    from flask_babel import get_translations

    cache = _request_cache()
    if cache is None:
        return get_translations()
    found = cache.get("translations?")
    if found is None:
        found = cache["translations?"] = get_translations()
    return found


def _ngettext(singular: str, plural: str, num: int) -> str:
    """``ngettext`` with the request's translations looked up once (a countdown per row)."""
    return request_translations().ungettext(singular, plural, num) % {"num": num}


#: What a person reads for each badge; the CSS class is ``badge-<key>``.
BADGE_LABELS = {
    "running": "进行中",
    "due_soon": "临期",
    "overdue": "超期",
    "paused": "已暂停",
    "met": "按期完成",
    "breached": "超期完成",
    "cancelled": "已取消",
    "provisional": "暂定",
}


_PERIOD_UNITS = {"workdays": "个工作日", "days": "日", "months": "个月", "hours": "小时"}


def period_cn(period: str | None) -> str:
    """``5 workdays`` → 5 个工作日; a fixed instant (no period) → 固定时点. In English the period
    is already English (``5 workdays``)."""
    if not period:
        return gettext("固定时点")
    number, _, unit = period.partition(" ")
    if _english():
        # "1 months" reads wrong: one of anything is singular.
        return f"{number} {unit.removesuffix('s')}" if number == "1" else period
    return f"{number} {_PERIOD_UNITS.get(unit, unit)}"


def cn_date(value) -> str:
    """2026年10月23日, from a date or an instant (its local day)."""
    if value is None:
        return ""
    if isinstance(value, str):  # an ISO date kept in JSON (repeat_of's decided_on)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = local_date(value)
    return value.isoformat() if _english() else chinese_date(value)


def cn_datetime(value: datetime | str | None) -> str:
    """2026年10月23日 14:05, local time (also from an ISO instant kept in JSON)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from caseflow.timeutil import parse_instant

        try:
            value = parse_instant(value)
        except ValueError:
            return value
    local = to_local(value)
    if _english():
        return f"{local:%Y-%m-%d %H:%M}"
    return f"{chinese_date(local.date())} {local:%H:%M}"


def clock_last_day(clock) -> date:
    """The day a day-based clock is due by: its ``due_at`` is the next day's 00:00 local, so the
    last day is the day before (deadlines.md §2, "end of the day is 24:00")."""
    return deadline_day(clock.due_at, "days")


def from_text(instant: datetime) -> str:
    """The first moment something can be done, as a person reads it: the day with its weekday
    (``2026年12月8日（周二）``, ``2026-12-08 (Tue)``) when it is the day's start, as a day-based
    clock's due instant is (00:00 of the day after its last day); else the day and the hour."""
    local = to_local(instant)
    if local.time() != time(0):
        return deadline_text(instant, "hours")
    day = local.date()
    if _english():
        return f"{day.isoformat()} ({day:%a})"
    return f"{chinese_date(day)}（周{'一二三四五六日'[day.weekday()]}）"


def deadline_text(due_at: datetime | None, period_unit: str) -> str:
    """One deadline as every page writes it: the last day with its weekday, or the hour for hour
    clocks (``caseflow.timeutil.deadline_chinese``)."""
    if due_at is None:
        return ""
    return deadline_english(due_at, period_unit) if _english() else deadline_chinese(due_at, period_unit)


def clock_due_text(clock) -> str:
    """The due date as a person reads it: a day for day-based clocks, day and hour for hours."""
    return deadline_text(clock.due_at, clock.period_unit)


def alert_due_text(alert) -> str:
    """An alert's due date, written as its clock's (the alert keeps the due date it was raised
    for); an undelivered notice's alert, which has no clock, with its hour."""
    from caseflow.alerts.delivery import alert_period_unit

    return deadline_text(alert.due_at, alert_period_unit(alert))


def alert_provisional(alert) -> bool:
    from caseflow.alerts.delivery import alert_provisional as provisional

    return provisional(alert)


def clock_state(clock, now: datetime | None = None) -> str:
    """The badge of one clock: running, due_soon, overdue, or its settled status.

    ``due_soon`` follows deadlines.md §4: 75% of the running time has elapsed, or (for day-based
    clocks) the last day has begun.
    """
    now = now or utcnow()
    if clock.status != "running":
        return clock.status
    if now > clock.due_at:
        # A credit record's display or repair waiting period ends by itself: past its due it
        # is over (the next sweep records it met), not late.
        return "met" if ends_by_itself(clock.name) else "overdue"
    if ends_by_itself(clock.name):
        return "running"  # nobody owes a step at its end: never 临期 (credit.md)
    # The running time excludes completed pauses (the same rule as the sweep and the dashboard).
    paused = timedelta(seconds=clock.paused_seconds or 0)
    if 4 * (clock.due_at - now) <= clock.due_at - clock.started_at - paused:
        return "due_soon"
    if clock.period_unit not in ("hours", "fixed") and local_date(now) >= clock_last_day(clock):
        return "due_soon"
    return "running"


def case_badge(next_due_at: datetime | None, started_at=None, now: datetime | None = None) -> str:
    """The inbox badge from the case's soonest due instant (no clock rows needed)."""
    now = now or utcnow()
    if next_due_at is None:
        return "none"
    if now > next_due_at:
        return "overdue"
    if next_due_at - now <= timedelta(days=1):
        return "due_soon"
    return "running"


def countdown(clock, now: datetime | None = None, *, workdays_between=None) -> str:
    """剩余 3 个工作日 / 剩余 5 小时 / 已超期 2 天 — the time left, in the clock's own unit.

    ``workdays_between(a, b)`` counts the working days after ``a`` up to and including ``b``;
    without it, calendar days are shown.
    """
    now = now or utcnow()
    if clock.status not in ("running", "paused"):
        return ""
    if clock.status == "paused":
        return gettext("已暂停")
    if clock.period_unit in ("hours", "fixed"):
        seconds = (clock.due_at - now).total_seconds()
        hours, rest = divmod(abs(int(seconds)), 3600)
        text = _hours_text(hours, rest // 60, with_minutes=hours < 48)
        if seconds >= 0:
            return gettext("剩余 %(time)s", time=text)
        return gettext("已超期 %(time)s", time=text)
    today = local_date(now)
    last_day = clock_last_day(clock)
    if last_day < today:
        return _ngettext("已超期 %(num)d 天", "已超期 %(num)d 天", (today - last_day).days)
    if last_day == today:
        return gettext("今日到期")
    if workdays_between is not None:
        return _ngettext("剩余 %(num)d 个工作日", "剩余 %(num)d 个工作日", workdays_between(today, last_day))
    return _ngettext("剩余 %(num)d 天", "剩余 %(num)d 天", (last_day - today).days)


def _hours_text(hours: int, minutes: int, *, with_minutes=True) -> str:
    if with_minutes:
        return gettext("%(h)s 小时 %(m)s 分", h=hours, m=minutes)
    return gettext("%(h)s 小时", h=hours)


def hours_until(instant: datetime | None, now: datetime | None = None) -> str:
    """For the fair board: 3 小时 20 分 until ``instant`` (or how long ago)."""
    if instant is None:
        return ""
    now = now or utcnow()
    seconds = (instant - now).total_seconds()
    hours, rest = divmod(abs(int(seconds)), 3600)
    text = _hours_text(hours, rest // 60)
    return text if seconds >= 0 else gettext("已过 %(time)s", time=text)


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def in_language(text: str | None) -> str:
    """A bilingual service message (``早于上一操作 / before the previous event``) in the page's
    language: the half before `` / `` in Chinese, after it in English."""
    if not text or " / " not in text:
        return text or ""
    chinese, _sep, english = text.partition(" / ")
    return english.strip() if _english() else chinese.strip()


#: The punctuation a page puts between its own words: full-width in Chinese, ASCII with a space in
#: English ("Desk review: 2026-12-01 12:00", not "Desk review：…").
_PUNCTUATION = {
    "colon": ("：", ": "),
    "semicolon": ("；", "; "),
    "enumeration": ("、", ", "),
}


def punct(name: str) -> str:
    """The ``colon``, ``semicolon`` or ``enumeration`` comma of the page's language."""
    return _PUNCTUATION[name][1 if _english() else 0]


def in_parens(text) -> str:
    """``（生成中）`` in Chinese, `` (rendering)`` in English."""
    return f" ({text})" if _english() else f"（{text}）"


def enumeration(items) -> str:
    """Names in a row as the page's language writes them: 甲、乙 in Chinese, "A, B" in English."""
    return punct("enumeration").join(str(item) for item in items)


def domain_message(exc) -> str:
    """A service's refusal in the page's language."""
    if _english() and getattr(exc, "message_en", None):
        return exc.message_en
    return in_language(exc.message)


def fields_summary(fields: dict | None, labels: dict) -> str | None:
    """A refusal's fields as a person reads them, "请更正：电子邮箱（格式不正确）", each reason
    in the page's language (the services write ``中文 / English``); None when a field has no
    label here (the refusal is not about this form's inputs)."""
    if not fields or any(name not in labels for name in fields):
        return None
    parts = [f"{labels[name]}{in_parens(in_language(str(reason)))}" for name, reason in fields.items()]
    return gettext("请更正：%(fields)s", fields=punct("semicolon").join(parts))


def clock_label(workflow_name: str, clock_name: str) -> str:
    """The clock as its procedure names it (审理期限), in the page's language; never its code."""
    import workflows

    module = workflows.WORKFLOWS.get(workflow_name)
    clock = workflows.clock(module, clock_name) if module else None
    return gettext(clock.label) if clock else clock_name


#: What the timeline calls each kind of event (``Event.kind``); a step is named by its trigger.
EVENT_KIND_LABELS = {
    "opened": _l("立卷"),
    "assign": _l("分配"),
    "evidence": _l("证据"),
    "calendar": _l("日历调整"),
    "clock": _l("时限"),
    "alert_ack": _l("预警确认"),
    "draft": _l("文书草稿"),
    "compensation": _l("赔偿数额参考"),
    "mediation_session": _l("调解记录"),
    "delivery_consent": _l("送达地址确认"),
    "service": _l("送达"),
    "party_link": _l("当事人链接"),
    "notice_correction": _l("文书更正"),
    "credit": _l("信用记录"),
}


def event_kind_label(kind: str) -> str:
    """The timeline's name for an event of ``kind``, never its key."""
    label = EVENT_KIND_LABELS.get(kind)
    return str(label) if label is not None else gettext("记录")


#: How a notice was served, as the case page names it (``NoticeDelivery.method``).
SERVICE_METHOD_LABELS = {
    "email": _l("电子邮件"),
    "sms": _l("短信"),
    "post": _l("邮寄"),
    "in_person": _l("直接送达"),
    "public_notice": _l("公告送达"),
}


def _moved_days(workflow: str, data: dict) -> tuple[date, date] | None:
    """A clock move's old and new last days. Its instants are 24:00 of the last day (the next
    day's 00:00): read as a local date they would show each date one day late."""
    from caseflow.timeutil import parse_instant

    unit = _clock_unit(workflow, data["clock"])
    try:
        before = parse_instant(data["due_before"])
        after = parse_instant(data["due_after"])
    except (ValueError, KeyError, TypeError):
        return None
    return deadline_day(before, unit), deadline_day(after, unit)


def _clock_unit(workflow: str, name: str) -> str:
    """The unit a clock counts in (``workdays``, ``days``, ``hours``…) from its definition."""
    import workflows

    module = workflows.WORKFLOWS.get(workflow)
    definition = workflows.clock(module, name) if module else None
    if definition is None or definition.fixed:
        return "fixed" if definition is not None else "days"
    period = definition.period or next(iter(definition.variants.values()), "") or ""
    return period.partition(" ")[2] or "days"


def event_note(event, workflow: str) -> str:
    """What the timeline says about an event. Moves of a clock (the calendar's, a re-timing to
    the date of service) and services are written from their data in the page's language, with
    the clock and the method by name (their stored notes are the audit's words); other notes are
    what people typed."""
    data = event.data or {}
    if event.kind in ("calendar", "clock") and data.get("clock") and data.get("due_before"):
        days = _moved_days(workflow, data)
        if days is None:
            return in_language(event.note)
        before, after = days
        clock = clock_label(workflow, data["clock"])
        if event.kind == "calendar":
            return gettext(
                "%(clock)s：因放假安排调整，到期日由 %(before)s 改为 %(after)s",
                clock=clock,
                before=cn_date(before),
                after=cn_date(after),
            )
        if data.get("served_at"):
            # parties.md §4: the re-timing names the clock, the old and the new due date.
            return gettext(
                "%(clock)s：按送达日期 %(served)s 重新起算，到期日由 %(before)s 改为 %(after)s",
                clock=clock,
                served=cn_date(data["served_at"][:10]),
                before=cn_date(before),
                after=cn_date(after),
            )
    if event.kind == "service" and data.get("method") in SERVICE_METHOD_LABELS:
        method = data["method"]
        note = in_language(event.note)
        if _english() and note.startswith("登记送达："):
            # The notice's title and number as stored (its number is printed on the paper).
            what = note.removeprefix("登记送达：").removesuffix(f"（{method}）")
            return gettext(
                "登记送达：%(notice)s（%(method)s）", notice=what, method=SERVICE_METHOD_LABELS[method]
            ).replace("（", " (").replace("）", ")")
        if note.endswith(f"（{method}）"):
            note = note.removesuffix(f"（{method}）") + f"（{SERVICE_METHOD_LABELS[method]}）"
        return note
    if _english():
        rebuilt = _system_note_english(event, data)
        if rebuilt:
            return rebuilt
    return in_language(event.note)


def _system_note_english(event, data: dict) -> str | None:
    """The English of a note caseflow wrote itself in Chinese (claims, transfers, evidence, a
    mediation session), rebuilt from the event's data; None for a note a person typed. The
    stored note stays the audit's Chinese words (the API and exports print it as written)."""
    note = event.note or ""
    if event.kind == "assign" and note.endswith(" 认领") and data.get("assignee"):
        return gettext("%(name)s 认领", name=note.removesuffix(" 认领"))
    if event.kind == "assign" and data.get("released_from"):
        reason = {
            "inactive": gettext("已停用"),
            "role": gettext("已改为只读用户"),
            "unit": gettext("已调离本单位"),
        }.get(data.get("reason"), "")
        return gettext(
            "承办人 %(user)s %(why)s，案件退回本单位未分配", user=data["released_from"], why=reason
        )
    if event.kind == "opened" and note.startswith("由 ") and note.endswith(" 转入"):
        return gettext("由 %(number)s 转入", number=note[2:-3])
    if event.kind == "evidence" and data.get("filename") and note.startswith("上传证据 "):
        return gettext("上传证据 %(file)s", file=data["filename"])
    if event.kind == "mediation_session" and data.get("held_on"):
        return gettext("调解记录 %(day)s", day=cn_date(data["held_on"]))
    return None


#: The longest a step's text field is shown on the timeline (the whole is in its document).
DETAIL_MAX_CHARS = 200


def event_details(event, workflow: str) -> list[tuple[str, str]]:
    """What a step recorded, as (label, text) by its form's labels: a reason, a hearing's time
    and place, the handlers, an amount. The data is the audit's; the timeline must show it, or
    a suspension reads as a bare word."""
    import workflows

    data = event.data or {}
    if event.kind != "transition" or not data:
        return []
    module = workflows.WORKFLOWS.get(workflow)
    row = workflows.transition(module, event.trigger) if module else None
    if row is None:
        return []
    details = []
    for spec in row.fields:
        value = data.get(spec.name)
        if value is None or value == "" or value == []:
            continue
        details.append((gettext(spec.label), _field_text(spec, value)))
    if data.get("linked_case"):
        details.append((gettext("关联案件"), str(data["linked_case"])))
    return details


def _field_text(spec, value) -> str:
    if spec.type == "instant":
        return cn_datetime(value)
    if spec.type == "choice":
        label = dict(spec.choices).get(value)
        return gettext(label) if label else str(value)
    if spec.type == "boolean":
        return gettext("是") if value else gettext("否")
    if spec.type == "amount":  # the label says 元
        return f"{value:,}" if isinstance(value, int | float) else str(value)
    if spec.type == "photo" and isinstance(value, dict):
        return str(value.get("filename") or "")
    if isinstance(value, list):
        return ("、" if spec.type == "names" else "；").join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= DETAIL_MAX_CHARS else text[:DETAIL_MAX_CHARS] + "…"


def action_label(label: str) -> str:
    """A step's label on a button, as a verb: in English 责令撤展 is "Order withdrawal", while
    the state of the same name is "Withdrawal ordered" (the context ``action`` tells them apart)."""
    from flask_babel import pgettext

    text = pgettext("action", label)
    return text if text != label else gettext(label)


#: (marker, name) in the order they must be tried: Edge and WeChat also say Chrome/Safari.
_BROWSERS = (
    ("MicroMessenger/", "微信"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str | None) -> str:
    """"Chrome 131 · Windows" from a User-Agent header, enough to tell one's browsers apart on
    the account page (the whole header is shown on hover); the header itself when unknown."""
    agent = user_agent or ""
    browser = ""
    for marker, name in _BROWSERS:
        found = re.search(re.escape(marker) + r"(\d+)", agent)
        if found:
            browser = f"{name} {found.group(1)}"
            break
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    label = " · ".join(part for part in (browser, system) if part)
    return label or agent[:60] or "—"


def filters_register(app) -> None:
    app.jinja_env.filters.update(
        cn_date=cn_date,
        cn_datetime=cn_datetime,
        clock_due_text=clock_due_text,
        alert_due_text=alert_due_text,
        alert_provisional=alert_provisional,
        file_size=file_size,
        hours_until=hours_until,
    )
    app.jinja_env.globals.update(BADGE_LABELS=BADGE_LABELS)
