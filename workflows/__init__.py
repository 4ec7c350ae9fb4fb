"""The six procedures as data (and the credit register's clocks, ``workflows.credit``). Pure: nothing here imports from ``caseflow``.

``WORKFLOWS`` maps each workflow's ``NAME`` to its module; ``get(name)`` looks one up.
"""

from functools import cache

from workflows import adjudication, credit, fair_complaint, intake, mediation, penalty, pre_exam
from workflows._schema import ClockDef, State, Transition, WorkflowModule

#: In the order the documentation and the UI list them. Typed one by one, so that mypy checks each
#: module against ``WorkflowModule``.
MODULES: tuple[WorkflowModule, ...] = (
    intake,
    pre_exam,
    adjudication,
    mediation,
    fair_complaint,
    penalty,
)
WORKFLOWS: dict[str, WorkflowModule] = {module.NAME: module for module in MODULES}


#: How each procedure names its two parties (on its rulings, in its timeline).
PARTY_LABELS = {
    "adjudication": ("请求人", "被请求人"),
    # As the workflow's steps and its 调解意见征询函 name them (procedures.md §4).
    "mediation": ("请求人", "被请求人"),
    "fair_complaint": ("投诉人", "被投诉人"),
    "penalty": ("举报人", "当事人"),
}


#: Procedures with one party: a pre-examination has its applicant and no respondent.
SINGLE_PARTY = frozenset({"pre_exam"})


def party_roles(name: str) -> tuple[str, ...]:
    """The party roles a case of workflow ``name`` has (``complainant`` is the applicant)."""
    return ("complainant",) if name in SINGLE_PARTY else ("complainant", "respondent")


def get(name: str) -> WorkflowModule:
    """The workflow module called ``name``; ``KeyError`` when there is none."""
    return WORKFLOWS[name]


def state(workflow: WorkflowModule, name: str) -> State | None:
    """The ``State`` called ``name`` in ``workflow``, or None."""
    return next((s for s in workflow.STATES if s.name == name), None)


def transition(workflow: WorkflowModule, trigger: str) -> Transition | None:
    """The ``Transition`` row for ``trigger`` in ``workflow``, or None."""
    return next((t for t in workflow.TRANSITIONS if t.trigger == trigger), None)


def clock(workflow: WorkflowModule, name: str) -> ClockDef | None:
    """The ``ClockDef`` called ``name`` in ``workflow``, or None. A credit record's clock on the
    case (``credit_publication.17``), or the promise it counts for (``credit_publication``), is the
    credit register's definition."""
    found = next((c for c in workflow.CLOCKS if c.name == name), None)
    if found is None and name.startswith(credit.CLOCK_PREFIX):
        return credit.definition_of(name)
    return found


def is_court_clock(workflow_name: str, clock_name: str) -> bool:
    """Whether the clock is a court's period (counted on the national calendar only)."""
    module = WORKFLOWS.get(workflow_name)
    definition = clock(module, clock_name) if module else None
    return bool(definition is not None and getattr(definition, "court", False))


@cache
def watch_clock_names() -> frozenset:
    """Names of the watch clocks (``ClockDef.watch``): someone else's deadline the centre follows
    (a court's ruling). They alert the caseworker but never count as the centre's lateness."""
    return frozenset(c.name for m in WORKFLOWS.values() for c in m.CLOCKS if c.watch)


@cache
def uncounted_clock_names() -> frozenset:
    """Names of the clocks that are not the centre's own deadline: the watch clocks and the
    parties' periods (``ClockDef.party``). They alert the caseworker, never escalate, and count
    in no on-time, late or 临期 figure of the centre."""
    return frozenset(
        c.name for m in WORKFLOWS.values() for c in m.CLOCKS if c.watch or c.party
    )


def is_centre_clock(name: str) -> bool:
    """Whether the case-clock ``name`` is the centre's own deadline, the only clocks its 超期,
    临期 and on-time figures count (deadlines.md §4): not a watch clock or a party's period
    (``uncounted_clock_names``), nor a credit record's period that ends by itself
    (``credit.SELF_ENDING``: nobody owes a step at its end)."""
    return name not in uncounted_clock_names() and not credit.ends_by_itself(name)
