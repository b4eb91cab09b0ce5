"""Issue 19 "done when": the demo province shows all four colour levels from native
facts (services, catalogue announcements, payments, identity flags, delivered outbox
rows — no `_sync` answers on the demo's own dossiers)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.monitoring.selectors import scores_for_units
from motcua.org.models import OrgUnit


@pytest.mark.django_db(transaction=False)
def test_the_demo_province_shows_all_four_colour_levels(signing_settings):
    call_command("demo_load", stdout=io.StringIO(), stderr=io.StringIO())
    assert Dossier.objects.count() > 1000
    assert not Dossier.objects.filter(form_answers__has_key="_sync").exists()
    # 1.1/1.2 have facts in the year: the 2026 announcements of the demo catalogue
    announced = ProcedureVersion.objects.filter(announced_on__year=2026)
    assert announced.count() == 25
    leaves = list(OrgUnit.objects.filter(children__isnull=True))
    scores = scores_for_units(leaves, dt.date(2026, 1, 1), dt.date(2026, 11, 30))
    colours = {s.colour.key for s in scores.values() if s.has_data}
    assert colours == {"green", "yellow", "orange", "red"}
    roots = scores_for_units(
        OrgUnit.objects.filter(parent__isnull=True), dt.date(2026, 1, 1), dt.date(2026, 11, 30)
    )
    card = next(s for s in roots.values() if s.has_data).card  # the province
    for indicator in ("1.1", "1.2"):
        value, maximum = card.metric(indicator) or (0.0, 0.0)
        assert 0 < value < maximum  # earned by most units, lost by the late ones
