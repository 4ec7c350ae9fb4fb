"""Period arithmetic on the real 2025 and 2026 schedules (deadlines.md §2). No database: every
call passes the built-in calendar (official 2004–2026 from chinesecalendar, statutory after)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caseflow.calendar import due_compute, due_explain, parse_period
from caseflow.calendar.official import builtin_calendar
from caseflow.calendar.periods import Period

CAL = builtin_calendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """A local (Asia/Shanghai) wall time, 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM'."""
    if len(text) == 10:
        text += "T00:00"
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_of(day: str) -> datetime:
    """24:00 local of ``day`` as a UTC instant."""
    return (local(day) + timedelta(days=1)).astimezone(UTC)


def due(start: str, period: str):
    return due_compute(local(start), period, calendar=CAL)


# -- the three examples of deadlines.md §2 ---------------------------------------------------


def test_spec_example_five_workdays_ends_on_a_make_up_saturday():
    result = due("2026-09-28T10:00", "5 workdays")
    assert result.due_on == date(2026, 10, 10)
    assert result.due_at == end_of("2026-10-10") == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)
    assert result.last_day_on == date(2026, 10, 10)
    assert result.provisional is False


def test_spec_example_fifteen_days_rolls_over_national_day():
    result = due("2026-09-22", "15 days")
    assert result.last_day_on == date(2026, 10, 7)
    assert result.due_on == date(2026, 10, 8)
    assert result.due_at == end_of("2026-10-08")


def test_spec_example_one_month_from_jan_31_clamps_to_a_working_saturday():
    result = due("2026-01-31", "1 months")
    assert result.last_day_on == date(2026, 2, 28)
    assert result.due_on == date(2026, 2, 28)
    assert result.due_at == end_of("2026-02-28")


# -- make-up working weekends (调休) count -------------------------------------------------


@pytest.mark.parametrize(
    "start, expected",
    [
        ("2025-01-25", date(2025, 1, 26)),  # Sunday before Spring Festival 2025
        ("2025-02-07", date(2025, 2, 8)),  # Saturday after it
        ("2025-04-26", date(2025, 4, 27)),  # Sunday before Labour Day
        ("2025-09-27", date(2025, 9, 28)),  # Sunday before National Day
        ("2025-10-10", date(2025, 10, 11)),  # Saturday after it
        ("2026-01-03", date(2026, 1, 4)),  # Sunday after New Year 2026
        ("2026-02-13", date(2026, 2, 14)),  # Saturday before Spring Festival 2026
        ("2026-09-19", date(2026, 9, 20)),  # Sunday before National Day 2026
    ],
)
def test_one_workday_from_the_day_before_lands_on_the_make_up_weekend_day(start, expected):
    assert expected.weekday() >= 5
    assert due(start, "1 workdays").due_on == expected


def test_ordinary_weekend_is_skipped():
    # Friday 2026-03-06 → Monday 2026-03-09.
    assert due("2026-03-06T16:30", "1 workdays").due_on == date(2026, 3, 9)


# -- holiday spans are skipped -------------------------------------------------------------


def test_spring_festival_2025_span_is_skipped():
    # 2025-01-28 … 02-04 rest; 01-26 (Sun) worked.
    assert due("2025-01-24", "1 workdays").due_on == date(2025, 1, 26)
    assert due("2025-01-24", "2 workdays").due_on == date(2025, 1, 27)
    assert due("2025-01-24", "3 workdays").due_on == date(2025, 2, 5)


def test_spring_festival_2026_span_is_skipped_with_make_up_saturdays():
    # 02-13 Fri (1), 02-14 Sat worked (2), 02-15…02-23 rest, 02-24 Tue (3).
    assert due("2026-02-12T09:00", "3 workdays").due_on == date(2026, 2, 24)
    # …and the next Saturday 02-28 is worked too.
    assert due("2026-02-26", "2 workdays").due_on == date(2026, 2, 28)


def test_national_day_2025_span_is_skipped():
    # 2025-10-01 … 10-08 rest; 09-28 (Sun) and 10-11 (Sat) worked.
    # 09-30 (1), 10-01…10-08 skipped, 10-09 (2), 10-10 (3), 10-11 Sat (4).
    assert due("2025-09-29", "2 workdays").due_on == date(2025, 10, 9)
    assert due("2025-09-29", "4 workdays").due_on == date(2025, 10, 11)


# -- days and months: month ends and roll-over ---------------------------------------------


@pytest.mark.parametrize(
    "start, period, last, due_on",
    [
        ("2025-01-31", "1 months", date(2025, 2, 28), date(2025, 2, 28)),  # Friday, working
        ("2024-01-31", "1 months", date(2024, 2, 29), date(2024, 2, 29)),  # leap year
        ("2025-03-31", "1 months", date(2025, 4, 30), date(2025, 4, 30)),
        ("2025-08-31", "1 months", date(2025, 9, 30), date(2025, 9, 30)),
        ("2025-12-31", "2 months", date(2026, 2, 28), date(2026, 2, 28)),  # clamp + make-up Sat
        ("2025-11-30", "3 months", date(2026, 2, 28), date(2026, 2, 28)),
        ("2025-12-01", "1 months", date(2026, 1, 1), date(2026, 1, 4)),  # New Year → make-up Sun
        ("2026-07-07", "3 months", date(2026, 10, 7), date(2026, 10, 8)),  # National Day
        ("2025-09-16", "15 days", date(2025, 10, 1), date(2025, 10, 9)),  # National Day 2025
        ("2025-01-13", "15 days", date(2025, 1, 28), date(2025, 2, 5)),  # Spring Festival 2025
        ("2026-03-06", "1 days", date(2026, 3, 7), date(2026, 3, 9)),  # a plain weekend
    ],
)
def test_days_and_months_roll_over_to_the_first_working_day(start, period, last, due_on):
    result = due(start, period)
    assert (result.last_day_on, result.due_on) == (last, due_on)
    assert result.due_at == end_of(due_on.isoformat())


def test_start_day_is_not_counted_whatever_the_hour():
    assert due("2026-03-02T00:00", "1 days").due_on == date(2026, 3, 3)
    assert due("2026-03-02T23:59", "1 days").due_on == date(2026, 3, 3)
    assert due("2026-03-02T00:00", "1 workdays").due_on == date(2026, 3, 3)


def test_the_local_day_decides_not_the_utc_day():
    # 2026-09-28 20:00 UTC is 09-29 04:00 in Shanghai: the start day is 09-29.
    start = datetime(2026, 9, 28, 20, 0, tzinfo=UTC)
    assert due_compute(start, "1 workdays", calendar=CAL).due_on == date(2026, 9, 30)


# -- hours ---------------------------------------------------------------------------------


def test_hours_run_across_midnight_and_weekends_without_roll_over():
    result = due("2026-03-06T18:00", "72 hours")  # Friday evening
    assert result.due_at == local("2026-03-09T18:00").astimezone(UTC)
    assert result.last_day_on is None and result.provisional is False
    # across midnight into a holiday: still exact
    assert due("2026-09-30T20:00", "24 hours").due_at == local("2026-10-01T20:00").astimezone(UTC)


def test_hours_from_a_utc_instant_are_exact():
    start = datetime(2026, 10, 3, 23, 30, tzinfo=UTC)
    assert due_compute(start, "5 hours", calendar=CAL).due_at == datetime(
        2026, 10, 4, 4, 30, tzinfo=UTC
    )


# -- provisional years ---------------------------------------------------------------------


def test_a_result_in_2027_is_provisional_and_uses_the_statutory_holidays():
    # 12-29, 12-30, 12-31, (2027-01-01 New Year, 01-02/03 weekend), 01-04, 01-05.
    result = due("2026-12-28", "5 workdays")
    assert result.due_on == date(2027, 1, 5)
    assert result.provisional is True
    assert result.provisional_years == (2027,)


def test_statutory_spring_festival_2027_is_eve_three_days_and_their_substitutes_no_make_up_days():
    # Eve 02-05 (Fri), 02-06…02-08 (Sat–Mon), and 02-09, 02-10 made up for the weekend (放假办法
    # art. 6): the first working day after 02-04 is 02-11.
    result = due("2027-02-04", "1 workdays")
    assert result.due_on == date(2027, 2, 11)
    assert result.provisional
    # 5 workdays from Monday 02-01: 02-02, 02-03, 02-04, 02-11, 02-12.
    assert due("2027-02-01", "5 workdays").due_on == date(2027, 2, 12)
    days_2027 = [date(2027, 1, 1) + timedelta(days=i) for i in range(365)]
    exceptions = [CAL.exception(day) for day in days_2027]
    # 1 + 4 + 1 + 2 + 1 + 1 + 3 statutory days, 2 + 2 + 2 substitutes; no make-up workdays.
    assert [e.kind for e in exceptions if e] == ["holiday"] * 19


def test_results_inside_official_years_are_not_provisional():
    assert not due("2026-12-01", "10 workdays").provisional
    assert not due("2025-12-20", "1 months").provisional


# -- parsing and explaining ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5 workdays", Period(5, "workdays")),
        ("15 days", Period(15, "days")),
        ("3 months", Period(3, "months")),
        ("24 hours", Period(24, "hours")),
        (" 1 month ", Period(1, "months")),
        ("1 workday", Period(1, "workdays")),
    ],
)
def test_parse_period(text, expected):
    assert parse_period(text) == expected
    assert str(parse_period(str(expected))) == str(expected)


@pytest.mark.parametrize(
    "text", ["", "5", "workdays", "five days", "5 weeks", "0 days", "-1 days", "5.5 days"]
)
def test_parse_period_refuses_with_a_clear_message(text):
    with pytest.raises(ValueError, match="period"):
        parse_period(text)


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="naive"):
        due_compute(datetime(2026, 1, 5, 9, 0), "1 days", calendar=CAL)


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(ValueError, match="outside the working-day calendar"):
        due_compute(local("2003-06-02"), "1 workdays", calendar=CAL)


def test_explain_lists_counted_and_skipped_days_with_names():
    lines = due_explain(local("2026-09-28T10:00"), "5 workdays", calendar=CAL)
    text = "\n".join(lines)
    assert "2026-10-01 Thu skipped  holiday 国庆节" in text
    assert "2026-10-10 Sat counted 5  make-up workday (调休) 国庆节" in text
    assert lines[-1] == "due end of 2026-10-10 (24:00 Asia/Shanghai)"


def test_explain_shows_the_roll_over():
    text = "\n".join(due_explain(local("2026-09-22"), "15 days", calendar=CAL))
    assert "last day 2026-10-07 Wed = start + 15 days" in text
    assert "roll over" in text and "due end of 2026-10-08" in text
