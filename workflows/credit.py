"""The credit register (信用记录) as data: record kinds, statuses and clocks (credit.md).

Not a workflow: a record is written by a case's step (the engine's ``credit_record`` effect) or
by a supervisor, and moves through its statuses by the credit services. Its clocks are clock rows
on the record's source case, named ``credit_<clock>.<record id>``, so the SLA sweep alerts them
like any case clock.

Legal basis: SAMR Order 45 (市场监督管理行政处罚信息公示规定, 2021) art 9 (public within 20
working days), art 11 (withdrawn within 3 working days of a revocation), art 13 (displayed 3
years; 3 months for a warning or a small fine) [V]; State Council-approved opinion (2014):
infringement and counterfeiting penalty information public within 20 working days [S, P32];
国家知识产权局知识产权信用管理规定 (2022): refusing to perform a penalty or adjudication is
recorded [S, P30]; credit repair after 6 months (Nanning mirror, P31) [S]; 2018 joint-punishment
MoU: repeat patent infringement [S, P34]; 浦东若干规定 art 10(2): the same patent again after an
effective decision [V].
"""

from workflows._schema import ClockDef

KINDS = (
    ("infringement_decision", "专利侵权行政裁决"),
    ("penalty", "假冒专利行政处罚"),
    ("fair_infringement", "展会侵权"),
    ("repeat_infringement", "重复侵权"),
    ("noncompliance", "拒不执行"),
)

STATUSES = (
    ("pending_publication", "待公示"),
    ("published", "公示中"),
    ("expired", "公示期满"),
    ("repaired", "已信用修复"),
    ("withdrawn", "已撤下"),
)

#: Kinds a supervisor records by hand (``POST /api/v1/credit``); the others come from decisions.
MANUAL_KINDS = ("noncompliance",)

#: Unit-profile defaults (``profile["credit"]``); a unit overrides any of them.
DEFAULTS = {
    # Order 45 art 13 [V]: 3 months for a warning or a 较低数额 fine; the threshold is the
    # unit's [U].
    "small_fine_threshold": 10_000,
    "display": "36 months",
    "display_minor": "3 months",
    "repair_after": "6 months",
    # Publish as soon as the record is written, without a supervisor's step.
    "credit_auto_publish": False,
}

CLOCKS = (
    ClockDef(
        "publication",
        "信用信息公示期限",
        "20 workdays",
        start_basis="the decision",
        basis="SAMR Order 45 art 9; State Council opinion (2014)",
        evidence="V",
    ),
    ClockDef(
        "display",
        "公示期",
        "36 months",
        start_basis="publication",
        basis="SAMR Order 45 art 13: 3 years; 3 months for a warning or a small fine",
        evidence="V",
        variant_key="minor",
        variants={"minor": "3 months"},
    ),
    # Its due day is the last day of waiting; the record's ``repair_eligible_on`` is the day after.
    ClockDef(
        "repair_eligible",
        "信用修复等待期",
        "6 months",
        start_basis="publication",
        basis="credit repair after 6 months (P31), a unit setting",
        evidence="S",
    ),
    ClockDef(
        "withdrawal",
        "撤下期限",
        "3 workdays",
        start_basis="revocation of the source decision",
        basis="SAMR Order 45 art 11",
        evidence="V",
    ),
)

#: Decided cases that found the respondent infringing, by workflow and state (repeat detection
#: looks for these as well as for records). An adjudication counts unless it found no
#: infringement (``data.outcome = not_infringing``).
FINDING_STATES = {
    "penalty": ("decided", "executed"),
    "adjudication": ("decided", "closed"),
    "fair_complaint": ("rectification_ordered", "withdrawal_ordered", "resolved"),
}

CLOCK_PREFIX = "credit_"

#: Periods that end by themselves at their due instant (the sweep stops them met): a display
#: period over, a repair waiting period over. Never "overdue": nobody owes a step at their end.
SELF_ENDING = ("display", "repair_eligible")


def ends_by_itself(name: str) -> bool:
    """Whether the case-clock ``name`` is one of a record's ``SELF_ENDING`` periods."""
    found = clock_of(name)
    return found is not None and found[0].name in SELF_ENDING


#: How the case-clock names of the ``SELF_ENDING`` periods begin (``credit_display.``), for a
#: query to leave them out.
SELF_ENDING_PREFIXES = tuple(f"{CLOCK_PREFIX}{name}." for name in SELF_ENDING)


def clock_name(clock: str, record_id: int) -> str:
    """The case-clock name of a record's clock: ``credit_publication.17``."""
    return f"{CLOCK_PREFIX}{clock}.{record_id}"


def clock_of(name: str):
    """``(ClockDef, record id)`` for a case-clock name written by ``clock_name``, else None."""
    if not name.startswith(CLOCK_PREFIX) or "." not in name:
        return None
    base, _, record_id = name[len(CLOCK_PREFIX) :].partition(".")
    definition = next((c for c in CLOCKS if c.name == base), None)
    if definition is None or not record_id.isdigit():
        return None
    return definition, int(record_id)


def promise_of(name: str) -> str:
    """The promise a case-clock counts for in the on-time figures: one per record clock
    (``credit_publication.17`` → ``credit_publication``), the name itself for any other."""
    found = clock_of(name)
    return f"{CLOCK_PREFIX}{found[0].name}" if found is not None else name


def definition_of(name: str) -> ClockDef | None:
    """The ``ClockDef`` of a record's case-clock (``credit_publication.17``) or of its promise
    (``credit_publication``), else None."""
    found = clock_of(name)
    if found is not None:
        return found[0]
    if name.startswith(CLOCK_PREFIX):
        return next((c for c in CLOCKS if c.name == name[len(CLOCK_PREFIX) :]), None)
    return None
