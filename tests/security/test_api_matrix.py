"""Issue 12 parts 1 and 3 for the REST API: every ninja operation has a declared rule for
API clients (token with every scope / with none), browser-session personas are checked
by test_url_matrix through the api-v1:* URL names, and schemathesis fuzzes every
operation (no 5xx)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from motcua.api.v1 import api
from tests.security import url_rules as R
from tests.security.conftest import client_as
from tests.security.test_url_matrix import url_for


@dataclass(frozen=True)
class TokenRule:
    url_name: str  # row of url_rules.RULES (session personas)
    full: tuple[int, ...]  # answers for a token holding every scope
    none: tuple[int, ...]  # answers for a token without scopes


DENIED = (401, 403, 404)
API_RULES: dict[str, TokenRule] = {
    "motcua_api_v1_health": TokenRule("api-v1:health", (200,), (200,)),
    "motcua_api_v1_me": TokenRule("api-v1:me", (200,), (200,)),
    # A client is not a citizen: it has no dossiers of its own.
    "motcua_dossiers_api_mine": TokenRule("api-v1:mine", (200, 403), (200, 403)),
    # dossiers:read, within the client's units (404 outside them).
    "motcua_dossiers_api_detail": TokenRule("api-v1:detail", (200,), (403,)),
    # dossiers:write + units + acting account (tests/api/test_write_status.py); the
    # matrix posts an empty body, refused by validation before any permission check.
    "motcua_dossiers_api_act": TokenRule("api-v1:act", (403, 404, 422), (403, 404, 422)),
    # the applicant only (multipart files): a client is refused, whatever its scopes.
    "motcua_dossiers_api_act_with_files": TokenRule(
        "api-v1:act_with_files", (403, 422), (403, 422)
    ),
    # dossiers:create; a client reaches only the applications it opened (404). The
    # matrix posts an empty body: refused by validation or the missing Idempotency-Key.
    "motcua_api_applications_application_create": TokenRule(
        "api-v1:application_create", (400, 422), (400, 403, 422)
    ),
    "motcua_api_applications_application_detail": TokenRule(
        "api-v1:application_detail", (404,), (403,)
    ),
    "motcua_api_applications_application_attach": TokenRule(
        "api-v1:application_attach", (404, 422), (403, 422)
    ),
    "motcua_api_applications_application_submit": TokenRule(
        "api-v1:application_submit", (400, 404, 422), (400, 403, 422)
    ),
    # Linked applications (law.md R40), as the applications above; the bundles need
    # procedures:read; the matrix posts an empty body (422) or reaches no application.
    "motcua_api_linked_bundle_list": TokenRule("api-v1:bundle_list", (200,), (403,)),
    "motcua_api_linked_linked_create": TokenRule(
        "api-v1:linked_create", (400, 422), (400, 403, 422)
    ),
    "motcua_api_linked_linked_detail": TokenRule("api-v1:linked_detail", (404,), (403,)),
    "motcua_api_linked_linked_answers": TokenRule("api-v1:linked_answers", (422,), (403, 422)),
    "motcua_api_linked_linked_attach": TokenRule("api-v1:linked_attach", (404, 422), (403, 422)),
    "motcua_api_linked_linked_submit": TokenRule(
        "api-v1:linked_submit", (400, 404, 422), (400, 403, 422)
    ),
    "motcua_api_linked_linked_payment_start": TokenRule(
        "api-v1:linked_payment_start", (404, 422), (403, 422)
    ),
    # dossiers:read within the client's units, as api-v1:detail.
    "motcua_api_dossier_extras_fees": TokenRule("api-v1:fees", (200,), (403,)),
    "motcua_api_dossier_extras_timeline": TokenRule("api-v1:timeline", (200,), (403,)),
    "motcua_api_dossier_extras_results": TokenRule("api-v1:results", (200,), (403,)),
    "motcua_api_dossier_extras_result_download": TokenRule(
        "api-v1:result_download", (404,), (403,)
    ),
    "motcua_api_dossier_extras_form_download": TokenRule("api-v1:form_download", (200,), (403,)),
    # only for a dossier the client filed (tests/api/test_api_journey.py); empty body: 422.
    "motcua_api_dossier_extras_payment_start": TokenRule(
        "api-v1:payment_start", (403, 404, 422), (403, 422)
    ),
    # Issue 26: reads with dossiers:read (the world's dossier has no counter consent nor
    # supplement notice: 404); changes need dossiers:write and an acting account (the
    # full token has none: 403); an empty body is refused by validation; the answer is
    # the applicant's only (tests/api/test_dossier_trust.py).
    "motcua_api_dossier_trust_consent_read": TokenRule("api-v1:consent_read", (404,), (403,)),
    "motcua_api_dossier_trust_consent_code": TokenRule("api-v1:consent_code", (403,), (403,)),
    "motcua_api_dossier_trust_consent_confirm": TokenRule(
        "api-v1:consent_confirm", (403, 422), (403, 422)
    ),
    "motcua_api_dossier_trust_consent_waive": TokenRule(
        "api-v1:consent_waive", (403, 422), (403, 422)
    ),
    "motcua_api_dossier_trust_consent_answer": TokenRule(
        "api-v1:consent_answer", (403, 422), (403, 422)
    ),
    "motcua_api_dossier_trust_plain_timeline": TokenRule("api-v1:plain_timeline", (200,), (403,)),
    "motcua_api_dossier_trust_supplement_notice": TokenRule(
        "api-v1:supplement_notice", (404,), (403,)
    ),
    "motcua_api_dossier_trust_supplement_phoned": TokenRule(
        "api-v1:supplement_phoned", (403,), (403,)
    ),
    "motcua_api_dossier_trust_to_phone": TokenRule("api-v1:to_phone", (403,), (403,)),
    "motcua_feedback_api_list_feedback": TokenRule("api-v1:list_feedback", DENIED, DENIED),
    "motcua_feedback_api_count_feedback": TokenRule("api-v1:count_feedback", DENIED, DENIED),
    "motcua_feedback_api_get_feedback": TokenRule("api-v1:get_feedback", DENIED, DENIED),
    # reports:read
    "motcua_integrations_api_reconciliation": TokenRule("api-v1:reconciliation", (200,), (403,)),
    "motcua_integrations_api_messages": TokenRule("api-v1:messages", (200,), (403,)),
    # dossiers:read (clients bound to units see only their units' dossiers)
    "motcua_api_readers_dossier_list_view": TokenRule("api-v1:dossier_list", (200,), (403,)),
    # public reads
    "motcua_api_readers_catalogue_procedures": TokenRule(
        "api-v1:catalogue_procedures", (200,), (200,)
    ),
    "motcua_api_readers_catalogue_procedure": TokenRule(
        "api-v1:catalogue_procedure", (200,), (200,)
    ),
    "motcua_api_readers_workdays_year": TokenRule("api-v1:workdays_year", (200,), (200,)),
    "motcua_api_readers_workdays_due": TokenRule("api-v1:workdays_due", (200,), (200,)),
    # org:read
    "motcua_api_readers_org_units": TokenRule("api-v1:org_units", (200,), (403,)),
    "motcua_api_readers_org_tree": TokenRule("api-v1:org_tree", (200,), (403,)),
    # monitoring:read
    "motcua_api_readers_monitoring_scores": TokenRule("api-v1:monitoring_scores", (200,), (403,)),
    "motcua_api_readers_monitoring_forecast": TokenRule(
        "api-v1:monitoring_forecast", (200,), (403,)
    ),
    # monitoring:read / dossiers:write + units + an acting account that heads the unit
    # (tests/monitoring/test_load_views.py); the empty body fails validation first.
    "motcua_monitoring_api_load_read": TokenRule("api-v1:monitoring_load", (200,), (403,)),
    "motcua_monitoring_api_load_apply": TokenRule(
        "api-v1:monitoring_load_apply", (403, 404, 422), (403, 404, 422)
    ),
}

# Operations open to everyone (auth=None): a bogus token is simply ignored.
PUBLIC = {
    "motcua_api_v1_health",
    "motcua_api_readers_catalogue_procedures",
    "motcua_api_readers_catalogue_procedure",
    "motcua_api_readers_workdays_year",
    "motcua_api_readers_workdays_due",
}

# Known server errors (reported, owned by another team); the test fails when one is fixed
# so the entry gets removed.
KNOWN_5XX: dict[tuple[str, str], str] = {}


def operations() -> dict[str, tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        op["operationId"]: (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }


def test_every_api_operation_has_a_rule():
    ops = operations()
    assert not sorted(set(ops) - set(API_RULES)), "API operations without a rule"
    assert not sorted(set(API_RULES) - set(ops)), "rules for API operations that are gone"
    for rule in API_RULES.values():
        assert rule.url_name in R.RULES


@pytest.mark.parametrize("operation_id", sorted(API_RULES))
def test_api_token_with_and_without_scope(world, operation_id):
    rule = API_RULES[operation_id]
    url_rule = R.RULES[rule.url_name]
    url = url_for(rule.url_name, url_rule, world)
    for label, token, expected in (
        ("full", world.api_token_full, rule.full),
        ("none", world.api_token_none, rule.none),
        ("bogus", "not-a-token", (200,) if operation_id in PUBLIC else (401,)),
    ):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        if url_rule.post_only:
            response = client.post(url, {}, content_type="application/json")
        else:
            response = client.get(url)
        if response.status_code >= 500 and (operation_id, "token") in KNOWN_5XX:
            continue
        assert response.status_code in expected, (label, url, response.status_code)


def test_known_api_server_errors_are_still_there(world):
    """Keeps KNOWN_5XX honest: when the owner fixes a 5xx this fails and the entry goes."""
    for operation_id, _how in KNOWN_5XX:
        rule = API_RULES[operation_id]
        url = url_for(rule.url_name, R.RULES[rule.url_name], world)
        response = Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token_full}").get(url)
        assert response.status_code >= 500, f"{operation_id} fixed: drop it from KNOWN_5XX"


# --- schemathesis: every operation, generated inputs, no 5xx ------------------------------


def _fuzz(world, headers: dict[str, str], cookies: dict[str, str]) -> dict[str, str]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # The WSGI handler closes "old" connections at each request's end, as Django's test
    # client prevents: on PostgreSQL that would close the test transaction's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return _fuzz_all(headers, cookies)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz_all(headers: dict[str, str], cookies: dict[str, str]) -> dict[str, str]:
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        op_id = operation.definition.raw.get("operationId", operation.label)

        def make(op_id: str = op_id):
            @settings(
                max_examples=8,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case):
                response = case.call(headers=headers, cookies=cookies)
                if response.status_code >= 500:
                    failures.setdefault(op_id, f"{case.method} {case.formatted_path} → 5xx")

            return run

        make()()
    return failures


def test_schemathesis_api_token_no_server_errors(world):
    failures = _fuzz(world, {"Authorization": f"Bearer {world.api_token_full}"}, {})
    unexpected = {k: v for k, v in failures.items() if (k, "token") not in KNOWN_5XX}
    assert not unexpected, unexpected


def test_schemathesis_officer_session_no_server_errors(world):
    client = client_as(world, R.LEAD_X)
    failures = _fuzz(world, {}, {"sessionid": client.cookies["sessionid"].value})
    assert not failures, failures


@pytest.mark.parametrize("offset", [-1, -50, 2**63, 10**30])
def test_feedback_list_survives_any_offset(world, offset):
    """Found by schemathesis: a negative or overflowing offset crashed the list (500)."""
    client = client_as(world, R.LEAD_X)
    response = client.get("/api/v1/feedback/", {"offset": offset})
    assert response.status_code in (200, 422)
