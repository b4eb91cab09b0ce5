"""`motcua dossiers_demo` builds dossiers in many states through the services, once."""

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier


@pytest.mark.django_db
def test_demo_requires_the_demo_organisation():
    with pytest.raises(CommandError):
        call_command("dossiers_demo")


@pytest.mark.django_db
def test_demo_is_idempotent_and_covers_the_states(e_signing):
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.org.demo import demo_load

    demo_load()
    load_demo_catalogue()
    call_command("dossiers_demo")
    count = Dossier.objects.count()
    call_command("dossiers_demo")
    assert Dossier.objects.count() == count == 13
    states = set(Dossier.objects.values_list("status", flat=True))
    assert {
        DossierStatus.SUBMITTED,
        DossierStatus.RECEIVED,
        DossierStatus.IN_PROCESS,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.AWAITING_APPROVAL,
        DossierStatus.RESOLVED,
        DossierStatus.RESULT_RETURNED,
        DossierStatus.REJECTED_AT_RECEPTION,
        DossierStatus.STOPPED,
    } <= states
    assert Dossier.objects.filter(extended_at__isnull=False).count() == 2
    # One dossier received under Decree 61/2018 keeps its rules (law.md R1); one whose
    # supplement ran out of time is closed by the scheduler's sweep (Art. 19(5)).
    old = Dossier.objects.get(form_answers__demo_key="truoc-nd118")
    assert old.rule_set == "nd61-2018" and old.status == DossierStatus.RESULT_RETURNED
    assert old.code.startswith("000.00.01.H47-250602-")  # the receiving centre (Art. 26)
    from motcua.dossiers.services import close_expired_supplements

    assert close_expired_supplements() == 1
    closed = Dossier.objects.get(form_answers__demo_key="qua-han-bo-sung")
    assert closed.status == DossierStatus.CLOSED_UNSUPPLEMENTED
    # The resolved and returned dossiers carry a result signed by the leader and sealed.
    from motcua.dossiers.services.e_result import result_document_of, signed_roles

    for d in Dossier.objects.filter(
        status__in=[DossierStatus.RESOLVED, DossierStatus.RESULT_RETURNED]
    ):
        assert signed_roles(result_document_of(d)) == ["leader", "agency"]
        assert d.result_files[0]["ref"] == result_document_of(d).code
    # Rendered from the procedure's own result template (catalogue data), with its code.
    import io

    from pypdf import PdfReader

    from motcua.documents.services import stored_file_bytes

    issued = result_document_of(d)
    text = PdfReader(io.BytesIO(stored_file_bytes(issued.file))).pages[0].extract_text()
    assert "PHIẾU LÝ LỊCH TƯ PHÁP" in text and "Không có án tích" in text
    assert issued.code in text  # the verification code and QR on the same (only) page
