"""My dossiers: what is needed now, supplement response, withdrawal with
confirmation, signed result with its signature status, rating link; public tracking
with a second factor and a rate limit."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from tests.portal.conftest import make_png, process_to_result


def _submitted(birth, personas, applicant=None):
    return services.dossier_submit_online(
        applicant=applicant or personas.citizen_a,
        procedure_version=birth,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
    )


def test_supplement_request_is_shown_and_answered_with_photos(birth, personas, staff, client_for):
    from motcua.documents.models import StoredFile

    d = _submitted(birth, personas)
    d = services.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)
    d = services.dossier_assign(
        dossier=d, actor=personas.leader_x, expected_version=d.version, assignee=staff.specialist
    )
    d = services.dossier_request_supplement(
        dossier=d,
        actor=staff.specialist,
        expected_version=d.version,
        reason="Giấy chứng sinh bị mờ, chụp lại rõ nét.",
    )
    a = client_for(personas.citizen_a)
    body = a.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "Việc cần bạn làm bây giờ" in body
    assert "Cơ quan yêu cầu bổ sung" in body and "Giấy chứng sinh bị mờ" in body
    assert reverse("my_dossiers:paper", args=[d.pk, "02"]) in body
    assert (
        "Giấy chứng sinh bị mờ"
        in a.get(reverse("my_dossiers:paper", args=[d.pk, "02"])).content.decode()
    )
    response = a.post(
        reverse("my_dossiers:act", args=[d.pk, "supplement_provided"]),
        {
            "expected_version": d.version,
            "note": "Giấy chứng sinh (chụp lại)",
            "files": [SimpleUploadedFile("gcs.png", make_png(), "image/png")],
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == DossierStatus.IN_PROCESS  # the clock runs again
    row = d.components.get(supplemented=True)
    stored = StoredFile.objects.get(pk=row.files[0]["file_id"])
    assert stored.mime_type == "application/pdf" and stored.unit == personas.unit_x


def test_withdrawal_asks_for_confirmation(birth, personas, client_for):
    d = _submitted(birth, personas)
    a = client_for(personas.citizen_a)
    act = reverse("my_dossiers:act", args=[d.pk, "withdraw"])
    # Without the confirmation step nothing happens.
    first = a.post(act, {"expected_version": d.version, "reason": "Nộp nhầm"})
    assert first["Location"] == reverse("my_dossiers:withdraw", args=[d.pk])
    assert Dossier.objects.get(pk=d.pk).status == DossierStatus.SUBMITTED
    page = a.get(first["Location"]).content.decode()
    assert "Bạn có chắc muốn rút hồ sơ?" in page
    a.post(act, {"expected_version": d.version, "reason": "Nộp nhầm", "confirm": "1"})
    assert Dossier.objects.get(pk=d.pk).status == DossierStatus.WITHDRAWN
    # Once withdrawn, no more withdrawal.
    again = a.get(reverse("my_dossiers:withdraw", args=[d.pk]))
    assert again["Location"] == reverse("my_dossiers:detail", args=[d.pk])


def test_received_dossier_is_stopped_from_the_portal(birth, personas, client_for):
    """Decree 118/2025 Art. 21: once received, the citizen's button stops the dossier
    (no more "withdraw"), through the same confirmation page."""
    d = _submitted(birth, personas)
    d = services.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)
    a = client_for(personas.citizen_a)
    body = a.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "Dừng giải quyết hồ sơ" in body and ">Rút hồ sơ<" not in body
    page = a.get(reverse("my_dossiers:withdraw", args=[d.pk])).content.decode()
    assert "Bạn có chắc muốn dừng giải quyết hồ sơ?" in page
    stop = reverse("my_dossiers:act", args=[d.pk, "stop_by_applicant"])
    assert stop in page
    # Withdrawal of a received dossier is refused under Decree 118/2025.
    refused = a.post(
        reverse("my_dossiers:act", args=[d.pk, "withdraw"]),
        {"expected_version": d.version, "reason": "x", "confirm": "1"},
    )
    assert refused.status_code == 400
    a.post(stop, {"expected_version": d.version, "reason": "Không cần nữa", "confirm": "1"})
    d.refresh_from_db()
    assert d.status == DossierStatus.STOPPED
    body = a.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "Hồ sơ đã dừng giải quyết theo yêu cầu của bạn." in body


def test_signed_result_downloadable_with_valid_signature_and_rating(
    birth, personas, staff, signing, client_for
):
    d = process_to_result(_submitted(birth, personas), personas, staff)
    a = client_for(personas.citizen_a)
    body = a.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "Tải kết quả (PDF)" in body
    assert "Tất cả chữ ký hợp lệ" in body
    assert "Đã lưu trong kho dữ liệu của bạn" in body
    assert reverse("feedback_public:rate", args=[d.pk, "result"]) in body
    assert f"{reverse('feedback_public:submit')}?ho_so={d.pk}" in body
    assert reverse("my_dossiers:paper", args=[d.pk, "01"]) in body
    receipt = a.get(reverse("my_dossiers:paper", args=[d.pk, "01"])).content.decode()
    assert d.code in receipt and "<svg" in receipt and f"/tra-cuu/{d.code}/" in receipt
    from motcua.documents.models import IssuedDocument

    issued = IssuedDocument.objects.get(dossier_code=d.code)
    pdf = a.get(reverse("documents:download", args=[issued.file_id]))
    assert pdf.status_code == 200 and b"".join(
        pdf.streaming_content if pdf.streaming else [pdf.content]
    ).startswith(b"%PDF")
    # Another citizen sees nothing of it.
    assert (
        client_for(personas.citizen_b).get(reverse("my_dossiers:detail", args=[d.pk])).status_code
        == 404
    )


def test_tracking_reveals_nothing_without_the_second_factor(birth, personas, client):
    d = _submitted(birth, personas)
    d = services.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)
    url = reverse("tracking:detail", args=[d.code])
    landing = client.get(url).content.decode()
    assert "Đã tiếp nhận" not in landing and "Hẹn trả kết quả" not in landing
    # Unknown code and wrong factor look the same.
    wrong = client.post(url, {"factor": "9999"})
    unknown = client.post(
        reverse("tracking:detail", args=["000.00.01.H47-000000-0000"]), {"factor": "0001"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert "Đã tiếp nhận" not in wrong.content.decode()
    assert client.post(url, {"factor": ""}).status_code == 404
    ok = client.post(url, {"factor": "0001"})  # citizen A's ID ends with 0001
    body = ok.content.decode()
    assert ok.status_code == 200 and "Đã tiếp nhận" in body
    assert "Nguyễn Văn A" not in body and "Nguyễn Văn Bé" not in body and "001090000001" not in body
    assert ok["Cache-Control"] == "no-store"


def test_tracking_is_rate_limited_per_client(birth, personas, client):
    d = _submitted(birth, personas)
    d = services.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)
    url = reverse("tracking:detail", args=[d.code])
    for _ in range(10):
        assert client.post(url, {"factor": "1234"}).status_code == 404
    blocked = client.post(url, {"factor": "0001"})  # even the right answer is refused now
    assert blocked.status_code == 429
    assert "Đã tiếp nhận" not in blocked.content.decode()
    # Another client is not affected.
    assert client.post(url, {"factor": "0001"}, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_drafts_are_listed_in_my_dossiers(birth, personas, client_for):
    b = client_for(personas.citizen_b)
    b.get(f"/nop-ho-so/{birth.procedure.code}/")
    body = b.get(reverse("my_dossiers:list")).content.decode()
    assert "Hồ sơ đang soạn (chưa nộp)" in body and "Tiếp tục soạn" in body
