"""The vocabulary the workflow modules are written in: frozen dataclasses, no behaviour.

A workflow module declares ``STATES``, ``INITIAL``, ``TRANSITIONS`` (in the order a case normally
moves), ``CLOCKS``, ``OPENING_CLOCKS`` and ``OPENING``; the engine (``caseflow.engine``) reads
them, the web UI builds one form per trigger from ``Transition.fields``, the API publishes them.

Clock periods are written the way the calendar parses them: ``5 workdays``, ``15 days``,
``3 months``, ``24 hours``. Every period is a default: a unit overrides it in
``Unit.profile["clocks"]`` (see ``clock_period`` below and ``workflows/profiles.py``).
"""

from dataclasses import dataclass, field
from typing import Protocol

#: Who a notice is addressed to; the notices area resolves it to a party of the case.
ADDRESSEES = ("complainant", "respondent", "applicant", "exhibitor")
#: A ruling (裁决书, 调解书, 协议书) is one document for both sides: it sets the parties out in
#: full, and each of them is served with it.
BOTH_PARTIES = "parties"
#: A letter to another authority (a 移交函 to the receiving centre or court): no party is its
#: addressee, so none is served with it; the notice names the authority.
AUTHORITY = "authority"

#: Field types the engine validates and the UI renders.
#: ``string`` one line; ``text`` several lines; ``instant`` an ISO 8601 date-time;
#: ``choice`` one of ``choices``; ``names`` a list of non-empty strings; ``boolean``;
#: ``amount`` a sum of money in RMB, a number not below zero (stored as a number).
#: ``lines`` a list of texts, printed numbered (the operative items of a decision, the terms of an
#: agreement).
#: ``unit`` the code of an existing unit (the UI offers a picker of the units there are);
#: ``photo`` a photo taken on the spot: the UI uploads it as evidence of the case and sends its
#: evidence id, which the engine turns into ``{"evidence_id", "filename", "sha256"}`` (an API
#: client may send a text reference instead, as before).
#: ``application_number`` a CNIPA application number with its check digit (202610012345.1);
#: ``patent_number`` ``ZL`` and an application number (``caseflow.patents``).
FIELD_TYPES = (
    "string",
    "text",
    "instant",
    "choice",
    "names",
    "boolean",
    "amount",
    "lines",
    "unit",
    "photo",
    "application_number",
    "patent_number",
)

#: The longest ``string`` (one line: an application number, a court, a place). The engine refuses
#: more from any client and the web form says the same; a ``text`` may be far longer.
STRING_MAX_CHARS = 300

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
    #: Drafted on the case before the step (``caseflow.cases.drafts``): when the trigger's data
    #: leaves it out, the engine takes it from the saved draft of the step's notice kind.
    drafted: bool = False

    @property
    def choice_values(self) -> tuple:
        return tuple(value for value, _label in self.choices)


@dataclass(frozen=True)
class Guard:
    """A named condition checked before the state changes; ``params`` tune it.

    Known names (implemented in ``caseflow.engine.GUARDS``):
    ``clock_settled`` (``clock``): the case has no active (running or paused) clock of that name;
    ``clock_expired`` (``clock``, ``or_waived_by``): the case's last clock of that name is due at
    or before ``occurred_at``; or the step that ended it recorded ``data[or_waived_by]`` true
    (the party waived what remained of its period); ``min_notice`` (``field``, ``period``): the instant in ``data[field]`` is
    on or after the start of the ``period``-th working day after ``occurred_at``;
    ``not_before_field`` (``field``): ``occurred_at`` falls on or after the local day of the
    instant the case's data holds in ``field`` (set by an earlier step; absent: it passes);
    ``odd_count`` (``field``, ``minimum``): ``data[field]`` lists an odd number, at least minimum;
    ``min_count`` (``field``, ``minimum``): ``data[field]`` lists at least ``minimum``;
    ``clock_running`` (``clock``, ``or_ended_by``): the case's clock of that name is active and
    not yet due at ``occurred_at``, or one of the ``or_ended_by`` triggers ended it and its due
    is still ahead (a statement given within the period does not end the right to a hearing);
    ``before_clock_due`` (``clock``): ``occurred_at`` is before the due of the
    case's running clock of that name (a party's answer after its period is refused on
    ``occurred_at``; none running: it passes);
    ``fine_bound`` (``fine``, ``income``, ``multiple``, ``ceiling``, ``threshold``): the amount
    in ``data[fine]`` is at most ``multiple`` × ``data[income]``, or at most ``ceiling`` where
    the income is absent or at most ``threshold`` (Patent Law art 68);
    ``as_notified`` (``step``, ``at_most``, ``same``): against the data of the case's latest
    ``step`` event (the notice in force), each ``{field: notified}`` of ``at_most`` is at most the
    notified amount and each of ``same`` equals it, absent counting as zero;
    ``any_of`` (``fields``): at least one of ``data[fields]`` is given and not zero or false;
    ``required_when`` (``field``, ``when``): ``data[field]`` is given where ``data[when]`` is
    given and not zero.
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
    #: The name of a field of the step's data that must be given and not zero or false for the
    #: effect to apply (a payment period runs only where a fine is due).
    when: str | None = None


@dataclass(frozen=True)
class NoticeSpec:
    """The notice (文书) a transition issues, and to whom."""

    kind: str
    #: A party (``ADDRESSEES``), ``BOTH_PARTIES`` for a ruling served on each side, or
    #: ``AUTHORITY`` for a letter to another authority (served on no party).
    addressee: str = "complainant"
    #: Channels whose cases have no such addressee to write to: no notice is issued for them.
    unless_channels: tuple[str, ...] = ()
    #: Other parties told of the same step by a notice of their own (its own number, addressed
    #: to them: a hearing, a suspension is notified to each party, 当事人).
    also_to: tuple[str, ...] = ()
    #: Clocks that end when the notice's service is recorded (paper or electronic, parties.md
    #: §4): met if served within their due, breached after.
    stops_on_service: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkSpec:
    """A case this transition opens and links to, in the target workflow's initial state.

    It opens when ``data[when_field]`` is one of ``when_values``. The target workflow is
    ``workflow``, or the value of ``data[workflow_field]``. ``unit_field`` names a data field that
    carries the receiving centre's code where the case is at a fair desk (a referral, a failed
    on-site mediation), required there; a centre's linked case stays at the centre.
    """

    kind: str
    when_field: str
    when_values: tuple
    workflow: str | None = None
    workflow_field: str | None = None
    unit_field: str | None = None
    #: Where a value of ``workflow_field`` is not itself a workflow's name: value → workflow
    #: (an intake routed as ``penalty_clue`` opens a ``penalty`` case).
    workflow_of: dict = field(default_factory=dict)
    #: The linked case is received at the step's ``occurred_at``: the step is a new request or a
    #: transfer, from which the new procedure's periods count (the original receipt is kept as
    #: ``data.first_received_at``). False: it keeps the original's ``received_at``, the matter
    #: having been received once (an intake accepted and routed onwards, procedures.md §1), or,
    #: where the original was corrected, the corrected submission, from which its acceptance
    #: counted again.
    received_at_step: bool = False


#: The kinds of unit (``Unit.kind``) that decide cases: the protection and rapid-protection
#: centres. A fair desk works on site, during its fairs (procedures.md, unit profiles).
CENTRES = ("protection_centre", "rapid_centre")


@dataclass(frozen=True)
class Opening:
    """What opening a case of the workflow directly asks for (``cases.services.case_open``). A
    linked case a step opens takes its parties from the case it comes from."""

    #: The kinds of unit that run the procedure (procedures.md, unit profiles).
    unit_kinds: tuple = CENTRES
    #: The key the unit's profile must have (``fields``: the unit does pre-examination).
    profile_key: str | None = None
    #: The complainant (requester, reporter) must be named.
    complainant: bool = True
    #: Channels on which the complainant may be left unnamed all the same: an anonymous report.
    anonymous_channels: tuple = ()
    #: The respondent must be named: the procedure is against someone.
    respondent: bool = False
    #: The channels a case is opened by directly; empty: any channel, or none.
    channels: tuple = ()
    #: ``choice`` items of the opening ``data``, checked when given (one picks a clock variant).
    data_fields: tuple = ()
    #: The kinds of right the procedure is about, when the right's kind is given; empty: any (a
    #: complaint or a fair complaint may concern a trademark or a copyright).
    right_kinds: tuple = ()


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
    #: With ``dest=None``: the case goes back to the state it was in before it entered the
    #: current one (a penalty case resumes where it was suspended), if that is one of these;
    #: otherwise to the first of them.
    returns_to: tuple = ()
    #: Named effects the engine runs inside the step's transaction after the state changed and
    #: the notice is queued (``caseflow.engine.EFFECTS``): ``credit_record`` writes the credit
    #: register's records for a decision (credit.md); ``right_number`` makes the step's
    #: ``patent_number`` the case's ``right.number`` (the granted patent).
    effects: tuple = ()


@dataclass(frozen=True)
class ClockDef:
    """A deadline's definition. ``period`` is the default; ``variants`` override it by the value
    of ``variant_key`` (``patent_type`` from the case's right, or ``complaint_type`` from its data).
    ``period=None`` and no variant: the clock does not run unless a unit profile sets it.
    ``fixed`` names an instant instead of a period (``fair_close``: the fair's ``closes_at``);
    ``cap`` names an instant the due date never passes. ``court``: the period belongs to a court
    (national calendar only)."""

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
    #: A court's period (to sue, to appeal) rather than the centre's own: it is counted on the
    #: national calendar only, and a centre's local closures never move it (deadlines.md §1).
    court: bool = False

    #: A watch clock tracks someone else's deadline (a court's): it alerts the caseworker when it
    #: runs out, and ending it never counts as the centre's deadline met or breached (the engine
    #: cancels it instead of stopping it).
    watch: bool = False
    #: The parties' own period (to answer, to correct, to state a defence, to pay): the clock is
    #: met or breached as the party kept it, and the caseworker is told when it runs out (the next
    #: step is theirs: proceed without the answer, deem the request withdrawn…); it never counts
    #: as the centre's on time or late, and never escalates.
    party: bool = False


class WorkflowModule(Protocol):
    """The shape of every module in ``workflows/`` (its docstring says the procedure and its legal
    basis). ``workflows.MODULES`` is typed with it, so mypy checks each module against it. The
    members are read-only (properties), so a module's exact tuple types fit."""

    @property
    def NAME(self) -> str:
        """The workflow's key (``Case.workflow``)."""

    @property
    def CODE(self) -> str:
        """Goes into case numbers (``ZS-ADJ-2026-00012``)."""

    @property
    def LABEL(self) -> str: ...

    @property
    def STATES(self) -> tuple[State, ...]: ...

    @property
    def INITIAL(self) -> str: ...

    @property
    def OPENING_CLOCKS(self) -> tuple[str, ...]:
        """The clocks a new case starts with, by name."""

    @property
    def OPENING(self) -> Opening:
        """What opening a case directly asks for: who runs it, which parties, which channels."""

    @property
    def TRANSITIONS(self) -> tuple[Transition, ...]:
        """In the order a case normally moves."""

    @property
    def CLOCKS(self) -> tuple[ClockDef, ...]: ...


# Short constructors so a transition table reads like the procedure.
def start(clock, *, when=None):
    return ClockEffect("start", clock, when)


def stop(clock):
    return ClockEffect("stop", clock)


def pause(clock):
    return ClockEffect("pause", clock)


def resume(clock):
    return ClockEffect("resume", clock)


def extend(clock):
    return ClockEffect("extend", clock)


def cancel(clock):
    return ClockEffect("cancel", clock)


STOP_ALL = ClockEffect("stop_all")
PAUSE_ALL = ClockEffect("pause_all")
RESUME_ALL = ClockEffect("resume_all")

REASON = Field("reason", "text", "理由")

# The structured text of a decision (行政裁决书, 行政处罚决定书) and an agreement (调解协议书),
# drafted on the case before the step that issues it (notices.md, "Decisions and agreements carry
# their reasoning"). The keys are the same in every workflow; a workflow may relabel them.
FINDINGS = Field(
    "findings", "text", "经审理查明（认定的事实）", drafted=True, help="分段书写；不含内部备注"
)
REASONING = Field("reasoning", "text", "本中心认为（理由及依据）", drafted=True)
# How to type a list is help, not part of the label: the audit trail prints the label.
ITEMS = Field("items", "lines", "裁决事项", drafted=True, help="每行一项，自动编号")
TERMS = Field("terms", "lines", "协议条款", drafted=True, help="每行一项，自动编号")
#: A decision: findings, reasoning and at least one operative item, all required.
DECISION_FIELDS = (FINDINGS, REASONING, ITEMS)
#: An agreement: the agreed terms; the facts of the dispute are optional.
AGREEMENT_FIELDS = (
    Field("findings", "text", "纠纷主要事实及争议事项", required=False, drafted=True),
    TERMS,
)


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
