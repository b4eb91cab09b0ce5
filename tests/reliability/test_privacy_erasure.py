"""Personal-data erasure requests (Decree 13/2023/ND-CP Art. 16): the citizen asks with
their password, an administrator approves, the execution erases what the law does not
require us to keep, pseudonymises the account and the dossiers past retention, keeps
the rest — and the audit chain still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import ExternalAccount, User
from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry
from motcua.core.testing.files import tiny_pdf
from motcua.core.testing.personas import PASSWORD
from motcua.documents.models import StoredFile
from motcua.documents.services import stored_file_create
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDraft
from motcua.dossiers.services import drafts
from motcua.notifications.models import Delivery, Notification, Preference
from motcua.privacy import assessment
from motcua.privacy import services as privacy
from motcua.privacy.constants import ErasureStatus
from motcua.privacy.models import ErasureRequest


def _submit(citizen, version, unit, child: str) -> Dossier:
    return services.dossier_submit_online(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=unit,
        form_answers={"ho_ten_tre": child},
        components=[services.ComponentInput(component=c) for c in version.components.all()],
    )


def _close(dossier: Dossier, status: str, closed_at: dt.datetime) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(
        status=status, completed_at=closed_at, returned_at=closed_at
    )


def _draft_with_file(citizen, version) -> tuple[DossierDraft, StoredFile]:
    draft = drafts.draft_start(applicant=citizen, procedure_version=version)
    stored = stored_file_create(
        data=tiny_pdf(), original_name="cccd.pdf", actor=citizen, owner=citizen, trusted=True
    )
    draft.attachments = {"TP1": {"file": str(stored.pk), "name": "cccd.pdf"}}
    draft.save()
    return draft, stored


@pytest.fixture
def scene(personas, version, media, client_for):
    """Citizen A: one dossier within retention, one past it, an unsent draft with a file,
    a preference, a TOTP device, a VNeID link and a live session. Citizen B: a dossier
    and a draft."""
    now = timezone.now()
    a, b = personas.citizen_a, personas.citizen_b
    a.email = "a@example.vn"
    a.address = "12 Trần Phú, Hội An"
    a.save()
    kept = _submit(a, version, personas.unit_x, "Bé An")
    _close(kept, "result_returned", now - dt.timedelta(days=365))
    old = _submit(a, version, personas.unit_x, "Bé Cũ")
    _close(old, "withdrawn", now - dt.timedelta(days=365 * 12))
    draft, draft_file = _draft_with_file(a, version)
    Preference.objects.create(user=a, sms_enabled=False)
    TOTPDevice.objects.create(user=a, name="phone", confirmed=True)
    ExternalAccount.objects.create(user=a, provider="vneid", subject="sub-a")
    session_client = client_for(a)
    assert session_client.get(reverse("accounts:my_account")).status_code == 200
    b_dossier = _submit(b, version, personas.unit_x, "Bé Bình")
    b_draft, b_file = _draft_with_file(b, version)
    return {
        "a": a,
        "b": b,
        "kept": kept,
        "old": old,
        "draft": draft,
        "draft_file": draft_file,
        "session_client": session_client,
        "b_dossier": b_dossier,
        "b_draft": b_draft,
        "b_file": b_file,
    }


def test_assessment_separates_erase_pseudonymise_retain(scene):
    found = assessment.assess(scene["a"])
    counts = {c.key: (c.treatment, c.count) for c in found.categories}
    assert counts["drafts"] == ("erase", 1)
    assert counts["draft_files"] == ("erase", 1)
    assert counts["dossiers_retained"] == ("retain", 1)
    assert counts["dossiers_expired"] == ("pseudonymise", 1)
    assert counts["access"][1] >= 3  # session, TOTP device, VNeID link
    assert found.can_execute and found.keep_identity


def test_full_erasure_flow(scene, personas, django_capture_on_commit_callbacks, media):
    a, b = scene["a"], scene["b"]
    with pytest.raises(ValidationError):
        privacy.erasure_request_create(subject=a, password="sai-mat-khau-123")
    req = privacy.erasure_request_create(subject=a, password=PASSWORD, reason="Không dùng nữa")
    assert req.status == ErasureStatus.REQUESTED
    assert req.due_at - req.requested_at == dt.timedelta(hours=72)
    with pytest.raises(ValidationError):  # one open request at a time
        privacy.erasure_request_create(subject=a, password=PASSWORD)

    req = privacy.erasure_request_approve(request=req, actor=personas.admin, note="Đủ điều kiện")
    assert req.status == ErasureStatus.APPROVED
    blob = media / "documents"
    blobs_before = {p.name for p in blob.rglob("*") if p.is_file()}
    with django_capture_on_commit_callbacks(execute=True):
        req = privacy.erasure_request_execute(request=req, actor=personas.admin)
    assert req.status == ErasureStatus.EXECUTED
    assert req.report["drafts"] == 1 and req.report["draft_files"] == 1
    assert req.report["dossiers_pseudonymised"] == 1 and req.report["dossiers_retained"] == 1

    # Erased: drafts and their file (row and bytes), preference, devices, link, sessions.
    assert not DossierDraft.objects.filter(pk=scene["draft"].pk).exists()
    assert not StoredFile.objects.filter(pk=scene["draft_file"].pk).exists()
    blobs_after = {p.name for p in blob.rglob("*") if p.is_file()}
    assert len(blobs_before - blobs_after) == 1
    assert not Preference.objects.filter(user=a).exists()
    assert not TOTPDevice.objects.filter(user=a).exists()
    assert not ExternalAccount.objects.filter(user=a).exists()

    # The account cannot log in any more; the old session is gone.
    account = User.objects.get(pk=a.pk)
    assert not account.is_active and not account.has_usable_password()
    assert account.phone is None and account.email == "" and account.address == ""
    assert account.username.startswith("da-xoa-")
    assert authenticate(username="001090000001", password=PASSWORD) is None
    assert authenticate(username=account.username, password=PASSWORD) is None
    response = scene["session_client"].get(reverse("accounts:my_account"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    # Identity kept: a retained dossier must still name its applicant.
    assert account.personal_id == "001090000001" and account.full_name == "Nguyễn Văn A"

    # Retained dossier untouched; the one past retention keeps its row, loses the form.
    kept = Dossier.objects.get(pk=scene["kept"].pk)
    assert kept.form_answers == {"ho_ten_tre": "Bé An"} and kept.applicant_id == a.pk
    old = Dossier.objects.get(pk=scene["old"].pk)
    assert old.form_answers == {} and old.status == "withdrawn"

    # The citizen was told, at the address they had.
    final = Notification.objects.get(recipient=a)
    assert final.event == "privacy_request_executed"
    assert Delivery.objects.filter(notification=final, address="a@example.vn").exists()

    # Citizen B untouched.
    assert DossierDraft.objects.filter(pk=scene["b_draft"].pk).exists()
    assert StoredFile.objects.filter(pk=scene["b_file"].pk).exists()
    b_dossier = Dossier.objects.get(pk=scene["b_dossier"].pk)
    assert b_dossier.form_answers == {"ho_ten_tre": "Bé Bình"}
    b.refresh_from_db()
    assert b.is_active and b.check_password(PASSWORD) and b.phone == "0905000002"

    # Everything audited; the chain verifies.
    actions = set(
        AuditEntry.objects.filter(action__startswith="privacy.").values_list("action", flat=True)
    )
    assert actions == {
        "privacy.erasure_requested",
        "privacy.erasure_approved",
        "privacy.erasure_executed",
    }
    result = verify_chain()
    assert result.ok, result.reason


def test_without_retained_records_the_identity_goes_too(personas, media):
    b = personas.citizen_b
    req = privacy.erasure_request_create(subject=b, password=PASSWORD)
    req = privacy.erasure_request_approve(request=req, actor=personas.admin)
    privacy.erasure_request_execute(request=req, actor=personas.admin)
    b.refresh_from_db()
    assert b.personal_id is None and b.full_name == privacy.PSEUDONYM_NAME
    assert verify_chain().ok


def test_open_dossier_blocks_approval(personas, version, media):
    a = personas.citizen_a
    _submit(a, version, personas.unit_x, "Bé Đang Xử Lý")
    req = privacy.erasure_request_create(subject=a, password=PASSWORD)
    assert req.assessment["blockers"]
    with pytest.raises(ValidationError):
        privacy.erasure_request_approve(request=req, actor=personas.admin)
    with pytest.raises(ValidationError):  # refusing needs a reason
        privacy.erasure_request_refuse(request=req, actor=personas.admin, reason=" ")
    req = privacy.erasure_request_refuse(
        request=req, actor=personas.admin, reason="Còn hồ sơ đang giải quyết"
    )
    assert req.status == ErasureStatus.REFUSED
    assert Notification.objects.filter(recipient=a, event="privacy_request_refused").exists()
    with pytest.raises(ValidationError):  # a refused request cannot be executed
        privacy.erasure_request_execute(request=req, actor=personas.admin)
    a.refresh_from_db()
    assert a.is_active


def test_only_administrators_decide_and_citizen_b_cannot_touch_a_request(
    personas, client_for, media
):
    a = personas.citizen_a
    req = privacy.erasure_request_create(subject=a, password=PASSWORD)
    for outsider in (personas.citizen_b, personas.supervisor, personas.receptionist_x, a):
        with pytest.raises(PermissionDenied):
            privacy.erasure_request_approve(request=req, actor=outsider)
        with pytest.raises(PermissionDenied):
            privacy.erasure_request_refuse(request=req, actor=outsider, reason="x")
    client_b = client_for(personas.citizen_b)
    for name in ("request_detail", "request_approve", "request_refuse", "request_execute"):
        response = client_b.post(reverse(f"privacy:{name}", kwargs={"pk": req.pk}), {})
        assert response.status_code == 403, name
    page = client_b.get(reverse("my_privacy:request"))
    assert page.status_code == 200 and f"Yêu cầu số {req.pk}" not in page.content.decode()
    # B asking for erasure cannot carry A's request along.
    with pytest.raises(ValidationError):
        privacy.erasure_request_create(subject=personas.citizen_b, password=PASSWORD + "x")
    req.refresh_from_db()
    assert req.status == ErasureStatus.REQUESTED and req.subject_id == a.pk


def test_citizen_pages_and_back_office_over_http(personas, client_for, media):
    a = personas.citizen_a
    client_a = client_for(a)
    overview = client_a.get(reverse("my_privacy:request"))
    assert overview.status_code == 200
    assert "Phải giữ lại theo quy định" in overview.content.decode()
    bad = client_a.post(
        reverse("my_privacy:confirm"), {"password": "khong-dung-123", "understood": "on"}
    )
    assert bad.status_code == 400 and not ErasureRequest.objects.exists()
    ok = client_a.post(
        reverse("my_privacy:confirm"), {"password": PASSWORD, "understood": "on", "reason": ""}
    )
    assert ok.status_code == 302
    req = ErasureRequest.objects.get(subject=a)
    account = client_a.get(reverse("accounts:my_account")).content.decode()
    assert "Đã gửi yêu cầu, chờ xem xét" in account

    admin = client_for(personas.admin)
    listing = admin.get(reverse("privacy:request_list"))
    assert listing.status_code == 200 and f"#{req.pk}" in listing.content.decode()
    assert admin.get(reverse("privacy:request_detail", kwargs={"pk": req.pk})).status_code == 200
    admin.post(reverse("privacy:request_approve", kwargs={"pk": req.pk}), {"reason": ""})
    admin.post(reverse("privacy:request_execute", kwargs={"pk": req.pk}))
    req.refresh_from_db()
    assert req.status == ErasureStatus.EXECUTED
    assert client_a.get(reverse("accounts:my_account")).status_code == 302
    assert verify_chain().ok


def test_reapply_after_restore_command(personas, media):
    from django.core.management import call_command

    call_command(
        "privacy_erasure_reapply",
        "--user-id",
        str(personas.citizen_b.pk),
        "--actor",
        personas.admin.username,
        "--reference",
        "17",
    )
    b = User.objects.get(pk=personas.citizen_b.pk)
    assert not b.is_active and b.full_name == privacy.PSEUDONYM_NAME
    req = ErasureRequest.objects.get(subject=b)
    assert req.status == ErasureStatus.EXECUTED and "17" in req.reason
    assert AuditEntry.objects.filter(action="privacy.erasure_reapplied").count() == 1
    assert verify_chain().ok
