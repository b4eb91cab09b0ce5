"""The transition table (pure): reachability, terminal states, refusals."""

import pytest

from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import (
    APPLICANT,
    NATIONAL_STATUS,
    STATUS_COLOUR,
    SYSTEM,
    DossierStatus,
)
from motcua.org.constants import Role

S = DossierStatus


def test_every_state_is_reachable_from_creation():
    assert wf.reachable() == {wf.INITIAL, *S.values}


def test_terminal_states_have_no_exits_and_others_do():
    for state in S.values:
        if state in wf.TERMINAL:
            # Only actions that keep the state (correction of a returned result, R19).
            assert [t.action for t in wf.exits(state) if t.target is not None] == [], state
        else:
            assert wf.exits(state), f"{state} is a dead end"


def test_every_state_maps_to_a_national_code_and_colour():
    assert set(NATIONAL_STATUS) == set(S.values)
    assert set(STATUS_COLOUR) == set(S.values)
    assert {c for c in NATIONAL_STATUS.values() if c} == set(range(1, 11))


def test_every_target_and_source_is_a_known_state():
    known = {wf.INITIAL, *S.values}
    for t in wf.TRANSITIONS:
        assert t.sources <= known
        assert t.target is None or t.target in S.values
        assert t.roles <= {APPLICANT, SYSTEM, *Role.values}


def test_actions_are_unique():
    assert len(wf.BY_ACTION) == len(wf.TRANSITIONS)


@pytest.mark.parametrize("action", list(wf.BY_ACTION))
def test_illegal_source_states_are_refused(action):
    t = wf.transition(action)
    role = sorted(t.roles)[0]
    for state in {wf.INITIAL, *S.values} - t.sources:
        with pytest.raises(wf.WorkflowError):
            wf.check(action, state, role)


@pytest.mark.parametrize("action", list(wf.BY_ACTION))
def test_roles_outside_the_transition_are_refused(action):
    t = wf.transition(action)
    state = sorted(t.sources)[0]
    for role in {APPLICANT, SYSTEM, *Role.values} - t.roles:
        with pytest.raises(wf.WorkflowError):
            wf.check(action, state, role)
    assert wf.check(action, state, sorted(t.roles)[0]) is t


def test_citizen_actions_are_only_their_own():
    citizen_actions = {t.action for t in wf.TRANSITIONS if APPLICANT in t.roles}
    assert citizen_actions == {
        "save_draft",
        "submit_online",
        "resubmit",
        "supplement_provided",
        "withdraw",
        "stop_by_applicant",
        "request_correction",  # Decree 118/2025 Art. 23(1): reports an error, no state change
    }


def test_reasons_required_where_the_law_asks_for_them():
    for action in [
        "return_for_completion",
        "refuse_reception",
        "request_supplement",
        "send_back",
        "refuse_after_appraisal",
        "extend_with_apology",
        "transfer",
    ]:
        assert wf.transition(action).reason_required, action


def test_forms_and_clock_effects():
    assert wf.transition("receive").form == "01"
    assert wf.transition("receive").clock == wf.Clock.START
    assert wf.transition("return_for_completion").form == "02"
    assert wf.transition("request_supplement").form == "02"
    assert wf.transition("request_supplement").clock == wf.Clock.PAUSE
    assert wf.transition("supplement_provided").clock == wf.Clock.RESUME
    assert wf.transition("refuse_reception").form == "03"
    assert wf.transition("extend_with_apology").form == "04"
    assert wf.transition("issue_result").clock == wf.Clock.STOP


def test_extension_keeps_the_state():
    t = wf.transition("extend_with_apology")
    for state in t.sources:
        assert t.next_state(state) == state


def test_actions_for_a_leader_in_awaiting_approval():
    actions = {t.action for t in wf.actions_for(S.AWAITING_APPROVAL, {Role.LEADER})}
    assert actions == {"approve", "send_back", "refuse_after_appraisal", "extend_with_apology"}


def test_unknown_action_is_refused():
    with pytest.raises(wf.WorkflowError):
        wf.transition("delete_everything")
