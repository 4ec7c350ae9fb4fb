"""The calendar data: the seeded official years agree with chinesecalendar and with the
``holidays`` package's make-up days, and the statutory rules give the provisional years."""

from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest
from sqlalchemy import func, select

from caseflow.calendar.index import FIRST_YEAR
from caseflow.calendar.models import CalendarDay, CalendarState, CalendarYear
from caseflow.calendar.official import builtin_calendar
from caseflow.calendar.services import calendar_current, calendar_seed_official
from caseflow.calendar.statutory import statutory_holidays
from caseflow.extensions import db


def days_of(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2025, 2026])
def test_seeded_year_agrees_with_the_holidays_package_day_by_day(year):
    calendar = calendar_current()  # built from the seeded database rows
    china = holidays.China(years=year)
    make_up = {d for d in china.weekend_workdays if d.year == year}
    ours = {d for d in days_of(year) if d.weekday() >= 5 and calendar.is_workday(d)}
    assert ours == make_up and len(ours) >= 5
    for day in days_of(year):
        assert calendar.is_workday(day) == china.is_working_day(day), day


def test_seeded_years_are_the_official_ones_with_their_source():
    rows = db.session.execute(select(CalendarYear).order_by(CalendarYear.year)).scalars().all()
    assert [r.year for r in rows if r.status == "official"][:23] == list(range(2004, 2027))
    assert all(r.source == "chinesecalendar 1.11.0 / 国办发明电" for r in rows if r.year <= 2026)


def test_database_calendar_equals_chinesecalendar_2004_to_2026():
    calendar = calendar_current()
    for day in (date(FIRST_YEAR, 1, 1) + timedelta(days=i) for i in range(0, 23 * 365, 3)):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day


def test_seed_is_idempotent_and_keeps_the_version():
    before = db.session.execute(select(func.count()).select_from(CalendarDay)).scalar()
    version = db.session.get(CalendarState, 1).version
    assert calendar_seed_official() == []
    assert db.session.execute(select(func.count()).select_from(CalendarDay)).scalar() == before
    assert db.session.get(CalendarState, 1).version == version


def test_the_index_is_cached_until_the_version_changes():
    assert calendar_current() is calendar_current()


def test_statutory_holidays_2027():
    # 放假办法 art. 6: Spring Festival (Sat 6, Sun 7 February), Labour Day (Sat 1, Sun 2 May)
    # and National Day (Sat 2, Sun 3 October) each owe two working days off right after.
    assert statutory_holidays(2027) == (
        (date(2027, 1, 1), "元旦"),
        (date(2027, 2, 5), "春节"),
        (date(2027, 2, 6), "春节"),
        (date(2027, 2, 7), "春节"),
        (date(2027, 2, 8), "春节"),
        (date(2027, 2, 9), "春节（补假）"),
        (date(2027, 2, 10), "春节（补假）"),
        (date(2027, 4, 5), "清明节"),
        (date(2027, 5, 1), "劳动节"),
        (date(2027, 5, 2), "劳动节"),
        (date(2027, 5, 3), "劳动节（补假）"),
        (date(2027, 5, 4), "劳动节（补假）"),
        (date(2027, 6, 9), "端午节"),
        (date(2027, 9, 15), "中秋节"),
        (date(2027, 10, 1), "国庆节"),
        (date(2027, 10, 2), "国庆节"),
        (date(2027, 10, 3), "国庆节"),
        (date(2027, 10, 4), "国庆节（补假）"),
        (date(2027, 10, 5), "国庆节（补假）"),
    )


def test_a_holiday_on_a_saturday_is_made_up_on_the_monday_after():
    # 2028: New Year's Day on a Saturday; Dragon Boat on a Sunday.
    days = dict(statutory_holidays(2028))
    assert days[date(2028, 1, 3)] == "元旦（补假）" and date(2028, 1, 2) not in days
    assert days[date(2028, 5, 29)] == "端午节（补假）"


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_rules_are_contained_in_the_official_schedules(year):
    # The 2024 revision applies from 2025: every statutory day is a rest day in the real notice,
    # the substitute days included (2025: 端午 Sat 31 May → Mon 2 June; 2026: 清明 Sun 5 April →
    # Mon 6 April, 劳动节 Sat 2 May → Mon 4 May, 国庆节 Sat 3 October → Mon 5 October).
    calendar = builtin_calendar()
    for day, name in statutory_holidays(year):
        assert not calendar.is_workday(day), (day, name)
