"""Text as people type or paste it.

``str.strip`` removes whitespace only. A zero-width space (U+200B), a byte-order mark (U+FEFF) or a
direction mark pasted from a web page or a word processor is invisible (Unicode category Cf,
"format"), so a name made only of them looked blank on every page yet passed each "required"
check. Every such check reads the value through ``text_strip``.
"""

import unicodedata


def _invisible(character: str) -> bool:
    return character.isspace() or unicodedata.category(character) == "Cf"


def text_strip(text: str) -> str:
    """``text`` without whitespace or invisible format characters at either end: a value made
    only of them is blank. Those inside (a joiner in a name) are kept."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank(text: str | None) -> bool:
    """True for None, "" and text of whitespace and invisible format characters only."""
    return not text_strip(text or "")


#: What a spreadsheet reads as the start of a formula (``=``, ``+``, ``-``, ``@``) or skips to find
#: one (tab, CR): a party named ``=HYPERLINK(…)`` or an outcome ``=cmd|' /C calc'!A0`` would be
#: evaluated when a court clerk opens an export (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would evaluate ``text`` rather than show it."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_text(value):
    """A CSV cell a spreadsheet shows as typed: a string it would evaluate gets the apostrophe
    that marks text (an XLSX cell gets Excel's quote prefix instead, ``caseflow.web.export``).
    Other values are returned as they are."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value
