"""The vocabulary the workflow modules are written in: frozen dataclasses, no behaviour.

A workflow module declares ``STATES``, ``INITIAL``, ``TRANSITIONS`` (in the order a case normally
moves), ``CLOCKS`` and ``OPENING_CLOCKS``; the engine (``caseflow.engine``) reads them, the web UI
builds one form per trigger from ``Transition.fields``, the API publishes them.

Clock periods are written the way the calendar parses them: ``5 workdays``, ``15 days``,
``3 months``, ``24 hours``. Every period is a default: a unit overrides it in
``Unit.profile["clocks"]`` (see ``clock_period`` below and ``workflows/profiles.py``).
"""

from dataclasses import dataclass, field

#: Who a notice is addressed to; the notices area resolves it to a party of the case.
ADDRESSEES = ("complainant", "respondent", "applicant", "exhibitor")

#: Field types the engine validates and the UI renders.
#: ``string`` one line; ``text`` several lines; ``instant`` an ISO 8601 date-time;
#: ``choice`` one of ``choices``; ``names`` a list of non-empty strings; ``boolean``;
#: ``unit`` the code of an existing unit (the UI offers a picker of the units there are);
#: ``photo`` a photo taken on the spot: the UI uploads it as evidence of the case and sends its
#: evidence id, which the engine turns into ``{"evidence_id", "filename", "sha256"}`` (an API
#: client may send a text reference instead, as before).
FIELD_TYPES = ("string", "text", "instant", "choice", "names", "boolean", "unit", "photo")

#: Clock effects a transition may have, applied in the order written.
#: ``start`` of a clock that is already active restarts it (the old row is stopped first).
#: ``stop``/``pause``/``resume``/``extend`` of a clock the case does not have active are skipped:
#: e.g. ``closing_target`` exists only where the unit promised one.
CLOCK_ACTIONS = (
    "start",
    "stop",
    "pause",
    "resume",
    "extend",
    "cancel",
    "stop_all",
    "pause_all",
    "resume_all",
)


@dataclass(frozen=True)
class State:
    name: str
    label: str
    final: bool = False


@dataclass(frozen=True)
class Field:
    """One item of ``data`` a trigger takes; the UI renders it, the engine checks it."""

    name: str
    type: str
    label: str
    required: bool = True
    #: For ``choice``: ``((value, label), ...)``.
    choices: tuple = ()
    help: str = ""

    @property
    def choice_values(self) -> tuple:
        return tuple(value for value, _label in self.choices)


@dataclass(frozen=True)
class Guard:
    """A named condition checked before the state changes; ``params`` tune it.

    Known names (implemented in ``caseflow.engine.GUARDS``):
    ``clock_settled`` (``clock``): the case has no active (running or paused) clock of that name;
    ``clock_expired`` (``clock``): the case's last clock of that name is due at or before
    ``occurred_at``; ``min_notice`` (``field``, ``period``): the instant in ``data[field]`` is
    on or after the start of the ``period``-th working day after ``occurred_at``;
    ``odd_count`` (``field``, ``minimum``): ``data[field]`` lists an odd number, at least minimum.
    """

    name: str
    params: dict = field(default_factory=dict)
    #: What the user is told when it fails.
    message: str = ""
    message_en: str = ""


@dataclass(frozen=True)
class ClockEffect:
    action: str
    clock: str | None = None


@dataclass(frozen=True)
class NoticeSpec:
    """The notice (文书) a transition issues, and to whom."""

    kind: str
    addressee: str = "complainant"


@dataclass(frozen=True)
class LinkSpec:
    """A case this transition opens and links to, in the target workflow's initial state.

    It opens when ``data[when_field]`` is one of ``when_values``. The target workflow is
    ``workflow``, or the value of ``data[workflow_field]``. ``unit_field`` names a data field that
    may carry another unit's code (a fair desk referring to a centre); default: the same unit.
    """

    kind: str
    when_field: str
    when_values: tuple
    workflow: str | None = None
    workflow_field: str | None = None
    unit_field: str | None = None


@dataclass(frozen=True)
class Transition:
    trigger: str
    label: str
    sources: tuple
    #: None: the case stays in its state (e.g. an extension).
    dest: str | None
    roles: tuple
    guards: tuple = ()
    fields: tuple = ()
    clocks: tuple = ()
    notice: NoticeSpec | None = None
    opens: LinkSpec | None = None
    #: Read by the UI: what ``occurred_at`` means for this step (e.g. the respondent's receipt).
    occurred_at_label: str = ""


@dataclass(frozen=True)
class ClockDef:
    """A deadline's definition. ``period`` is the default; ``variants`` override it by the value
    of ``variant_key`` (``patent_type`` from the case's right, or ``complaint_type`` from its data).
    ``period=None`` and no variant: the clock does not run unless a unit profile sets it.
    ``fixed`` names an instant instead of a period (``fair_close``: the fair's ``closes_at``);
    ``cap`` names an instant the due date never passes."""

    name: str
    label: str
    period: str | None
    start_basis: str
    basis: str
    evidence: str
    variant_key: str | None = None
    variants: dict = field(default_factory=dict)
    fixed: str | None = None
    cap: str | None = None
    extension_step: str | None = None
    extension_max: str | None = None


# Short constructors so a transition table reads like the procedure.
def start(clock):
    return ClockEffect("start", clock)


def stop(clock):
    return ClockEffect("stop", clock)


def pause(clock):
    return ClockEffect("pause", clock)


def resume(clock):
    return ClockEffect("resume", clock)


def extend(clock):
    return ClockEffect("extend", clock)


STOP_ALL = ClockEffect("stop_all")
PAUSE_ALL = ClockEffect("pause_all")
RESUME_ALL = ClockEffect("resume_all")

REASON = Field("reason", "text", "理由")


def clock_period(clock: ClockDef, *, profile: dict | None = None, variant: str | None = None):
    """The period a unit uses for ``clock``, or None when the clock does not run there.

    ``profile["clocks"][name]`` is either a period string (for every variant), ``None`` (the unit
    switches the clock off) or a dict ``{variant: period}``; a variant missing from that dict falls
    back to the workflow's default for it.
    """
    overrides = (profile or {}).get("clocks") or {}
    if clock.name in overrides:
        override = overrides[clock.name]
        if override is None or isinstance(override, str):
            return override
        if variant in override:
            return override[variant]
    if variant is not None and variant in clock.variants:
        return clock.variants[variant]
    return clock.period


def clock_extension(clock: ClockDef, *, profile: dict | None = None):
    """``(step, maximum)`` of an extension; a unit may override them in
    ``profile["extensions"][name] = {"step": "1 months", "max": "2 months"}``."""
    override = ((profile or {}).get("extensions") or {}).get(clock.name) or {}
    return override.get("step", clock.extension_step), override.get("max", clock.extension_max)
