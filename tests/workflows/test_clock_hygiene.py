"""No clock outlives its case: entering a final state leaves no clock that could still be running.

A pure-data check over the transition tables. For every state it computes which clocks may be
active there (started on some path and not yet stopped), then asserts that every transition into
a final state stops all of them. A clock left running in a final state could never be stopped
again, would count as open work for ever and would raise alerts on a closed case.
"""

import pytest

import workflows

#: Clocks any open case of the workflow may carry whatever its path (started by the scheduler).
BACKGROUND_CLOCKS = {"fair_complaint": {"post_fair"}}


def _after(active: frozenset, transition) -> frozenset:
    current = set(active)
    # A ``clock_settled`` guard lets the step through only once that clock is no longer active.
    current -= {g.params["clock"] for g in transition.guards if g.name == "clock_settled"}
    for effect in transition.clocks:
        if effect.action == "start":
            current.add(effect.clock)
        elif effect.action in ("stop", "cancel"):
            current.discard(effect.clock)
        elif effect.action == "stop_all":
            current.clear()
    return frozenset(current)


def _possibly_active(wf) -> dict:
    background = frozenset(BACKGROUND_CLOCKS.get(wf.NAME, ()))
    active = {state.name: frozenset() for state in wf.STATES}
    active[wf.INITIAL] = frozenset(wf.OPENING_CLOCKS) | background
    changed = True
    while changed:
        changed = False
        for transition in wf.TRANSITIONS:
            for source in transition.sources:
                dest = transition.dest or source
                after = _after(active[source], transition)
                if not workflows.state(wf, dest).final:
                    after |= background
                if not after <= active[dest]:
                    active[dest] = active[dest] | after
                    changed = True
    return active


@pytest.mark.parametrize("name", sorted(workflows.WORKFLOWS))
def test_entering_a_final_state_stops_every_clock(name):
    wf = workflows.get(name)
    active = _possibly_active(wf)
    leaks = []
    for transition in wf.TRANSITIONS:
        if transition.dest is None or not workflows.state(wf, transition.dest).final:
            continue
        for source in transition.sources:
            left = _after(active[source], transition)
            if left:
                leaks.append(f"{transition.trigger} from {source} leaves {sorted(left)} running")
    assert not leaks, "\n".join(leaks)
