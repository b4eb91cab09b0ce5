"""Form 01 for immediate-result procedures (Decree 61/2018 Art. 17(4), Decree 118/2025
Art. 17(4); law.md R7): issued only when the applicant asks; the status is recorded all
the same. Other procedures always get it."""

import pytest
from django.urls import reverse

from motcua.dossiers import forms_pdf
from motcua.dossiers.constants import DossierStatus as S
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def receive_on_page(client, d, **extra):
    data = {"receive-expected_version": d.version, **extra}
    return client.post(reverse("dossiers:act", args=[d.pk, "receive"]), data)


@pytest.fixture
def immediate(version):
    version.immediate_result = True
    version.save(update_fields=["immediate_result"])
    return version


def test_immediate_result_without_a_request_issues_no_form01(
    personas, immediate, submitted, client_for
):
    client = client_for(personas.receptionist_x)
    page = client.get(reverse("dossiers:detail", args=[submitted.pk])).content.decode()
    assert "Cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)" in page
    response = receive_on_page(client, submitted)
    assert response["Location"] == reverse("dossiers:detail", args=[submitted.pk])
    d = Dossier.objects.get(pk=submitted.pk)
    assert d.status == S.RECEIVED and d.code and d.due_at  # recorded all the same
    assert "01" not in forms_pdf.available_forms(d)
    assert d.events.get(action="receive").payload["form01"] is False


def test_immediate_result_with_a_request_issues_form01(personas, immediate, submitted, client_for):
    client = client_for(personas.receptionist_x)
    response = receive_on_page(client, submitted, **{"receive-form01_requested": "on"})
    assert response["Location"] == reverse("dossiers:form01", args=[submitted.pk])
    assert "01" in forms_pdf.available_forms(Dossier.objects.get(pk=submitted.pk))


def test_other_procedures_always_issue_form01(personas, submitted, client_for):
    client = client_for(personas.receptionist_x)
    page = client.get(reverse("dossiers:detail", args=[submitted.pk])).content.decode()
    assert "Cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)" not in page  # hidden
    response = receive_on_page(client, submitted)  # even without the hidden field
    assert response["Location"] == reverse("dossiers:form01", args=[submitted.pk])
    assert "01" in forms_pdf.available_forms(Dossier.objects.get(pk=submitted.pk))


def test_counter_reception_asks_only_for_immediate_procedures():
    from motcua.dossiers.forms import CounterForm

    assert "form01_requested" in CounterForm(immediate=True).fields
    assert "form01_requested" not in CounterForm(immediate=False).fields
