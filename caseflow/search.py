"""LIKE patterns from what a person typed into a search box: ``%`` and ``_`` are searched for as
themselves, not as wildcards (a search for ``%`` found every case). Use with ``escape=ESCAPE``.

A term is cut to ``SEARCH_MAX_CHARS``: no name or title we hold is longer, and SQLite refuses a
LIKE pattern over 50,000 bytes (a 50,001-character search was a 500 there)."""

ESCAPE = "\\"
SEARCH_MAX_CHARS = 300


def search_term(text: str | None) -> str:
    """What a person typed, trimmed and cut to ``SEARCH_MAX_CHARS``."""
    return (text or "").strip()[:SEARCH_MAX_CHARS]


def _literal(text: str) -> str:
    text = text[:SEARCH_MAX_CHARS]
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def containing(text: str) -> str:
    """The pattern of values that contain ``text``."""
    return f"%{_literal(text)}%"


def starting_with(text: str) -> str:
    """The pattern of values that begin with ``text``."""
    return f"{_literal(text)}%"


#: The letters a person may type from paper for the digits the codes' alphabet (Crockford's
#: base 32: no I, L, O or U) never prints as letters.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_as_typed(text: str) -> str:
    """A status or verification code as printed, from what a person typed: upper case, without
    spaces or hyphens, O read as 0 and I or L as 1."""
    return text.strip().upper().replace("-", "").replace(" ", "").translate(_LOOK_ALIKES)
