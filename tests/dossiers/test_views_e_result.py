"""Dossier pages and the public verification page with the electronic result: upload
of a draft, signature by the leader, clear 4xx errors, public download."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus as S
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.e_result import result_document_of, signed_roles
from tests.documents.conftest import make_pdf


def _post(client, d, action, data=None):
    return client.post(
        reverse("dossiers:act", args=[d.pk, action]),
        {f"{action}-expected_version": d.version, **(data or {})},
    )


def test_upload_draft_then_leader_signs_on_the_page(
    personas, staff, in_process, e_signing, client_for
):
    d = in_process
    specialist = client_for(staff.specialist_x)
    response = _post(
        specialist,
        d,
        "submit_for_approval",
        {"submit_for_approval-result_file": SimpleUploadedFile("kq.pdf", make_pdf("KQ"))},
    )
    assert response.status_code == 302
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == S.AWAITING_APPROVAL
    issued = result_document_of(d)
    assert issued is not None and issued.file.original_name == "kq.pdf"

    leader = client_for(personas.leader_x)
    page = leader.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "Ký số và phê duyệt" in page and issued.code in page and "Chưa ký số" in page
    assert _post(leader, d, "approve").status_code == 302
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == S.APPROVED and signed_roles(result_document_of(d)) == ["leader"]
    page = leader.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "Lãnh đạo đã ký" in page


def test_non_pdf_draft_and_missing_credential_answer_4xx(
    personas, staff, in_process, e_signing, client_for
):
    from motcua.documents.models import SigningCredential

    d = in_process
    specialist = client_for(staff.specialist_x)
    response = _post(
        specialist,
        d,
        "submit_for_approval",
        {"submit_for_approval-result_file": SimpleUploadedFile("kq.pdf", b"not a pdf")},
    )
    assert response.status_code == 400
    assert "phải là tệp PDF" in response.content.decode()
    assert _post(specialist, d, "submit_for_approval").status_code == 302
    d = Dossier.objects.get(pk=d.pk)
    SigningCredential.objects.filter(user=personas.leader_x).update(is_active=False)
    response = _post(client_for(personas.leader_x), d, "approve")
    assert response.status_code == 400
    assert "Chưa có chứng thư số để ký" in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == S.AWAITING_APPROVAL


def test_public_verification_page_offers_the_signed_file(
    personas, staff, in_process, e_signing, client
):
    d = services.dossier_submit_for_approval(
        dossier=in_process, actor=staff.specialist_x, expected_version=in_process.version
    )
    d = services.dossier_approve(dossier=d, actor=personas.leader_x, expected_version=d.version)
    d = services.dossier_issue_result(
        dossier=d, actor=staff.clerk_x, expected_version=d.version, result_number="9/GKS"
    )
    code = d.result_files[0]["ref"]
    page = client.get(reverse("verify:detail", args=[code])).content.decode()
    assert reverse("verify:download", args=[code]) in page
    response = client.get(reverse("verify:download", args=[code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    from motcua.documents.services import stored_file_bytes

    assert body == stored_file_bytes(result_document_of(d).file)
    assert client.get(reverse("verify:download", args=["KQ0000-XXXXXXXX"])).status_code == 404


def test_apology_form04_is_signed_by_the_leader(personas, version, e_signing, client_for):
    """law.md R14, R20: the head signs Form 04; officer and applicant get the signed copy."""
    import datetime as dt

    from django.utils import timezone

    from motcua.core.testing.fixtures import receive_dossier, submit_online_dossier
    from motcua.documents.constants import SignerRole
    from motcua.documents.models import SignatureRecord
    from motcua.documents.services import stored_file_bytes
    from motcua.dossiers.forms_pdf import signed_form_of
    from tests.dossiers.test_e_result import validate_with_pyhanko

    now = timezone.now()
    d = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=now
    )
    d = receive_dossier(d, receptionist=personas.receptionist_x, now=now)
    new_due = timezone.localtime(d.due_at + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    leader = client_for(personas.leader_x)
    response = _post(
        leader,
        d,
        "extend_with_apology",
        {
            "extend_with_apology-new_due_at": new_due,
            "extend_with_apology-reason": "Chờ xác minh",
            "extend_with_apology-reason_kind": "objective",
        },
    )
    body = response.content.decode()
    assert response.status_code == 302, body[
        body.find("error-summary") : body.find("error-summary") + 1500
    ]
    d = Dossier.objects.get(pk=d.pk)
    signed = signed_form_of(d, "04")
    assert signed is not None and signed.owner == personas.citizen_a
    record = SignatureRecord.objects.get(file=signed)
    assert (record.role, record.signer) == (SignerRole.LEADER, personas.leader_x)
    ((name, status),) = validate_with_pyhanko(stored_file_bytes(signed))
    assert name == personas.leader_x.full_name and status.intact and status.trusted
    page = leader.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert reverse("documents:detail", args=[signed.pk]) in page
    citizen = client_for(personas.citizen_a)
    portal = citizen.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert reverse("documents:download", args=[signed.pk]) in portal
    assert citizen.get(reverse("documents:download", args=[signed.pk])).status_code == 200


def test_apology_over_the_api_keeps_form04_signed_by_the_leader(
    personas, version, e_signing, client_for
):
    """The API action keeps and signs the issued form exactly as the page does (law.md
    R14, R20): an apology made through the API leaves a Form 04 signed by the leader."""
    import datetime as dt

    from django.utils import timezone

    from motcua.core.testing.fixtures import receive_dossier, submit_online_dossier
    from motcua.documents.constants import SignerRole
    from motcua.documents.models import SignatureRecord
    from motcua.dossiers.forms_pdf import signed_form_of

    now = timezone.now()
    d = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=now
    )
    d = receive_dossier(d, receptionist=personas.receptionist_x, now=now)
    new_due = timezone.localtime(d.due_at + dt.timedelta(days=7)).isoformat()
    response = client_for(personas.leader_x).post(
        f"/api/v1/dossiers/{d.pk}/actions/extend_with_apology",
        {
            "expected_version": d.version,
            "new_due_at": new_due,
            "reason": "Chờ xác minh",
            "reason_kind": "objective",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content.decode()[:1500]
    signed = signed_form_of(Dossier.objects.get(pk=d.pk), "04")
    assert signed is not None and signed.owner == personas.citizen_a
    record = SignatureRecord.objects.get(file=signed)
    assert (record.role, record.signer) == (SignerRole.LEADER, personas.leader_x)
