"""The pages' transaction edge: one helper instead of a try/rollback/flash block in every view.

::

    with committing(form, names={"unit": "unit_id"}) as step:
        fair = fair_create(...)
    if step.failed:
        return _render_list(form, step.status)
    flash(...)
    return redirect(...)

On success the block's writes are committed (and the after-commit effects they registered run,
``caseflow/transaction.py``). A ``DomainError`` raised inside is not raised further: the whole
transaction is rolled back, the message is flashed in the page's language (Chinese, or English
when chosen), the error's ``fields`` are put beside the form's inputs, and ``step`` tells the view
what happened. Any other exception rolls back and propagates (the 500 page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import flash
from sqlalchemy.orm.exc import StaleDataError

from caseflow.errors import DomainError, VersionConflict
from caseflow.extensions import db
from caseflow.web.filters import domain_message, fields_summary
from caseflow.web.forms import field_errors_apply


@dataclass
class Step:
    """What a ``committing`` block came to."""

    #: The refusal, when the block raised one (its transaction then rolled back whole).
    error: DomainError | None = None
    #: The refusal's fields no input of the form took (for a message above the form).
    left: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200

    @property
    def message(self) -> str:
        """The refusal in the page's language."""
        return domain_message(self.error) if self.error is not None else ""


@contextmanager
def committing(
    form=None,
    *,
    names: dict | Callable[[str], str] | None = None,
    flash_error: bool = True,
    on_rollback: Callable[[], object] | None = None,
    labels: dict | None = None,
) -> Iterator[Step]:
    """Commit the block's writes, or roll them all back and report the ``DomainError``.

    ``form``: put the error's ``fields`` beside its inputs, each under ``names[key]`` (or
    ``names(key)``), else its own name. ``flash_error=False`` when the page shows the message
    itself. ``on_rollback`` runs after a rollback (e.g. deleting files the block stored).
    ``labels``: the flashed message names the fields by these (a form with no inputs to put
    them beside), not by the service's keys.
    """
    step = Step()
    try:
        try:
            yield step
            db.session.commit()
        except StaleDataError:  # a versioned row changed under us (at a flush or the commit)
            raise VersionConflict.stale_write() from None
    except DomainError as exc:
        db.session.rollback()
        if on_rollback is not None:
            on_rollback()
        step.error = exc
        if form is not None:
            name_of = names if callable(names) else (lambda key: (names or {}).get(key, key))
            step.left = field_errors_apply(form, exc.fields, name_of)
        if flash_error:
            summary = fields_summary(exc.fields, labels) if labels else None
            flash(summary or domain_message(exc), "error")
    except BaseException:
        db.session.rollback()
        if on_rollback is not None:
            on_rollback()
        raise
