"""The memos behind due_compute's hot path give what the plain computation gives: the local day of
an instant in any zone (``timeutil.ZoneDays``), and results memoised per last day whatever the
start, the configured zone and the provisional years."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caseflow.calendar import due_compute
from caseflow.calendar.index import LAST_YEAR, WorkingCalendar
from caseflow.calendar.official import builtin_calendar
from caseflow.timeutil import ZoneDays

CAL = builtin_calendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")

#: DST both ways, offsets by half and quarter hours, Sao Paulo's changes at local midnight (to
#: 2019), Lord Howe's half-hour DST, Apia's skipped 30 December 2011.
ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Apia",
]


def _instants_2011_2012(zone: ZoneInfo) -> list[datetime]:
    """Every 89 minutes through 2011–2012, and every minute (with each end ± 1 µs) of each UTC
    hour in which the zone's offset changes."""
    first, hours = datetime(2011, 1, 1, tzinfo=UTC), 2 * 366 * 24
    instants = [first + timedelta(minutes=89 * i) for i in range(hours * 60 // 89)]
    for h in range(hours):
        began = first + timedelta(hours=h)
        end = began + timedelta(hours=1)
        if began.astimezone(zone).utcoffset() != end.astimezone(zone).utcoffset():
            instants += [began + timedelta(minutes=m) for m in range(61)]
            one = timedelta(microseconds=1)
            instants += [began - one, began + one, end - one, end + one]
    return instants


@pytest.mark.parametrize("name", ZONES)
def test_the_local_day_of_a_utc_instant_is_astimezones_in_any_zone(name):
    zone = ZoneInfo(name)
    days = ZoneDays(zone)
    instants = _instants_2011_2012(zone)
    expected = [instant.astimezone(zone).toordinal() for instant in instants]
    assert [days.local_ordinal(instant) for instant in instants] == expected  # filling the memo
    assert [days.local_ordinal(instant) for instant in instants] == expected  # reading it
    assert days.by_utc_hour  # the memo is used (not every hour falls back)


def test_the_local_day_of_an_instant_in_another_time_zone():
    days = ZoneDays(NEW_YORK)
    zero = timezone(timedelta(0), "Z")  # UTC, but not the UTC object (the memo's key)
    for tzinfo in (SHANGHAI, NEW_YORK, timezone(timedelta(hours=-5)), zero, UTC):
        for hour in range(24):
            instant = datetime(2026, 3, 8, hour, 30, tzinfo=tzinfo)  # US DST begins that day
            assert days.local_ordinal(instant) == instant.astimezone(NEW_YORK).toordinal()


def test_end_of_day_is_24_00_local_in_the_zone():
    days = ZoneDays(NEW_YORK)
    assert days.end_of_day(date(2026, 3, 7).toordinal()) == datetime(2026, 3, 8, 5, tzinfo=UTC)
    assert days.end_of_day(date(2026, 3, 8).toordinal()) == datetime(2026, 3, 9, 4, tzinfo=UTC)


def test_due_compute_counts_the_local_days_of_the_configured_zone(app, monkeypatch):
    # 2026-03-07 03:00 UTC is 11:00 on the 7th in Shanghai, 22:00 on the 6th in New York.
    start = datetime(2026, 3, 7, 3, 0, tzinfo=UTC)
    in_shanghai = due_compute(start, "1 days", calendar=CAL)
    assert in_shanghai.last_day_on == date(2026, 3, 8)  # a Sunday: rolls over to Monday
    assert in_shanghai.due_on == date(2026, 3, 9)
    assert in_shanghai.due_at == datetime(2026, 3, 10, tzinfo=SHANGHAI)
    monkeypatch.setitem(app.config, "CASEFLOW_TIMEZONE", "America/New_York")
    in_new_york = due_compute(start, "1 days", calendar=CAL)
    assert in_new_york.last_day_on == date(2026, 3, 7)  # a Saturday: rolls over to Monday too
    assert in_new_york.due_on == date(2026, 3, 9)
    # The same due day, memoised for Shanghai, ends at New York's 24:00 (EDT since the 8th).
    assert in_new_york.due_at == datetime(2026, 3, 10, tzinfo=NEW_YORK)
    again = due_compute(datetime(2026, 3, 8, 3, 0, tzinfo=UTC), "1 days", calendar=CAL)
    assert again.last_day_on == date(2026, 3, 8)
    assert again.due_at == datetime(2026, 3, 10, tzinfo=NEW_YORK)


@pytest.mark.parametrize("order", [1, -1])
def test_a_result_touching_a_provisional_year_depends_on_its_start_not_only_its_last_day(order):
    # 2010 alone provisional: 2009-12-20 + 400 days and 2011-01-10 + 14 days both end 2011-01-24,
    # but only the first counts days of 2010. Either order: neither result is taken for the other.
    calendar = WorkingCalendar({}, [y for y in range(2004, LAST_YEAR + 1) if y != 2010])
    starts = [(datetime(2009, 12, 20, 9, tzinfo=SHANGHAI), "400 days", (2010,))]
    starts.append((datetime(2011, 1, 10, 9, tzinfo=SHANGHAI), "14 days", ()))
    for start, period, years in starts[::order] * 2:
        result = due_compute(start.astimezone(UTC), period, calendar=calendar)
        assert result.last_day_on == date(2011, 1, 24)
        assert result.provisional_years == years
        assert result.provisional == bool(years)
