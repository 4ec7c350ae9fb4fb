"""Dates as a notice writes them."""

from datetime import date

import pytest

from caseflow.notices.chinese import chinese_numeral_date
from caseflow.notices.render import right_text


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


@pytest.mark.parametrize(
    ("right", "written"),
    [
        (
            {"kind": "patent", "number": "ZL202310123456.7", "patent_type": "invention"},
            "ZL202310123456.7号发明专利",
        ),
        ({"kind": "patent", "patent_type": "design"}, "外观设计专利"),
        ({"kind": "trademark", "number": "35123456"}, "第35123456号注册商标"),
        ({"kind": "trademark", "number": "第35123456号"}, "第35123456号注册商标"),
        (
            {"kind": "copyright", "number": "国作登字-2026-F-00012345"},
            "登记号为国作登字-2026-F-00012345的作品著作权",
        ),
    ],
)
def test_rights_as_the_body_names_them(right, written):
    assert right_text(right) == written


@pytest.mark.parametrize(
    ("period", "written"),
    [
        ("15 days", "十五日"),
        ("5 workdays", "五个工作日"),
        ("3 months", "三个月"),
        ("24 hours", "二十四小时"),
    ],
)
def test_a_period_from_receipt_is_written_as_the_law_words_it(period, written):
    from caseflow.notices.chinese import period_text

    assert period_text(period) == written
