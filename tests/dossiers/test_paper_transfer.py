"""Transferring a paper dossier late (Decree 61/2018 Art. 18(2)-(3), Decree 118/2025
Art. 18(2); law.md R10b): allowed, with a warning; the dossier page shows the limit."""

import datetime as dt

import pytest
from django.urls import reverse

from motcua.catalog.models import Competence
from motcua.dossiers import services
from motcua.dossiers.models import Dossier

from .conftest import TZ

pytestmark = pytest.mark.django_db


def test_late_paper_transfer_is_warned(personas, staff, in_process, client_for):
    # Received (as a counter dossier) Mon 02/03/2026 08:00: the paper had to leave the
    # same day, 17:00. Transferred on Tue 03/03 09:00 -> late, with a warning.
    Dossier.objects.filter(pk=in_process.pk).update(channel="1")
    Competence.objects.create(
        procedure=in_process.procedure_version.procedure,
        unit=personas.unit_y,
        valid_from=dt.date(2020, 1, 1),
    )
    d = Dossier.objects.get(pk=in_process.pk)
    d = services.dossier_transfer(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        to_unit=personas.unit_y,
        reason="Thuộc thẩm quyền Sở Y",
        now=dt.datetime(2026, 3, 3, 9, tzinfo=TZ),
    )
    assert any("Hồ sơ giấy chuyển muộn" in w and "17:00 02/03/2026" in w for w in d.warnings)
    # Received by X, settled by Y now: the page shows the limit.
    page = client_for(personas.receptionist_x).get(reverse("dossiers:detail", args=[d.pk]))
    assert "Hạn chuyển hồ sơ giấy" in page.content.decode()
