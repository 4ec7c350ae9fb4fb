"""CNIPA application and patent numbers (caseflow/patents.py): the form since 2003 and its check
digit, computed by hand for each example below."""

import pytest

from caseflow.patents import application_number_clean, check_character, patent_number_clean


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        # 2·2+3·0+4·2+5·6+6·1+7·0+8·0+9·1+2·2+3·3+4·4+5·5 = 111 = 10·11 + 1
        ("202610012345", "1"),
        ("202330123456", "7"),
        ("202630012345", "2"),
        ("200810106666", "X"),  # remainder 10
    ],
)
def test_the_check_character(digits, check):
    assert check_character(digits) == check


def test_an_application_number_is_written_as_cnipa_writes_it():
    assert application_number_clean("202610012345.1") == "202610012345.1"
    assert application_number_clean(" 2008 1010 6666.x ") == "200810106666.X"
    assert application_number_clean("202610012345。1") == "202610012345.1"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "格式不正确"),
        ("2026100123451", "格式不正确"),  # no dot
        ("202610012345.2", "校验位不符（应为1）"),
        ("202640012345.5", "第5位为申请类型"),
        ("200210012345.3", "旧格式"),
        ("02101234.5", "格式不正确"),  # the form before 2003
    ],
)
def test_a_wrong_application_number_says_what_is_wrong(typed, reason):
    with pytest.raises(ValueError, match=reason) as refused:
        application_number_clean(typed)
    assert " / " in str(refused.value)  # and in English


def test_a_patent_number_is_zl_and_an_application_number():
    assert patent_number_clean("ZL 202610012345.1") == "ZL202610012345.1"
    assert patent_number_clean("zl202610012345.1") == "ZL202610012345.1"
    with pytest.raises(ValueError, match="ZL"):
        patent_number_clean("xyz")
    with pytest.raises(ValueError, match="校验位"):
        patent_number_clean("ZL202610012345.2")
