"""The feedback state machine (pure)."""

import pytest

from motcua.feedback import workflow as wf
from motcua.feedback.constants import FeedbackStatus as S


def test_happy_path_reaches_published_through_leader_approval():
    status = S.RECEIVED
    status = wf.transition(status, "accept", wf.HANDLER)
    status = wf.transition(status, "submit_answer", wf.HANDLER)
    assert status == S.AWAITING_APPROVAL
    status = wf.transition(status, "approve", wf.APPROVER)
    assert status == S.AWAITING_PUBLICATION
    assert wf.transition(status, "publish", wf.APPROVER) == S.PUBLISHED


def test_an_ordinary_handler_cannot_approve_or_publish():
    with pytest.raises(wf.TransitionError):
        wf.transition(S.AWAITING_APPROVAL, "approve", wf.HANDLER)
    with pytest.raises(wf.TransitionError):
        wf.transition(S.AWAITING_PUBLICATION, "publish", wf.HANDLER)


def test_a_leader_may_do_a_handlers_work_but_not_the_citizens():
    assert wf.transition(S.RECEIVED, "accept", wf.APPROVER) == S.IN_PROCESS
    with pytest.raises(wf.TransitionError):
        wf.transition(S.PUBLISHED, "reopen", wf.APPROVER)


def test_refusal_only_before_classification():
    assert wf.transition(S.RECEIVED, "refuse", wf.HANDLER) == S.REFUSED
    with pytest.raises(wf.TransitionError):
        wf.transition(S.IN_PROCESS, "refuse", wf.HANDLER)


def test_citizen_can_rate_and_reopen_only_published_answers():
    assert wf.transition(S.PUBLISHED, "rate", wf.CITIZEN) == S.PUBLISHED
    assert wf.transition(S.PUBLISHED, "reopen", wf.CITIZEN) == S.IN_PROCESS
    for status in (S.RECEIVED, S.IN_PROCESS, S.AWAITING_PUBLICATION):
        with pytest.raises(wf.TransitionError):
            wf.transition(status, "rate", wf.CITIZEN)


def test_terminal_states_allow_nothing():
    for status in wf.TERMINAL:
        for actor in (wf.HANDLER, wf.APPROVER, wf.CITIZEN):
            assert wf.allowed_actions(status, actor) == []


def test_reopen_is_limited():
    assert wf.can_reopen(S.PUBLISHED, 0)
    assert not wf.can_reopen(S.PUBLISHED, wf.MAX_REOPENS)
    assert not wf.can_reopen(S.IN_PROCESS, 0)


def test_every_status_is_reachable_from_received():
    seen = {S.RECEIVED}
    frontier = [S.RECEIVED]
    while frontier:
        status = frontier.pop()
        for actor in (wf.HANDLER, wf.APPROVER, wf.CITIZEN):
            for action in wf.allowed_actions(status, actor):
                target = wf.transition(status, action, actor)
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
    assert seen == set(S.values)
