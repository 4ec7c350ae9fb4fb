"""Writes to the calendar: seeding the official years, loading a year's schedule, and the
per-process cache of the working-day index that every deadline is counted on.

Loading a year recomputes every open clock whose window touches it (deadlines.md §1). The
calendar knows nothing of clocks: it announces each change to the hooks registered with
``calendar_on_change`` (the clocks area registers ``clocks_recompute_for_change``, wired in the app
factory), and returns what they report as moved.
"""

import logging
import re
import uuid
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from caseflow.accounts.models import Actor, Unit
from caseflow.calendar import statutory
from caseflow.calendar.index import (
    FIRST_YEAR,
    HOLIDAY,
    KINDS,
    LAST_YEAR,
    WORKDAY,
    DayException,
    WorkingCalendar,
)
from caseflow.calendar.models import CalendarDay, CalendarState, CalendarYear, UnitClosure
from caseflow.calendar.official import SOURCE as OFFICIAL_SOURCE
from caseflow.calendar.official import official_years
from caseflow.errors import PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class _Indexes:
    """What one process knows of one database's calendar at one token: the national index, each
    unit's closures, and the per-unit indexes built from them on first use."""

    token: str | None
    national: WorkingCalendar
    years: dict
    official: list
    closures: dict[int, list[DayException]]
    units: dict[int, WorkingCalendar] = field(default_factory=dict)


#: Per process: database URL → the indexes built for the calendar token they were built from.
_INDEX_CACHE: dict[str, _Indexes] = {}
#: Engine → its URL as text, the key above (rendering a URL costs more than a step's lookups).
_URL_KEYS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: Key in ``Session.info``: the calendar token read in the session's current transaction.
_SESSION_TOKEN = "caseflow.calendar_token"


@event.listens_for(Session, "after_transaction_end")
def _forget_token(session, transaction) -> None:
    # A new transaction may see another process's load, and a savepoint rolled back may have
    # held a load of ours: read the token again after either.
    session.info.pop(_SESSION_TOKEN, None)


_TOKEN = select(CalendarState.token).where(CalendarState.id == 1)


def _current_token():
    """The calendar token, read at most once per transaction (a transition counts several
    deadlines; one read is enough, as they all belong to the same transaction's snapshot)."""
    info = db.session.info
    if _SESSION_TOKEN not in info:
        info[_SESSION_TOKEN] = db.session.execute(_TOKEN).scalar()
    return info[_SESSION_TOKEN]


def calendar_token_seen(token: str) -> None:
    """Record the token a query of the caller's read in this transaction (the clock services read
    it together with a case's clocks), so that ``calendar_current`` need not read it again."""
    db.session.info[_SESSION_TOKEN] = token


def _indexes_build(token) -> _Indexes:
    years: dict[int, list[DayException]] = {}
    official: list[int] = []
    for year_row in db.session.execute(select(CalendarYear)).scalars():
        years[year_row.year] = []
        if year_row.status == "official":
            official.append(year_row.year)
    for day in db.session.execute(select(CalendarDay).order_by(CalendarDay.day)).scalars():
        years.setdefault(day.year, []).append(DayException(day.day, day.kind, day.name, day.source))
    closures: dict[int, list[DayException]] = {}
    rows = db.session.execute(
        select(UnitClosure, Unit.code).join(Unit).order_by(UnitClosure.unit_id, UnitClosure.day)
    )
    for closure, code in rows:
        closures.setdefault(closure.unit_id, []).append(
            DayException(closure.day, closure.kind, closure.name, closure.source, unit=code)
        )
    national = WorkingCalendar(years, official, version=token)
    return _Indexes(token, national, years, official, closures)


def calendar_current(unit_id: int | None = None) -> WorkingCalendar:
    """The working-day index for the app's database, rebuilt only when the calendar changed:
    the national one, or with ``unit_id`` that unit's (the national calendar plus its closures;
    the national one itself for a unit without closures).

    One indexed read of the version token per transaction; another process's load changes the
    token, so every process picks it up in its next transaction. A unit's load changes the same
    token, so one read covers every unit.
    """
    token = _current_token()
    engine = db.engine
    key = _URL_KEYS.get(engine)
    if key is None:
        key = _URL_KEYS[engine] = str(engine.url)
    indexes = _INDEX_CACHE.get(key)
    if indexes is None or indexes.token != token:
        indexes = _INDEX_CACHE[key] = _indexes_build(token)
    if unit_id is None or unit_id not in indexes.closures:
        return indexes.national
    calendar = indexes.units.get(unit_id)
    if calendar is None:
        calendar = indexes.units[unit_id] = WorkingCalendar(
            indexes.years, indexes.official, version=token, closures=indexes.closures[unit_id]
        )
    return calendar


def calendar_version_bump() -> int:
    """Mark the calendar data as changed (inside the caller's transaction)."""
    state = db.session.get(CalendarState, 1, with_for_update=True)
    if state is None:
        state = CalendarState(id=1, version=0, token="")
        db.session.add(state)
    state.version += 1
    state.token = uuid.uuid4().hex
    state.changed_at = utcnow()
    db.session.flush()
    db.session.info[_SESSION_TOKEN] = state.token
    return state.version


def calendar_seed_official(*, commit: bool = True) -> list[int]:
    """Load the official years 2004–2026 from chinesecalendar; years already present are kept.

    Idempotent. Returns the years it added. Commits unless ``commit=False``.
    """
    present = set(db.session.execute(select(CalendarYear.year)).scalars())
    added = []
    for year, days in official_years().items():
        if year in present:
            continue
        db.session.add(CalendarYear(year=year, status="official", source=OFFICIAL_SOURCE))
        db.session.flush()  # the year row first: its days refer to it
        db.session.add_all(
            CalendarDay(day=e.day, year=year, kind=e.kind, name=e.name, source=e.source)
            for e in days
        )
        added.append(year)
    if added:
        db.session.flush()
        calendar_version_bump()
        log.info("calendar: seeded official years %s–%s", added[0], added[-1])
    if commit:
        db.session.commit()
    return added


_LINE_RE = re.compile(r"^(\S+)\s+(\S+)(?:\s+(.*))?$")
#: Lines end at a line break only: ``str.splitlines`` also splits at form feeds, file separators
#: and U+2028, which would number the lines differently from the editor that wrote the file.
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
#: Control characters other than tab, and lone surrogates: no day name has a use for them, and
#: PostgreSQL text cannot hold NUL (it was a 500 there, and stored as-is on SQLite).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def calendar_parse(
    text: str, *, year: int | None = None, local: bool = False
) -> tuple[int, list[DayException]]:
    """Parse a schedule file: ``YYYY-MM-DD holiday NAME`` / ``YYYY-MM-DD workday NAME`` lines.

    Blank lines and ``#`` comments are skipped. Every bad line is reported with its number in one
    ``ValidationFailed`` (fields ``line N``): nothing is loaded from a file with any bad line.
    ``local``: a unit's closures, where a ``workday`` may also be a weekday (a national holiday
    the unit works), and where a file with no dates is allowed when ``year`` is given (it
    removes the unit's closures of that year). A national file must list every statutory day of
    its year as a holiday (``_statutory_missing``).
    """
    # Each error in Chinese and English (the admin page shows the user's language; the API and
    # CLI get both as "中文 / English").
    errors: dict[str, tuple[str, str]] = {}
    days: dict[date, DayException] = {}
    # A byte-order mark (Windows Notepad writes one) is not part of the first line.
    text = text.removeprefix("\ufeff")
    for number, raw in enumerate(_LINE_BREAK_RE.split(text), start=1):
        where = f"line {number}"
        control = _CONTROL_RE.search(raw)
        if control is not None:
            code = f"U+{ord(control.group()):04X}"
            errors[where] = (f"含有控制字符 {code}", f"contains the control character {code}")
            continue
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE_RE.match(line)
        if not match:
            errors[where] = (
                f"格式应为“年-月-日 holiday|workday 名称”，实为 {line!r}",
                f"expected 'YYYY-MM-DD holiday|workday NAME', got {line!r}",
            )
            continue
        day_text, kind, name = (
            match.group(1),
            match.group(2).lower(),
            (match.group(3) or "").strip(),
        )
        try:
            day = date.fromisoformat(day_text)
            if len(day_text) != 10:
                raise ValueError
        except ValueError:
            errors[where] = (
                f"不是有效日期（年-月-日）：{day_text!r}",
                f"not a date (YYYY-MM-DD): {day_text!r}",
            )
            continue
        if kind not in KINDS:
            errors[where] = (
                f"类型应为 holiday 或 workday，实为 {match.group(2)!r}",
                f"kind must be 'holiday' or 'workday', not {match.group(2)!r}",
            )
        elif year is not None and day.year != year:
            errors[where] = (f"{day_text} 不在 {year} 年", f"{day_text} is not in {year}")
        elif not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors[where] = (
                f"{day_text} 超出日历范围（{FIRST_YEAR}–{LAST_YEAR}）",
                f"{day_text} is outside the calendar ({FIRST_YEAR}–{LAST_YEAR})",
            )
        elif day in days:
            errors[where] = (f"{day_text} 重复列出", f"{day_text} is listed twice")
        elif kind == WORKDAY and day.weekday() < 5 and not local:
            errors[where] = (
                f"{day_text} 是工作日：只有周末才能是调休上班日",
                f"{day_text} is a weekday: only a weekend day can be a make-up workday",
            )
        else:
            days[day] = DayException(day, kind, name, "")
    years = sorted({d.year for d in days})
    if not errors and not days:
        if local and year is not None and FIRST_YEAR <= year <= LAST_YEAR:
            # A unit's closures of a year replaced by none: the typhoon notice was withdrawn.
            # A national year is never emptied: its statutory holidays would vanish with it.
            return year, []
        errors["file"] = (
            "没有日期：每行应为“年-月-日 holiday|workday 名称”"
            + ("（要撤销本单位某年的临时停工安排，请指定年份）" if local else ""),
            "no dates: expected lines 'YYYY-MM-DD holiday|workday NAME'"
            + ("; to remove a unit's closures of a year, name the year" if local else ""),
        )
    if len(years) > 1:
        found = ", ".join(map(str, years))
        errors["file"] = (f"一个文件只能有一年，实有 {found}", f"one year per file, found {found}")
    elif years and not errors and not local:
        missing = _statutory_missing(years[0], days)
        if missing:
            errors["file"] = missing
    if errors:
        def _place(key, chinese):
            return key.replace("line ", "第 ") + " 行" if chinese and key.startswith("line ") else (
                "文件" if chinese else key
            )

        summary_zh = "；".join(f"{_place(k, True)}：{zh}" for k, (zh, _en) in errors.items())
        summary_en = "; ".join(f"{k}: {en}" for k, (_zh, en) in errors.items())
        raise ValidationFailed(
            f"日历文件有误，未载入：{summary_zh}",
            message_en=f"calendar not loaded: {summary_en}",
            fields={k: f"{zh} / {en}" for k, (zh, en) in errors.items()},
        )
    return years[0], [days[d] for d in sorted(days)]


def _statutory_missing(year: int, days: dict[date, DayException]) -> tuple[str, str] | None:
    """Why a national file cannot be ``year``'s schedule: the statutory days it does not list as
    holidays, or None. deadlines.md §1: the statutory holidays always apply; a notice only adds
    days around them, so a file without one (a line lost in copying) would make it a working
    day, marked official."""
    if year < statutory.IN_FORCE_FROM:
        return None  # an earlier revision's days; those years come from chinesecalendar
    missing = [
        (day, name)
        for day, name in statutory.statutory_days(year)
        if day.year == year and (day not in days or days[day].kind != HOLIDAY)
    ]
    if not missing:
        return None
    zh = "、".join(f"{day.isoformat()} {name}" for day, name in missing)
    en = ", ".join(f"{day.isoformat()} {statutory.NAMES_EN[name]}" for day, name in missing)
    return (
        f"缺少法定节假日（全国年节及纪念日放假办法第二条，须列为 holiday）：{zh}",
        f"statutory holidays missing (全国年节及纪念日放假办法 art. 2; list them as holiday): {en}",
    )


@dataclass
class LoadResult:
    year: int
    holidays: int
    workdays: int
    #: One per clock whose due date moved (caseflow.clocks.services.DueMove).
    moved: list = field(default_factory=list)
    #: The unit's code for a load of local closures; None for the national calendar.
    unit: str | None = None


@dataclass(frozen=True)
class CalendarChange:
    """What a load or a deletion changed: the national calendar of ``year`` (``unit`` None, every
    day of the year may have moved), or ``unit``'s local closures between ``first`` and ``last``."""

    year: int
    first: date
    last: date
    unit: Unit | None = None


class CalendarHook(Protocol):
    """Told of a calendar change inside the caller's transaction; returns what it moved."""

    def __call__(self, change: CalendarChange, *, actor: Actor | None, at: datetime) -> list: ...


_CHANGE_HOOKS: list[CalendarHook] = []


def calendar_on_change(hook: CalendarHook) -> CalendarHook:
    """Register ``hook`` to be told of every calendar change (once, however often registered)."""
    if hook not in _CHANGE_HOOKS:
        _CHANGE_HOOKS.append(hook)
    return hook


def _changed(change: CalendarChange, *, actor: Actor | None, at: datetime) -> list:
    moved: list = []
    for hook in _CHANGE_HOOKS:
        moved.extend(hook(change, actor=actor, at=at))
    return moved


def _year_changed(year: int, *, actor: Actor | None, at: datetime) -> list:
    return _changed(CalendarChange(year, date(year, 1, 1), date(year, 12, 31)), actor=actor, at=at)


def calendar_unit_resolve(unit) -> Unit:
    """A ``Unit``, from itself, its code (``"ZS"``) or its id; ``ValidationFailed`` if none."""
    if isinstance(unit, Unit):
        return unit
    found = None
    if isinstance(unit, int):
        found = db.session.get(Unit, unit)
    elif isinstance(unit, str) and unit.strip():
        found = db.session.execute(select(Unit).where(Unit.code == unit.strip())).scalar()
    if found is None:
        raise ValidationFailed(
            f"单位不存在：{unit}",
            message_en=f"no such unit {unit}",
            fields={"unit": "未知的单位代码 / unknown unit code"},
        )
    return found


def calendar_load(
    text: str,
    *,
    source: str,
    year: int | None = None,
    actor: Actor | None = None,
    at: datetime | None = None,
    unit=None,
) -> LoadResult:
    """Load one year's official schedule, replacing what was there, and recompute the open clocks
    whose window touches that year. Inside the caller's transaction; does not commit.

    With ``unit`` (a ``Unit`` or its code), the file is that unit's local closures for the year
    instead: they replace the unit's closures of that year, and only that unit's open clocks
    whose window touches a changed day are recomputed. A unit's file with no dates and a
    ``year`` removes that unit's closures of the year.
    """
    _calendar_may_change(actor)
    if unit is not None:
        return _unit_closures_load(
            text, source=source, year=year, actor=actor, at=at, unit=calendar_unit_resolve(unit)
        )
    year, days = calendar_parse(text, year=year)
    at = at or utcnow()
    db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = db.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        db.session.add(row)
    row.status = "official"
    row.source = source[:200]
    row.loaded_at = at
    row.loaded_by = actor.username if actor is not None else None
    db.session.flush()
    db.session.add_all(
        CalendarDay(day=e.day, year=year, kind=e.kind, name=e.name, source=source[:200])
        for e in days
    )
    db.session.flush()
    calendar_version_bump()
    moved = _year_changed(year, actor=actor, at=at)
    log.info(
        "calendar: loaded %s from %s by %s, %d clock(s) moved",
        year,
        source,
        _who(actor),
        len(moved),
    )
    return LoadResult(
        year=year,
        holidays=sum(e.kind == HOLIDAY for e in days),
        workdays=sum(e.kind == WORKDAY for e in days),
        moved=moved,
    )


def _who(actor: Actor | None) -> str:
    """Who changed the calendar, for the log."""
    return actor.username if actor is not None else "the command line"


def _calendar_may_change(actor: Actor | None) -> None:
    """Only an admin changes the calendar (``actor=None``: a command run on the server)."""
    if actor is not None and actor.role != "admin":
        raise PermissionDenied(
            "只有管理员可以载入日历", message_en="only an admin may change the calendar"
        )


def _unit_closures_load(text, *, source, year, actor, at, unit) -> LoadResult:
    year, days = calendar_parse(text, year=year, local=True)
    at = at or utcnow()
    where = (UnitClosure.unit_id == unit.id, UnitClosure.year == year)
    before = {
        r.day: r.kind for r in db.session.execute(select(UnitClosure).where(*where)).scalars()
    }
    db.session.execute(delete(UnitClosure).where(*where))
    db.session.flush()
    db.session.add_all(
        UnitClosure(
            unit_id=unit.id,
            day=e.day,
            year=year,
            kind=e.kind,
            name=e.name,
            source=source[:200],
            loaded_at=at,
            loaded_by=actor.username if actor is not None else None,
        )
        for e in days
    )
    db.session.flush()
    calendar_version_bump()
    after = {e.day: e.kind for e in days}
    moved = _unit_recompute(unit, before, after, year=year, actor=actor, at=at)
    log.info(
        "calendar: loaded %s closures of %s from %s by %s, %d clock(s) moved",
        year,
        unit.code,
        source,
        _who(actor),
        len(moved),
    )
    return LoadResult(
        year=year,
        holidays=sum(e.kind == HOLIDAY for e in days),
        workdays=sum(e.kind == WORKDAY for e in days),
        moved=moved,
        unit=unit.code,
    )


def _unit_recompute(unit, before: dict, after: dict, *, year, actor, at) -> list:
    """Recompute the unit's open clocks over the days whose kind changed (none: nothing)."""
    changed = {d for d in before.keys() | after.keys() if before.get(d) != after.get(d)}
    if not changed:
        return []
    return _changed(
        CalendarChange(year, min(changed), max(changed), unit=unit), actor=actor, at=at
    )


def calendar_year_delete(
    year: int,
    *,
    actor: Actor | None = None,
    at: datetime | None = None,
    recompute: bool = True,
    unit=None,
) -> list:
    """Forget a year's loaded schedule: it becomes provisional again (statutory rules).

    With ``unit``: forget that unit's closures of the year instead (its clocks are recomputed).
    """
    _calendar_may_change(actor)
    if unit is not None:
        unit = calendar_unit_resolve(unit)
        where = (UnitClosure.unit_id == unit.id, UnitClosure.year == year)
        before = {
            r.day: r.kind for r in db.session.execute(select(UnitClosure).where(*where)).scalars()
        }
        db.session.execute(delete(UnitClosure).where(*where))
        db.session.flush()
        calendar_version_bump()
        if not recompute:
            return []
        moved = _unit_recompute(unit, before, {}, year=year, actor=actor, at=at or utcnow())
        log.info(
            "calendar: removed %d closure(s) of %s in %s by %s, %d clock(s) moved",
            len(before),
            unit.code,
            year,
            _who(actor),
            len(moved),
        )
        return moved
    db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    db.session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    db.session.flush()
    calendar_version_bump()
    if not recompute:
        return []
    return _year_changed(year, actor=actor, at=at or utcnow())
