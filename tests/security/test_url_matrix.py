"""Issue 12 part 1: the generated authorization matrix for every URL of the site.

For each persona, every URL in the project is requested; the answer must match the
declared rule in url_rules.py: allowed → 200 (or a redirect that is not to the login
page), refused → redirect to the login page for anonymous visitors and 403/404 for
everyone else, and never a 5xx."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.security import url_rules as R
from tests.security.conftest import client_as
from tests.security.urlwalk import all_url_names

LOGIN_PATH = "/tai-khoan/dang-nhap/"
OTP_PATH = "/tai-khoan/xac-thuc-2-lop/"


def url_for(name: str, rule: R.Rule, world) -> str:
    kwargs = rule.kwargs(world) if rule.kwargs else {}
    if name.startswith("<unnamed>"):
        route = name.removeprefix("<unnamed>")
        if route == "favicon.ico":
            return "/favicon.ico"
        return "/api/" + kwargs.get("rest", "")
    return reverse(name, kwargs=kwargs) + (f"?{rule.query}" if rule.query else "")


def test_every_url_has_a_rule():
    names = set(all_url_names())
    missing = sorted(names - set(R.RULES))
    assert not missing, f"URL patterns without an access rule in url_rules.py: {missing}"
    stale = sorted(n for n in set(R.RULES) - names if not R.RULES[n].sandbox)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def _verdict(name: str, rule: R.Rule, persona: str, response) -> str | None:
    """None when the answer matches the rule, else a description of the mismatch."""
    status = response.status_code
    location = response.get("Location", "") if status in (301, 302, 303) else ""
    if status >= 500:
        return f"{status} server error"
    allowed = persona in rule.allowed
    if rule.post_only:
        if allowed:
            return None  # allowed POSTs are exercised by each app's own tests
        if persona == R.ANON and not rule.machine:
            return (
                None
                if location.startswith(LOGIN_PATH) or status in (403, 404, 405)
                else (f"anonymous POST got {status} {location}")
            )
        return (
            None if status in (400, 401, 403, 404, 405) else f"refused POST got {status} {location}"
        )
    if allowed:
        if status == 200 or status in rule.extra_ok:
            return None
        if location and not location.startswith((LOGIN_PATH, OTP_PATH)):
            return None
        return f"allowed but got {status} {location}"
    if persona == R.ANON:
        if location.startswith(LOGIN_PATH) or status in (401, 403, 404):
            return None
        return f"anonymous not sent to login: {status} {location}"
    if status in (401, 403, 404):
        return None
    return f"refused persona got {status} {location}"


@pytest.mark.parametrize("persona", R.PERSONAS)
def test_matrix(world, persona):
    client = client_as(world, persona)
    problems = []
    for name, rule in sorted(R.RULES.items()):
        if rule.sandbox and not settings.MOTCUA_SANDBOXES:
            continue
        url = url_for(name, rule, world)
        if rule.post_only:
            if persona in rule.allowed:
                continue
            response = client.post(url, {})
        else:
            response = client.get(url)
        problem = _verdict(name, rule, persona, response)
        if problem:
            problems.append(f"{name} {url}: {problem}")
    assert not problems, f"{persona}:\n" + "\n".join(problems)


def test_world_has_an_object_of_every_kind(world):
    """The object-level rows above are only meaningful if citizen A really owns a
    dossier, file, payment request, attempt, receipt, feedback, rating, notification and
    draft (a missing object would turn every refusal into a harmless 404)."""
    a = world.p.citizen_a
    assert world.dossier.applicant_id == a.pk
    assert world.dossier.receiving_unit_id == world.p.unit_x.pk
    assert world.stored_file.owner_id == a.pk
    assert world.payment_request.dossier_id == world.dossier.pk
    assert world.attempt.request_id == world.payment_request.pk
    assert world.receipt is not None and world.receipt.request_id == world.payment_request.pk
    assert world.feedback.submitter_id == a.pk
    assert world.extra["rating"] is not None
    assert world.notification is not None and world.notification.recipient_id == a.pk
    assert world.extra["draft"]


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        (R.CIT_A, "my_dossiers:detail"),
        (R.CIT_A, "documents:download"),
        (R.CIT_A, "pay:request"),
        (R.CIT_A, "pay:receipt"),
        (R.CIT_A, "feedback_public:detail"),
        (R.CIT_A, "feedback_public:rate"),
        (R.LEAD_X, "dossiers:detail"),
        (R.REC_X, "payments:detail"),
    ],
)
def test_owner_really_gets_the_object(world, persona, name):
    """The positive side of the object-level rows: 200 for the owner / unit X."""
    rule = R.RULES[name]
    response = client_as(world, persona).get(url_for(name, rule, world))
    assert response.status_code == 200
