"""The statutory holidays, used for a year whose official schedule is not loaded yet (provisional).

全国年节及纪念日放假办法 (2024 revision, in force from 2025-01-01), art. 2: New Year's Day 1 day,
Spring Festival 4 days (New Year's Eve and days 1–3 of the first lunar month), Qingming 1,
Labour Day 2 (May 1–2), Dragon Boat 1, Mid-Autumn 1, National Day 3 (October 1–3).

Art. 6: a holiday of all citizens that falls on a Saturday or a Sunday is made up on a working
day (补假). The law does not say which; the State Council's notices have always given the working
days right after the holiday (2017: 1月1日放假，1月2日（星期一）补休; 2025 端午 5月31日（周六）,
6月2日 off; 2026 劳动节 and 国庆节 likewise), so a provisional year takes those. Leaving them out
would count the days the law guarantees off as working days, and announce periods shorter than
they will be (Spring Festival 2027 falls on a Saturday and a Sunday).

Deliberately no make-up working weekends (调休上班): the State Council decides those each
November, and until then every deadline touching the year is provisional.
"""

from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby

# The lunisolar tables of the ``holidays`` package (1901–2100); chinesecalendar's own data stops
# at its last official year, so it cannot place Spring Festival 2027.
from holidays.calendars.chinese import _ChineseLunisolar

_LUNAR = _ChineseLunisolar()

NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"


#: The first year of the 2024 revision. Earlier years followed earlier revisions (Spring
#: Festival without its eve, Labour Day one day), so their days are not these.
IN_FORCE_FROM = 2025

#: The holidays' names in English, for messages that give both languages.
NAMES_EN = {
    NEW_YEAR: "New Year's Day",
    SPRING_FESTIVAL: "Spring Festival",
    QINGMING: "Qingming",
    LABOUR_DAY: "Labour Day",
    DRAGON_BOAT: "Dragon Boat Festival",
    MID_AUTUMN: "Mid-Autumn Festival",
    NATIONAL_DAY: "National Day",
}


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The statutory rest days of ``year`` as (day, name), in date order: art. 2's days and the
    art. 6 substitutes for those on a weekend."""
    days = list(statutory_days(year))
    days = sorted(days + _substitute_days(days))
    # Spring Festival's eve can fall in the previous Gregorian year only in theory (earliest new
    # year is Jan 21); keep the year's own days so each year stays self-contained.
    return tuple((day, name) for day, name in days if day.year == year)


@lru_cache(maxsize=256)
def statutory_days(year: int) -> tuple[tuple[date, str], ...]:
    """Art. 2's days of ``year`` as (day, name), in date order: fixed by the law, so every
    official schedule has them off (the State Council's notice only adds days around them, 调休
    and 补假, whose placing the law leaves open)."""
    new_year_day, _ = _LUNAR.lunar_new_year_date(year)
    qingming, _ = _LUNAR.qingming_date(year)
    dragon_boat, _ = _LUNAR.dragon_boat_date(year)
    mid_autumn, _ = _LUNAR.mid_autumn_date(year)
    if new_year_day is None or qingming is None or dragon_boat is None or mid_autumn is None:
        raise ValueError(f"no lunar calendar data for {year}")
    days = [(date(year, 1, 1), NEW_YEAR)]
    days += [(new_year_day + timedelta(days=offset), SPRING_FESTIVAL) for offset in (-1, 0, 1, 2)]
    days += [
        (qingming, QINGMING),
        (date(year, 5, 1), LABOUR_DAY),
        (date(year, 5, 2), LABOUR_DAY),
        (dragon_boat, DRAGON_BOAT),
        (mid_autumn, MID_AUTUMN),
        (date(year, 10, 1), NATIONAL_DAY),
        (date(year, 10, 2), NATIONAL_DAY),
        (date(year, 10, 3), NATIONAL_DAY),
    ]
    return tuple(sorted(days))


def _substitute_days(days: list[tuple[date, str]]) -> list[tuple[date, str]]:
    """Art. 6 补假: for each holiday's days that fall on a weekend, as many working days right
    after the holiday, skipping weekends and the other holidays' days."""
    rest = {day for day, _ in days}
    substitutes: list[tuple[date, str]] = []
    for name, block in groupby(sorted(days), key=lambda entry: entry[1]):
        block_days = [day for day, _ in block]
        owed = sum(day.weekday() >= 5 for day in block_days)
        day = block_days[-1]
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in rest:
                rest.add(day)
                substitutes.append((day, f"{name}（补假）"))
                owed -= 1
    return substitutes
