"""LIKE patterns from what a person typed into a search box: ``%`` and ``_`` are searched for as
themselves, not as wildcards (a search for ``%`` found every case). Use with ``escape=ESCAPE``."""

ESCAPE = "\\"


def _literal(text: str) -> str:
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
