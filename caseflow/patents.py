"""CNIPA application and patent numbers (专利申请号, 专利号): pure functions, no database.

An application number since 1 October 2003 is twelve digits and a check character:
``YYYY`` the filing year, one digit for the type (1 invention, 2 utility model, 3 design; 8 and
9 the PCT applications entering the national phase as inventions and utility models), seven
serial digits, a dot, then the check character: the twelve digits weighted 2, 3, 4, 5, 6, 7, 8,
9, 2, 3, 4, 5, summed, modulo 11, with 10 written ``X`` (CNIPA, 专利申请号标准 ZC 0006-2003).
The older form (eight or nine digits before the dot) is refused: a pre-examination is for an
application filed now. A patent number is ``ZL`` and the application number.
"""

import re

#: ZC 0006-2003: the weights of the twelve digits, in order.
CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
#: The type digit (the fifth): 1 invention, 2 utility model, 3 design, 8/9 PCT national phase.
TYPE_DIGITS = "12389"
#: The first year numbered in the twelve-digit form.
FIRST_YEAR = 2003

_APPLICATION = re.compile(r"^(\d{4})(\d)(\d{7})\.([0-9X])$")
_HOW = "应为年份4位+类型1位+流水号7位+“.”+校验位，如 202610012345.1"
_HOW_EN = "4-digit year, type digit, 7-digit serial, a dot and the check digit, e.g. 202610012345.1"


def check_character(digits: str) -> str:
    """The check character of the twelve ``digits`` (``X`` for 10)."""
    remainder = sum(int(d) * w for d, w in zip(digits, CHECK_WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def application_number_clean(value: str) -> str:
    """The application number as CNIPA writes it, or ValueError with the reason (Chinese /
    English). Blanks are dropped and ``x`` read as ``X``; a full stop typed as 。 or ． is a dot."""
    number = "".join(str(value).split()).upper().replace("。", ".").replace("．", ".")
    match = _APPLICATION.match(number)
    if match is None:
        raise ValueError(f"格式不正确，{_HOW} / not an application number: {_HOW_EN}")
    year, kind, _serial, check = match.groups()
    if int(year) < FIRST_YEAR:
        raise ValueError(
            f"{year}年的旧格式申请号不适用，{_HOW} / numbers before {FIRST_YEAR} use the old form"
        )
    if kind not in TYPE_DIGITS:
        raise ValueError(
            f"第5位为申请类型（1发明、2实用新型、3外观设计、8/9 PCT），不能为{kind} / the fifth "
            f"digit is the type (1, 2, 3, 8 or 9), not {kind}"
        )
    expected = check_character(number[:12])
    if check != expected:
        raise ValueError(
            f"校验位不符（应为{expected}），请核对 / the check digit should be {expected}"
        )
    return number


def patent_number_clean(value: str) -> str:
    """``ZL`` and a valid application number, or ValueError with the reason."""
    number = "".join(str(value).split()).upper()
    if not number.startswith("ZL"):
        raise ValueError(
            "应以“ZL”开头，后接申请号，如 ZL202610012345.1 / ZL and the application number, "
            "e.g. ZL202610012345.1"
        )
    return "ZL" + application_number_clean(number[2:])
