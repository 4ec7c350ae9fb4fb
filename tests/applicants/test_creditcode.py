"""The unified social credit code check (GB 32100-2015)."""

import pytest

from caseflow.applicants.creditcode import (
    credit_code_check_char,
    credit_code_is_valid,
    credit_code_normalise,
    credit_code_problem,
)

# Published codes: the standard's own example, 华为技术有限公司, and one ending in a letter.
VALID = ("91350100M000100Y43", "914403001922038216", "91110000802100433B")


@pytest.mark.parametrize("code", VALID)
def test_published_codes_pass(code):
    assert credit_code_problem(code) is None
    assert credit_code_check_char(code[:17]) == code[17]


def test_full_width_and_lower_case_are_folded():
    assert credit_code_normalise(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"
    assert credit_code_is_valid("91350100m000100y43")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y434", "18位"),
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100O43", "不允许的字符：O"),
        ("913501I0M000100Y43", "不允许的字符：I"),
        ("9135A100M000100Y43", "行政区划码"),
    ],
)
def test_bad_codes_say_why(code, reason):
    assert reason in credit_code_problem(code)


def test_every_single_character_change_is_caught():
    code = VALID[0]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for position in range(18):
        for char in alphabet:
            if char == code[position]:
                continue
            changed = code[:position] + char + code[position + 1 :]
            assert not credit_code_is_valid(changed), changed
