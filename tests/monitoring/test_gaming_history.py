"""Gaming detectors on a generated demo history (issue 27 point 3, law.md R28b): no
signal on the clean history, every planted case found, nothing else."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.core.generator import generate
from motcua.monitoring import gaming
from motcua.monitoring.gaming_bench import measure
from motcua.monitoring.gaming_store import gaming_detect
from motcua.monitoring.models import GamingSignal

pytestmark = pytest.mark.django_db


@pytest.fixture
def history() -> None:
    from motcua.core.testing.fixtures import make_published_version
    from motcua.org.demo import demo_load
    from motcua.org.models import OrgUnit

    demo_load()  # the demo province (~1 s); two procedures instead of the catalogue (~60 s)
    unit = OrgUnit.objects.filter(kind="department").order_by("code").first()
    make_published_version(unit)
    make_published_version(
        unit,
        procedure=("1.000656", "Chứng thực bản sao"),
        field=("G02-CT", "Chứng thực"),
        processing_days=2,
    )
    generate(dossiers=600, seed=2026)


def test_detectors_fire_on_planted_cases_only(history: None) -> None:
    result = measure(per_kind=3)
    for kind in gaming.KINDS:
        r = result[kind]
        assert r["clean"] == 0, (kind, r)
        assert r["planted"] == 3, (kind, r)
        assert (r["true"], r["found"]) == (3, 3), (kind, r)


def test_detection_is_idempotent(history: None) -> None:
    from motcua.monitoring.gaming_bench import plant_cases

    keys = plant_cases(per_kind=2)
    found, created = gaming_detect()
    extra = GamingSignal.objects.exclude(key__in=keys)
    assert not extra.exists(), [(s.key, s.evidence) for s in extra]
    assert found == created == 10
    assert gaming_detect() == (10, 0)
    assert GamingSignal.objects.count() == 10
    call_command("gaming_detect", "--since", "2000-01-01")
    assert GamingSignal.objects.count() == 10
