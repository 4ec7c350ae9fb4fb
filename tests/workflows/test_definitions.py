"""The six workflow modules as data: names resolve, the graphs are sound, profiles fit."""

import re

import pytest

import workflows
from caseflow.notices.kinds import kind_family
from workflows._schema import (
    ADDRESSEES,
    AUTHORITY,
    BOTH_PARTIES,
    CLOCK_ACTIONS,
    FIELD_TYPES,
    clock_extension,
    clock_period,
)
from workflows.profiles import UNIT_PROFILES, document_number_pattern

ROLES = ("caseworker", "desk_officer", "supervisor", "admin", "viewer")
#: notices.md, "Kinds (initial set)".
NOTICE_KINDS = set(
    [
        "acceptance_notice",
        "rejection_notice",
        "correction_notice",
        "transfer_notice",
        "lapse_notice",
        "revision_notice",
        "qualification_notice",
        "disqualification_notice",
        "answer_notice",
        "hearing_notice",
        "suspension_notice",
        "resumption_notice",
        "extension_notice",
        "decision",
        "settlement",
        "closure_notice",
        "withdrawal_notice",
        "consent_request",
        "declination_notice",
        "agreement",
        "termination_notice",
        "supplement_notice",
        "rectification_notice",
        "outcome_notice",
        "referral_letter",
        # procedures.md §6 (penalty).
        "penalty_filing_notice",
        "penalty_intent_notice",
        "penalty_decision",
        "no_penalty_decision",
    ]
)
GUARD_NAMES = {
    "any_of",
    "as_notified",
    "before_clock_due",
    "clock_expired",
    "clock_running",
    "clock_settled",
    "fine_bound",
    "min_count",
    "min_notice",
    "not_before_field",
    "odd_count",
    "required_when",
}
PERIOD = re.compile(r"^\d+ (workdays|days|months|hours)$")

ALL = list(workflows.WORKFLOWS.values())


def ids(module):
    return module.NAME


def test_the_six_workflows_with_their_codes():
    assert {m.NAME: m.CODE for m in ALL} == {
        "intake": "INT",
        "pre_exam": "PRE",
        "adjudication": "ADJ",
        "mediation": "MED",
        "fair_complaint": "FAIR",
        "penalty": "PEN",
    }
    assert workflows.get("adjudication").LABEL == "专利侵权纠纷行政裁决"
    with pytest.raises(KeyError):
        workflows.get("nope")


@pytest.mark.parametrize("wf", ALL, ids=ids)
def test_every_name_used_is_declared(wf):
    states = {s.name for s in wf.STATES}
    clocks = {c.name for c in wf.CLOCKS}
    assert len(states) == len(wf.STATES)
    assert wf.INITIAL in states
    assert wf.__doc__ and "art" in wf.__doc__  # a legal basis
    assert set(wf.OPENING_CLOCKS) <= clocks
    triggers = [t.trigger for t in wf.TRANSITIONS]
    assert len(triggers) == len(set(triggers))
    for t in wf.TRANSITIONS:
        assert t.label and t.sources and t.roles
        assert set(t.sources) <= states, t.trigger
        assert t.dest is None or t.dest in states, t.trigger
        assert set(t.roles) <= set(ROLES), t.trigger
        for effect in t.clocks:
            assert effect.action in CLOCK_ACTIONS
            assert (effect.clock is None) == effect.action.endswith("_all"), t.trigger
            assert effect.clock is None or effect.clock in clocks, (t.trigger, effect.clock)
        if t.notice:
            assert t.notice.kind in NOTICE_KINDS, t.trigger
            assert t.notice.addressee in (*ADDRESSEES, BOTH_PARTIES, AUTHORITY)
            # A letter to another authority is a letter (函), copied to no party.
            if t.notice.addressee == AUTHORITY:
                assert kind_family(t.notice.kind) == "letter" and not t.notice.also_to, t.trigger
            # A ruling is one document for both sides; a notice is told to each in its own.
            both = t.notice.addressee == BOTH_PARTIES
            assert not both or kind_family(t.notice.kind) == "ruling", t.trigger
            assert set(t.notice.also_to) <= set(ADDRESSEES) and not (both and t.notice.also_to)
        for guard in t.guards:
            assert guard.name in GUARD_NAMES and guard.message and guard.message_en
            if guard.name in ("before_clock_due", "clock_expired", "clock_settled", "clock_running"):
                assert guard.params["clock"] in clocks
            elif guard.name == "fine_bound":
                names = {f.name for f in t.fields}
                assert {guard.params["fine"], guard.params["income"]} <= names
            elif guard.name == "as_notified":
                # Fields of this step against the fields of the notice step.
                told = {f.name for f in workflows.transition(wf, guard.params["step"]).fields}
                pairs = {**guard.params.get("at_most", {}), **guard.params.get("same", {})}
                assert set(pairs) <= {f.name for f in t.fields} and set(pairs.values()) <= told
            elif guard.name == "any_of":
                assert set(guard.params["fields"]) <= {f.name for f in t.fields}
            elif guard.name == "required_when":
                names = {f.name for f in t.fields}
                assert {guard.params["field"], guard.params["when"]} <= names
            elif guard.name == "not_before_field":
                # A field an earlier step of the workflow took (the hearing's time).
                fields = {f.name for row in wf.TRANSITIONS for f in row.fields}
                assert guard.params["field"] in fields, t.trigger
            else:
                assert guard.params["field"] in {f.name for f in t.fields}
        for f in t.fields:
            assert f.type in FIELD_TYPES and f.label, (t.trigger, f.name)
            assert (f.type == "choice") == bool(f.choices), (t.trigger, f.name)
        if t.opens:
            assert t.opens.when_field in {f.name for f in t.fields}
            targets = (
                [t.opens.workflow]
                if t.opens.workflow
                else [t.opens.workflow_of.get(v, v) for v in t.opens.when_values]
            )
            assert all(target in workflows.WORKFLOWS for target in targets)


@pytest.mark.parametrize("wf", ALL, ids=ids)
def test_every_state_reachable_and_every_open_state_has_a_way_out(wf):
    reached, frontier = {wf.INITIAL}, [wf.INITIAL]
    while frontier:
        here = frontier.pop()
        for t in wf.TRANSITIONS:
            if here in t.sources and t.dest and t.dest not in reached:
                reached.add(t.dest)
                frontier.append(t.dest)
    assert reached == {s.name for s in wf.STATES}
    for s in wf.STATES:
        # A returning row (penalty's resume) leaves for the state the case came from.
        exits = [t for t in wf.TRANSITIONS if s.name in t.sources and (t.dest or t.returns_to)]
        if s.final:
            assert not [t for t in wf.TRANSITIONS if s.name in t.sources], s.name
        else:
            assert exits, s.name


@pytest.mark.parametrize("wf", ALL, ids=ids)
def test_clock_definitions(wf):
    for c in wf.CLOCKS:
        assert c.label and c.basis and c.evidence in ("V", "S", "U")
        for period in (c.period, *c.variants.values(), c.extension_step, c.extension_max):
            assert period is None or PERIOD.match(period), (c.name, period)
        assert c.fixed in (None, "fair_close") and c.cap in (None, "fair_close")
        # A clock with neither period nor fixed end exists only through a unit profile.
        if c.period is None and not c.fixed:
            assert c.name in ("grant_target", "closing_target")


def test_extension_rules():
    closing = workflows.clock(workflows.get("adjudication"), "closing")
    assert clock_extension(closing) == ("1 months", "2 months")  # 3 + 2 = 5 months at most
    mediation = workflows.clock(workflows.get("mediation"), "mediation")
    assert clock_extension(mediation) == ("1 months", "1 months")  # once


def test_unit_profiles_override_clock_defaults():
    profiles = {u["code"]: u["profile"] for u in UNIT_PROFILES}
    review = workflows.clock(workflows.get("pre_exam"), "review")
    grant = workflows.clock(workflows.get("pre_exam"), "grant_target")
    target = workflows.clock(workflows.get("adjudication"), "closing_target")
    acceptance = workflows.clock(workflows.get("intake"), "acceptance")

    assert clock_period(review, variant="design") == "2 workdays"
    assert clock_period(review, profile=profiles["ZS"], variant="utility_model") == "5 workdays"
    assert clock_period(grant, profile=profiles["ZS"], variant="design") == "10 workdays"
    assert clock_period(grant, profile=profiles["ZS"], variant="invention") is None
    assert clock_period(grant, profile=profiles["PD"], variant="invention") == "3 months"
    assert clock_period(grant, profile=profiles["PD"], variant="utility_model") == "1 months"
    assert clock_period(grant, profile=profiles["PD"], variant="design") == "7 days"
    assert clock_period(target, profile=profiles["ZS"]) == "1 months"
    assert clock_period(target, profile=profiles["PD"]) is None
    assert clock_period(acceptance) == "5 workdays"
    assert clock_period(acceptance, variant="samr_complaint") == "7 workdays"
    assert clock_period(acceptance, profile={"clocks": {"acceptance": None}}) is None


def test_unit_profiles_shape():
    assert [(u["code"], u["kind"]) for u in UNIT_PROFILES] == [
        ("ZS", "rapid_centre"),
        ("PD", "protection_centre"),
        ("CF", "fair_desk"),
    ]
    zs = UNIT_PROFILES[0]["profile"]
    assert zs["fields"] == {"ipc": ["F21", "H05B"], "locarno": ["26"]}
    assert document_number_pattern(zs, "decision") == "中维裁字〔{year}〕第{seq}号"
    assert document_number_pattern(zs, "hearing_notice") == "中维通字〔{year}〕第{seq}号"
    for unit in UNIT_PROFILES:
        profile = unit["profile"]
        assert profile["contact"] and profile["doc_patterns"]["default"]
        for pattern in profile["doc_patterns"].values():
            assert pattern.format(year=2026, seq=12).endswith("〔2026〕第12号")
