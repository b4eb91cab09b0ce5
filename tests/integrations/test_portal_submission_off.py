"""Under the 2025 rules a province switches its portal's own e-form submission off per
rule set (Decree 118/2025 Art. 15, 40(8); law.md R22a; docs/portal.md): the one service
behind the wizard and the API refuses, citing the articles, and keeps the draft."""

import pytest
from django.utils import timezone

from motcua.dossiers import rulesets
from motcua.dossiers.models import Dossier, DossierDraft
from tests.api.test_applications import (  # noqa: F401 — fixtures and helpers
    _attach,
    _body,
    _create,
    _files,
    _submit,
    token_client,
    version,
)

pytestmark = pytest.mark.django_db


def test_submission_switched_off_for_the_rule_set_in_force(personas, version, settings):  # noqa: F811
    api = token_client("Ứng dụng tỉnh", ["dossiers:create"], units=[personas.unit_x])
    app = _create(api, _body(personas, version)).json()
    assert _attach(api, app["id"]).status_code == 200
    in_force = rulesets.ruleset_at(timezone.now())
    settings.MOTCUA_PORTAL_SUBMISSION_OFF = [in_force.name]
    refused = _submit(api, app["id"])
    assert refused.status_code == 422, refused.content
    assert "Cổng Dịch vụ công quốc gia" in refused.json()["detail"]
    assert "Điều 15" in refused.json()["detail"]
    assert not Dossier.objects.exists() and DossierDraft.objects.filter(pk=app["id"]).exists()

    settings.MOTCUA_PORTAL_SUBMISSION_OFF = ["nd61-2018"]  # another rule set: open again
    assert _submit(api, app["id"]).status_code == 201
