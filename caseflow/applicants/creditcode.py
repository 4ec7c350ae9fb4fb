"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V, so
that nothing reads as a digit): registration authority (1), organisation category (1), the
registering authority's administrative division code (6 digits), the organisation code of
GB 11714 (9), and a check character (1). The check character is chosen so that the weighted sum of
all eighteen, weights 3^i mod 31, is divisible by 31.
"""

import unicodedata

#: The code's alphabet; a character's value is its index (GB 32100-2015 table 1).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1–17: 3^(i-1) mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def credit_code_normalise(text: str) -> str:
    """Full-width characters and lower case folded, surrounding blanks dropped; nothing guessed
    (an O is not turned into a 0: a mistyped code must be refused, not repaired)."""
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def credit_code_check_char(first17: str) -> str:
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` (already normalised) is not a valid credit code, "中文 / English" as a field
    reason reads; None when valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位 / 18 characters, not {len(code)}"
    bad = sorted({char for char in code if char not in ALPHABET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)} / characters not allowed: {''.join(bad)}"
    if not code[2:8].isdigit():
        return (
            "统一社会信用代码第3至8位应为行政区划码（数字） / characters 3–8 must be a region code (digits)"
        )
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确 / the check character is wrong"
    return None


def credit_code_is_valid(text: str) -> bool:
    return credit_code_problem(credit_code_normalise(text)) is None
