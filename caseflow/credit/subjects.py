"""Who a record or a case's respondent is: a unified social credit code, else a normalised name.

Subjects are matched by code; only where no code is known by the name folded as credit.md says
(full-width / half-width, blanks, and the 有限公司 / 有限责任公司 variants), shown as a weaker match.
"""

import re
import unicodedata

from caseflow.applicants.creditcode import credit_code_normalise, credit_code_problem

#: Longest variant first, so 有限责任公司 is folded before 有限公司 could match inside it.
_COMPANY_SUFFIXES = (
    ("股份有限公司", "股份有限公司"),
    ("有限责任公司", "有限公司"),
    ("co.,ltd.", "有限公司"),
    ("co.,ltd", "有限公司"),
    ("coltd", "有限公司"),
)
_BLANKS = re.compile(r"[\s\u3000·・.,，、()（）\[\]【】\"'“”‘’-]+")


def subject_name_key(name: str) -> str:
    """The name folded for matching: NFKC (full-width → half-width), case-folded, blanks and
    punctuation dropped, 有限责任公司 → 有限公司. Nothing else: two companies must not merge."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _BLANKS.sub("", text)
    for variant, folded in _COMPANY_SUFFIXES:
        plain = _BLANKS.sub("", variant)
        if text.endswith(plain):
            return text[: -len(plain)] + folded
    return text


def subject_code_clean(value, field: str, errors: dict) -> str | None:
    """A party's ``code``: normalised, or a checksum error under ``field`` (422 names it)."""
    if value is None or value == "":
        return None
    code = credit_code_normalise(value)
    problem = credit_code_problem(code)
    if problem:
        errors[field] = problem
        return None
    return code
