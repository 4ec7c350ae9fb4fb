"""The five procedures as data. Pure: nothing here imports from ``caseflow``.

``WORKFLOWS`` maps each workflow's ``NAME`` to its module; ``get(name)`` looks one up.
"""

from functools import cache
from types import ModuleType

from workflows import adjudication, fair_complaint, intake, mediation, pre_exam

WORKFLOWS: dict[str, ModuleType] = {
    module.NAME: module for module in (intake, pre_exam, adjudication, mediation, fair_complaint)
}


def get(name: str) -> ModuleType:
    """The workflow module called ``name``; ``KeyError`` when there is none."""
    return WORKFLOWS[name]


def state(workflow: ModuleType, name: str):
    """The ``State`` called ``name`` in ``workflow``, or None."""
    return next((s for s in workflow.STATES if s.name == name), None)


def transition(workflow: ModuleType, trigger: str):
    """The ``Transition`` row for ``trigger`` in ``workflow``, or None."""
    return next((t for t in workflow.TRANSITIONS if t.trigger == trigger), None)


def clock(workflow: ModuleType, name: str):
    """The ``ClockDef`` called ``name`` in ``workflow``, or None."""
    return next((c for c in workflow.CLOCKS if c.name == name), None)


@cache
def watch_clock_names() -> frozenset:
    """Names of the watch clocks (``ClockDef.watch``): someone else's deadline the centre follows
    (a court's ruling). They alert the caseworker but never count as the centre's lateness."""
    return frozenset(c.name for m in WORKFLOWS.values() for c in m.CLOCKS if c.watch)
