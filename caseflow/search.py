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
