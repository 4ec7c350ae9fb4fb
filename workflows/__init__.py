"""The six procedures as data (and the credit register's clocks, ``workflows.credit``). Pure: nothing here imports from ``caseflow``.

``WORKFLOWS`` maps each workflow's ``NAME`` to its module; ``get(name)`` looks one up.
"""

from types import ModuleType

from workflows import adjudication, credit, fair_complaint, intake, mediation, penalty, pre_exam

WORKFLOWS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (intake, pre_exam, adjudication, mediation, fair_complaint, penalty)
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
    """The ``ClockDef`` called ``name`` in ``workflow``, or None. A credit record's clock on the
    case (``credit_publication.17``) is the credit register's definition."""
    found = next((c for c in workflow.CLOCKS if c.name == name), None)
    if found is None and name.startswith(credit.CLOCK_PREFIX):
        of = credit.clock_of(name)
        return of[0] if of else None
    return found
