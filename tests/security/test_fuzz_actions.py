"""Issue 20 point 7: property-based fuzzing of every API action's body (hypothesis):
bodies built from the action's own fields, unknown fields and values of every JSON type,
sent by an officer of the dossier's unit, its applicant and a token client. No answer
is ever a 5xx."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.api import ACTION_SCHEMAS
from tests.security import url_rules as R
from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["2019-01-01T00:00:00Z", "9999-12-31T23:59:59", "", "abc", "-1"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def action_bodies(draw):
    action = draw(st.sampled_from(sorted(ACTION_SCHEMAS)))
    fields = [*ACTION_SCHEMAS[action].model_fields, "now", "form_answers", "result_files", "x"]
    keys = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    body = {key: draw(json_values) for key in keys}
    if draw(st.booleans()):
        body["expected_version"] = draw(st.integers(min_value=0, max_value=5))
    return action, draw(st.one_of(st.just(body), json_values))


@pytest.mark.parametrize("who", [R.LEAD_X, R.REC_X, R.CIT_A, "token"])
def test_action_bodies_never_crash(world, who):
    client = (
        Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token_full}")
        if who == "token"
        else client_as(world, who)
    )
    url = f"/api/v1/dossiers/{world.dossier.pk}/actions/"

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=action_bodies())
    def run(case):
        action, body = case
        response = client.post(url + action, body, content_type="application/json")
        assert response.status_code < 500, (action, body, response.content[:300])

    run()
