"""``GET /api/v1/calendar/{year}`` (any user) and ``PUT /api/v1/calendar/{year}`` (admin): read a
year, or load its official schedule with the same effect as ``calendar load``. With ``?unit=ZS``
both concern that unit's local closures of the year instead (``calendar load --unit ZS``).

The PUT body is either the schedule file itself (``text/plain``) or JSON: ``{"text": "…"}`` or
``{"days": [{"date", "kind", "name"}], "source": "…"}``.
"""

from flask import request

from caseflow.api import api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.calendar.index import FIRST_YEAR, LAST_YEAR
from caseflow.calendar.selectors import calendar_unit_closures_get, calendar_year_get
from caseflow.calendar.services import calendar_load, calendar_unit_resolve
from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import iso


def _year(year: int, unit=None) -> dict:
    try:
        if unit is not None:
            return calendar_unit_closures_get(year, unit)
        return calendar_year_get(year)
    except ValueError:
        raise NotFound(
            f"{year} 年不在日历范围内（{FIRST_YEAR}–{LAST_YEAR}）",
            message_en=f"{year} is outside the calendar ({FIRST_YEAR}–{LAST_YEAR})",
        ) from None


def _unit_arg():
    """The unit of ``?unit=CODE``, or None; 404 for an unknown code."""
    code = request.args.get("unit")
    if code is None:
        return None
    try:
        return calendar_unit_resolve(code)
    except ValidationFailed:
        raise NotFound(f"没有单位 {code}", message_en=f"no such unit {code}") from None


@bp.get("/calendar/<int:year>")
def calendar_year_read(year):
    return _year(year, _unit_arg())


def _schedule_text(body: dict) -> str:
    """The schedule of a validated ``CalendarLoad`` body, as the lines of the file."""
    if "text" in body:
        return body["text"]
    return "\n".join(
        f"{day['date']} {day['kind']} {day.get('name', '')}".strip() for day in body["days"]
    )


def _file_text(raw: bytes) -> str:
    """The schedule file sent as the body: UTF-8, a byte-order mark (Notepad's) allowed; any
    other encoding is refused, never read with replacement characters into an official year."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "文件不是 UTF-8 编码的文本",
            message_en="the file is not UTF-8 text",
            fields={"file": "须为 UTF-8 编码 / must be UTF-8"},
        ) from None


@bp.put("/calendar/<int:year>")
def calendar_year_load(year):
    user = api_user()
    if not user.is_admin:
        raise PermissionDenied(
            "只有管理员可以载入日历", message_en="only an admin may load a calendar"
        )
    if request.is_json:
        body = body_check(json_body(), "CalendarLoad")
        text, source = _schedule_text(body), body.get("source")
    else:
        text, source = _file_text(request.get_data()), None
    unit = _unit_arg()
    _year(year)  # 404 for a year outside the calendar
    result = calendar_load(
        text, year=year, source=source or f"api {user.username}", actor=user, unit=unit
    )
    db.session.commit()
    data = _year(year, unit)
    data["moved"] = [
        {
            "case_id": m.case_id,
            "case_number": m.case_number,
            "clock": m.clock_name,
            "due_before": iso(m.due_before),
            "due_after": iso(m.due_after),
            "due_on_before": m.due_on_before.isoformat(),
            "due_on_after": m.due_on_after.isoformat(),
        }
        for m in result.moved
    ]
    return data
