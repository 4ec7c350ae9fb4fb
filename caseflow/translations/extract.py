"""A Babel extraction method for the labels declared as data: the workflows' states, steps,
clocks, fields, choices and channels (``workflows/``), the credit register's kinds, statuses and
clocks, and the notice kinds' titles (``caseflow.notices.kinds``). They are data, not ``_()``
calls, so pybabel's Python extractor cannot see them; ``babel.cfg`` maps this method onto
``workflows/__init__.py``. Every step's label is also yielded under the context ``action`` (a
button's verb: 责令撤展 is "Order withdrawal" there, "Withdrawal ordered" as a state)."""

import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def declared_labels() -> Iterator[str]:
    """Every label the workflow modules, the credit register and the notice kinds declare."""
    sys.path.insert(0, str(ROOT))
    import workflows
    from caseflow.notices.kinds import KINDS, TITLES

    for module in workflows.WORKFLOWS.values():
        yield module.LABEL
        yield from (s.label for s in module.STATES)
        yield from (c.label for c in module.CLOCKS)
        for t in module.TRANSITIONS:
            yield t.label
            for f in t.fields:
                yield f.label
                if f.help:
                    yield f.help
                yield from (label for _value, label in f.choices)
            if t.occurred_at_label:
                yield t.occurred_at_label
        yield from (label for _code, label in getattr(module, "CHANNELS", ()))
    yield from (label for _code, label in (*workflows.credit.KINDS, *workflows.credit.STATUSES))
    yield from (c.label for c in workflows.credit.CLOCKS)
    yield from (title for title, _form, _addressee in KINDS.values())
    yield from TITLES.values()


def step_labels() -> Iterator[str]:
    import workflows

    for module in workflows.WORKFLOWS.values():
        yield from (t.label for t in module.TRANSITIONS)


def party_labels() -> Iterator[str]:
    import workflows

    for labels in workflows.PARTY_LABELS.values():
        yield from labels


def extract_declared(fileobj, keywords, comment_tags, options):
    """Babel's extractor interface: (line, function, message, comments) per message."""
    seen = set()
    for label in declared_labels():
        if label and label not in seen:
            seen.add(label)
            yield 0, "gettext", label, []
    for label in dict.fromkeys(step_labels()):
        yield 0, "pgettext", ("action", label), []
    # How each procedure names its parties (被请求人, 当事人…): a role, apart from the same
    # words used elsewhere (当事人 is also the heading "Parties").
    for label in dict.fromkeys(party_labels()):
        yield 0, "pgettext", ("party_role", label), []
