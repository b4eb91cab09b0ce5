"""Form 01 says what was handed over (issue 18): only the components the receptionist
ticked or scanned, the applicant's address, a same-day time without "0", and one A5
page even with many components."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from motcua.catalog.constants import TimeUnit
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import forms_pdf
from motcua.dossiers.models import Dossier

from .test_forms_pdf import text_of

pytestmark = pytest.mark.urls("tests.dossiers.urls")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _post_counter(client, version, citizen, **extra):
    url = reverse("dossiers:counter")
    query = f"?personal_id={citizen.personal_id}&version={version.pk}"
    first = version.components.order_by("order", "pk").first()
    data = {
        "step": "receive",
        "channel": "1",
        "answers_json": "{}",
        f"file_{first.pk}": SimpleUploadedFile("tokhai.pdf", tiny_pdf()),
        f"received_{first.pk}": "on",
        **extra,
    }
    response = client.post(url + query, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Dossier.objects.get(applicant=citizen)


def test_a_component_not_ticked_is_not_listed(personas, version, client_for):
    client = client_for(personas.receptionist_x)
    page = client.get(
        reverse("dossiers:counter")
        + f"?personal_id={personas.citizen_a.personal_id}&version={version.pk}"
    ).content.decode()
    assert "Đã nhận giấy tờ này" in page
    d = _post_counter(client, version, personas.citizen_a)
    assert list(d.components.values_list("name", flat=True)) == ["Tờ khai đăng ký khai sinh"]
    text = text_of(forms_pdf.form_pdf(d, "01"))
    assert "Tờ khai đăng ký khai sinh" in text and "Giấy chứng sinh" not in text


def test_a_ticked_paper_without_scan_is_listed(personas, version, client_for):
    second = version.components.order_by("order", "pk")[1]
    d = _post_counter(
        client_for(personas.receptionist_x),
        version,
        personas.citizen_a,
        **{f"received_{second.pk}": "on"},
    )
    assert d.components.count() == 2
    assert "Giấy chứng sinh" in text_of(forms_pdf.form_pdf(d, "01"))


def test_the_address_typed_at_the_counter_is_printed(personas, version, client_for):
    d = _post_counter(
        client_for(personas.receptionist_x),
        version,
        personas.citizen_a,
        applicant_address="12 Phan Bội Châu, Tam Kỳ",
    )
    text = text_of(forms_pdf.form_pdf(d, "01"))
    assert "Địa chỉ: 12 Phan Bội Châu, Tam Kỳ" in text
    page = client_for(personas.receptionist_x).get(reverse("dossiers:form01", args=[d.pk]))
    assert "12 Phan Bội Châu, Tam Kỳ" in page.content.decode()


def test_the_profile_address_is_printed(personas, received):
    personas.citizen_a.address = "5 Trần Phú, Hội An"
    personas.citizen_a.save(update_fields=["address"])
    received.refresh_from_db()
    assert "Địa chỉ: 5 Trần Phú, Hội An" in text_of(forms_pdf.form_pdf(received, "01"))


def test_same_day_time_has_no_number():
    assert forms_pdf.span_text(0, TimeUnit.SAME_DAY) == str(TimeUnit.SAME_DAY.label)
    assert forms_pdf.span_text(10, TimeUnit.WORKING_DAYS) == "10 ngày làm việc"


def test_same_day_form01_does_not_say_zero(personas, received):
    version = received.procedure_version
    version.processing_time_value = 0
    version.processing_time_unit = TimeUnit.SAME_DAY
    version.save(update_fields=["processing_time_value", "processing_time_unit"])
    received.refresh_from_db()
    text = text_of(forms_pdf.form_pdf(received, "01"))
    assert "quy định: trong ngày" in text and "0 trong ngày" not in text


def test_form01_with_many_components_fits_one_a5_page(personas, received):
    from motcua.dossiers.models import DossierComponent

    for n in range(4):
        DossierComponent.objects.create(
            dossier=received,
            name=f"Bản sao giấy tờ chứng minh nơi cư trú số {n} của người yêu cầu đăng ký",
        )
    personas.citizen_a.address = "Thôn Phú Lâm, xã Tam Thăng, thành phố Tam Kỳ, tỉnh Quảng Nam"
    personas.citizen_a.save(update_fields=["address"])
    data = forms_pdf.form_pdf(received, "01", base_url="https://motcua.example/")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
