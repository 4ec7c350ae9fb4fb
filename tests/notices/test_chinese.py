"""Dates as a notice writes them."""

from datetime import date

import pytest

from caseflow.notices.chinese import chinese_numeral_date


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2026, 10, 10), "二〇二六年十月十日"),
        (date(2026, 1, 1), "二〇二六年一月一日"),
        (date(2025, 12, 31), "二〇二五年十二月三十一日"),
        (date(2026, 9, 22), "二〇二六年九月二十二日"),
        (date(2030, 11, 20), "二〇三〇年十一月二十日"),
    ],
)
def test_issue_dates_in_chinese_numerals(day, written):
    assert chinese_numeral_date(day) == written
