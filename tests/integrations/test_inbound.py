"""Dossiers filed on the national portal reach the province (Decree 118/2025 Art. 15,
17(2); law.md R22a): pulled and pushed from the sandbox portal, verified, created once
in "Chờ tiếp nhận" at the chosen unit with the national code kept, acknowledged, and
synced back through the outbox."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from motcua.core.testing.files import tiny_pdf
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.integrations import inbound
from motcua.integrations.models import InboundDossier, InboundStatus, OutboxMessage
from motcua.integrations.tasks import run_sync
from motcua.integrations.webhooks import sign
from motcua.sandbox_portal import national
from motcua.sandbox_portal.models import Mode, NationalDossier

pytestmark = pytest.mark.django_db

OWNER = national.Owner("Hoàng Văn Em", "049098001122", "0905123456", "em@example.vn", "Tam Kỳ")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""


@pytest.fixture
def version(personas):
    from motcua.core.testing.fixtures import make_published_version

    return make_published_version(
        personas.unit_x,
        components=[("TK", "Tờ khai đăng ký khai sinh"), ("GCS", "Giấy chứng sinh")],
    )


def _file(version, unit, *, owner=OWNER, fees=(), code=""):
    return national.file_dossier(
        procedure_code=version.procedure.code,
        unit_code=unit.code,
        owner=owner,
        answers={"ho_ten_tre": "Hoàng Bé Na"},
        files=[
            national.File("TK", "to-khai.pdf", tiny_pdf()),
            national.File("GCS", "gcs.pdf", tiny_pdf()),
        ],
        fees=list(fees),
        code=code,
    )


def test_a_pulled_dossier_waits_for_reception_at_the_chosen_unit_with_its_national_code(
    personas, version, django_capture_on_commit_callbacks
):
    from motcua.integrations.models import DossierIdentityFlag
    from motcua.notifications.models import Notification

    filed = _file(version, personas.unit_x)
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound.run_inbound()
    assert result.pull is not None and result.pull.received == 1
    row = InboundDossier.objects.get(national_code=filed.code)
    d = row.dossier
    assert row.status == InboundStatus.IMPORTED and row.via == "pull"
    assert d.status == DossierStatus.SUBMITTED and d.channel == Channel.ONLINE
    assert d.receiving_unit == personas.unit_x and d.code is None
    assert d.submitted_at == filed.acknowledged_at.replace(microsecond=0)
    assert d.form_answers["ho_ten_tre"] == "Hoàng Bé Na"
    assert d.form_answers["_national"]["code"] == filed.code
    # The applicant: a citizen account for the VNeID-proofed personal id.
    assert d.applicant.personal_id == OWNER.personal_id and d.applicant.is_citizen
    assert DossierIdentityFlag.objects.get(dossier=d).vneid_authenticated is True
    files = {c.component.code: c.files for c in d.components.select_related("component")}
    assert set(files) == {"TK", "GCS"} and all(f[0].get("stored_file") for f in files.values())
    # Created through the same service as the portal, audited via the national portal.
    event = d.events.get()
    assert event.action == "submit_online" and event.payload["via"] == inbound.via_label()
    # Art. 17(2): the reception officers of the unit are alerted at once.
    assert Notification.objects.filter(
        event="dossier_waiting_reception", dossier_id=d.pk, recipient=personas.receptionist_x
    ).exists()
    # Acknowledged to the portal after the commit.
    filed.refresh_from_db()
    assert filed.province_acked_at is not None and filed.province_ref == str(d.pk)
    assert row.__class__.objects.get(pk=row.pk).portal_acked_at is not None

    # Status goes back through the outbox under the national code, before reception.
    run_sync()
    sent = OutboxMessage.objects.filter(dossier=d)
    assert sent.exists() and {m.ma_ho_so for m in sent} == {filed.code}

    # Reception keeps the national code (one code per dossier, Art. 28).
    from motcua.dossiers import services

    received = services.dossier_receive(
        dossier=d, actor=personas.receptionist_x, expected_version=d.version
    )
    assert received.code == filed.code


def test_repeated_pulls_and_pushes_create_one_dossier(personas, version):
    filed = _file(version, personas.unit_x)
    assert national.push(filed) == "ok"
    assert national.push(filed) == "duplicate"
    inbound.run_inbound()  # the pull sees it a third time
    from motcua.integrations.models import RelayCursor

    RelayCursor.objects.filter(name=inbound.CURSOR).update(watermark=0)  # re-read all
    inbound.run_inbound()
    row = InboundDossier.objects.get()
    assert row.deliveries == 4
    assert Dossier.objects.filter(form_answers___national__code=filed.code).count() == 1
    assert inbound.inbound_import_one(row.pk) == "already"


def test_a_push_with_a_bad_signature_is_refused_and_nothing_is_stored(personas, version, client):
    filed = _file(version, personas.unit_x)
    body = json.dumps({"service": "ChuyenHoSo", "data": [filed.record]}).encode()
    ts = int(time.time())
    url = reverse("integrations:inbound_push")
    forged = client.post(
        url,
        body,
        content_type="application/json",
        headers={"X-DVCQG-Timestamp": str(ts), "X-DVCQG-Signature": sign("wrong", ts, body)},
    )
    assert forged.status_code == 401
    # A correctly signed push of a record altered after the portal signed it.
    record = {**filed.record, "MaDonVi": "OTHER"}
    body = json.dumps({"service": "ChuyenHoSo", "data": [record]}).encode()
    altered = client.post(
        url,
        body,
        content_type="application/json",
        headers={
            "X-DVCQG-Timestamp": str(ts),
            "X-DVCQG-Signature": sign(inbound.secret(), ts, body),
        },
    )
    assert altered.status_code == 401
    assert not InboundDossier.objects.exists()


def test_a_pulled_record_with_a_bad_signature_is_refused(personas, version):
    filed = _file(version, personas.unit_x)
    NationalDossier.objects.filter(pk=filed.pk).update(record={**filed.record, "ChuKy": "v1=00"})
    result = inbound.run_inbound()
    assert result.pull is not None and result.pull.rejected == 1
    assert not InboundDossier.objects.exists() and not Dossier.objects.exists()


def test_portal_down_then_a_lost_acknowledgement_lose_nothing(personas, version, portal):
    first = _file(version, personas.unit_x)
    portal.down()
    result = inbound.run_inbound()
    assert result.pull is not None and result.pull.error and not InboundDossier.objects.exists()
    portal.set(Mode.LOSE_ACK)  # the portal records the acknowledgement, the answer is lost
    inbound.run_inbound()
    row = InboundDossier.objects.get(national_code=first.code)
    assert row.status == InboundStatus.IMPORTED and row.portal_acked_at is None
    portal.up()
    second = _file(version, personas.unit_x, owner=national.Owner("Võ Thị Gấm", "049199003344"))
    inbound.run_inbound()
    row.refresh_from_db()
    first.refresh_from_db()
    assert row.portal_acked_at is not None and first.acks == 2  # acknowledged again
    assert InboundDossier.objects.filter(national_code=second.code, dossier__isnull=False).exists()
    assert Dossier.objects.count() == 2


def test_an_unknown_procedure_is_kept_as_failed_and_imported_after_a_retry(personas, version):
    filed = national.file_dossier(
        procedure_code="NO-SUCH", unit_code=personas.unit_x.code, owner=OWNER
    )
    inbound.run_inbound()
    row = InboundDossier.objects.get(national_code=filed.code)
    assert row.status == InboundStatus.FAILED and "NO-SUCH" in row.last_error
    assert not Dossier.objects.exists() and filed.__class__.objects.get().province_acked_at is None
    version.procedure.code = "NO-SUCH"
    version.procedure.save()
    assert inbound.inbound_retry_failed() == 1
    inbound.run_inbound()
    row.refresh_from_db()
    assert row.status == InboundStatus.IMPORTED and row.portal_acked_at is not None


def test_fees_paid_on_the_portal_are_recorded_as_paid_nationally(personas, version):
    from motcua.payments.constants import OnlineFlag
    from motcua.payments.models import PaymentRequest

    filed = _file(version, personas.unit_x, fees=[national.Fee("LP", "Lệ phí", 50_000)])
    inbound.run_inbound()
    d = InboundDossier.objects.get(national_code=filed.code).dossier
    req = PaymentRequest.objects.get(dossier=d)
    attempt = req.attempts.get()
    assert attempt.provider == "dvcqg" and attempt.amount == 50_000
    assert req.paid_amount == 50_000 and req.online_flag == OnlineFlag.NATIONAL


def test_the_inbound_page_lists_what_arrived(personas, version, client_for):
    filed = _file(version, personas.unit_x)
    inbound.run_inbound()
    page = client_for(personas.admin).get(reverse("integrations:inbound"))
    assert page.status_code == 200 and filed.code in page.content.decode()


def test_pull_and_push_work_under_the_demo_hosts(personas, version, settings):
    """`make demo` serves 127.0.0.1/localhost only: the in-process sandbox must not need
    the test runner's "testserver" host (the issue 18 bug)."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.DEBUG = False
    pulled = _file(version, personas.unit_x)
    inbound.run_inbound()
    pushed = _file(version, personas.unit_x, owner=national.Owner("Đặng Văn Hải", "049097005566"))
    assert national.push(pushed) == "ok"
    inbound.run_inbound(pull=False)
    rows = InboundDossier.objects.filter(
        status=InboundStatus.IMPORTED, portal_acked_at__isnull=False
    )
    assert {(r.national_code, r.via) for r in rows} == {
        (pulled.code, "pull"),
        (pushed.code, "push"),
    }
