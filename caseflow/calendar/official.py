"""The official schedules 2004–2026 as published by the State Council (国办发明电 each November),
taken from the ``chinesecalendar`` package, which transcribes them with the make-up working days.
"""

from collections import defaultdict
from functools import lru_cache

import chinese_calendar

from caseflow.calendar import statutory
from caseflow.calendar.index import HOLIDAY, WORKDAY, DayException, WorkingCalendar

SOURCE = "chinesecalendar 1.11.0 / 国办发明电"
FIRST_OFFICIAL_YEAR = 2004
LAST_OFFICIAL_YEAR = 2026

#: chinesecalendar names its days in English; people here read the Chinese name.
_NAMES = {
    "New Year's Day": statutory.NEW_YEAR,
    "Spring Festival": statutory.SPRING_FESTIVAL,
    "Tomb-sweeping Day": statutory.QINGMING,
    "Labour Day": statutory.LABOUR_DAY,
    "Dragon Boat Festival": statutory.DRAGON_BOAT,
    "Mid-autumn Festival": statutory.MID_AUTUMN,
    "National Day": statutory.NATIONAL_DAY,
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@lru_cache(maxsize=1)
def official_years() -> dict[int, tuple[DayException, ...]]:
    """Every official year's exceptions, keyed by year."""
    years: dict[int, list[DayException]] = defaultdict(list)
    for kind, table in ((HOLIDAY, chinese_calendar.holidays), (WORKDAY, chinese_calendar.workdays)):
        for day, name in table.items():
            if FIRST_OFFICIAL_YEAR <= day.year <= LAST_OFFICIAL_YEAR:
                years[day.year].append(DayException(day, kind, _NAMES.get(name, name), SOURCE))
    return {
        year: tuple(sorted(years.get(year, ()), key=lambda e: e.day))
        for year in range(FIRST_OFFICIAL_YEAR, LAST_OFFICIAL_YEAR + 1)
    }


@lru_cache(maxsize=1)
def builtin_calendar() -> WorkingCalendar:
    """The calendar as seeded (official 2004–2026, statutory after), with no database.

    Used by pure arithmetic outside an application, e.g. tests and benchmarks; inside the app
    the calendar comes from the database (``caseflow.calendar.services.calendar_current``).
    """
    data = official_years()
    return WorkingCalendar(data, data.keys(), version="builtin")
