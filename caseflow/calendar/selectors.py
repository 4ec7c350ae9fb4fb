"""Reads of the calendar: a year as people and the API see it, and a unit's local closures."""

from sqlalchemy import select

from caseflow.calendar.index import FIRST_YEAR, LAST_YEAR
from caseflow.calendar.models import CalendarDay, CalendarYear, UnitClosure
from caseflow.calendar.statutory import statutory_holidays
from caseflow.timeutil import iso


def calendar_year_get(year: int) -> dict:
    """A year's status and exceptions; a year never loaded shows its statutory (provisional) days."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{year} is outside the calendar ({FIRST_YEAR}–{LAST_YEAR})")
    from caseflow.extensions import db

    row = db.session.get(CalendarYear, year)
    if row is None:
        return {
            "year": year,
            "status": "provisional",
            "source": "statutory rules (全国年节及纪念日放假办法), no make-up workdays",
            "loaded_at": None,
            "loaded_by": None,
            "days": [
                {"date": day.isoformat(), "kind": "holiday", "name": name, "source": "statutory"}
                for day, name in statutory_holidays(year)
            ],
        }
    days = db.session.execute(
        select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
    ).scalars()
    return {
        "year": year,
        "status": row.status,
        "source": row.source,
        "loaded_at": iso(row.loaded_at),
        "loaded_by": row.loaded_by,
        "days": [
            {"date": d.day.isoformat(), "kind": d.kind, "name": d.name, "source": d.source}
            for d in days
        ],
    }


def calendar_unit_closures_get(year: int, unit) -> dict:
    """A unit's local closures in ``year`` (``unit``: a ``Unit`` or its code)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{year} is outside the calendar ({FIRST_YEAR}–{LAST_YEAR})")
    from caseflow.calendar.services import calendar_unit_resolve
    from caseflow.extensions import db

    unit = calendar_unit_resolve(unit)
    rows = db.session.execute(
        select(UnitClosure)
        .where(UnitClosure.unit_id == unit.id, UnitClosure.year == year)
        .order_by(UnitClosure.day)
    ).scalars()
    return {
        "year": year,
        "unit": unit.code,
        "days": [
            {
                "date": r.day.isoformat(),
                "kind": r.kind,
                "name": r.name,
                "source": r.source,
                "loaded_at": iso(r.loaded_at),
                "loaded_by": r.loaded_by,
            }
            for r in rows
        ],
    }


def unit_closures_loaded() -> list[dict]:
    """Every unit's loaded local closures, one entry per unit and year (by unit code, then
    year): the admin page lists them, each with its way to remove it."""
    from caseflow.accounts.models import Unit
    from caseflow.extensions import db

    rows = db.session.execute(
        select(UnitClosure, Unit.code, Unit.name)
        .join(Unit, Unit.id == UnitClosure.unit_id)
        .order_by(Unit.code, UnitClosure.year, UnitClosure.day)
    ).all()
    loaded: dict[tuple[str, int], dict] = {}
    for closure, code, name in rows:
        entry = loaded.setdefault(
            (code, closure.year),
            {"unit": code, "unit_name": name, "year": closure.year, "days": []},
        )
        entry["days"].append(closure)
    return list(loaded.values())
