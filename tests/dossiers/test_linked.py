"""Issue 22 deliverable 3: linked procedures (law.md R40, Decree 63/2024/NĐ-CP). One
application for a Project 06 bundle: shared answers and documents asked once, one
child dossier per member at its own competent authority (each with its own deadline
and processing), one combined payment, results released together."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog import eforms
from motcua.catalog.demo import DATA_FILE, _read, load_demo_linked
from motcua.catalog.interchange import import_catalogue
from motcua.catalog.models import ProcedureBundle
from motcua.core.testing.files import tiny_image
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.errors import InvalidDossierData
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import linked
from motcua.org.constants import Role
from motcua.org.demo import CITIZENS, SOCIAL_SECURITY, demo_load, linked_demo_load
from motcua.org.models import OrgUnit, StaffAssignment
from motcua.org.selectors import valid_on
from motcua.payments.constants import RequestKind, RequestStatus
from motcua.payments.errors import PaymentError
from motcua.payments.models import PaymentRequest

pytestmark = pytest.mark.django_db

COMMUNE = "000.03.90.H17"  # UBND phường Bàn Thạch (took Tân Thạnh's records, 1/7/2025)
MEMBERS = {"1.001193", "1.004222", "1.000656", "1.001731"}

BIRTH_ANSWERS = {
    "quan_he": "me",
    "ho_ten_tre": "Nguyễn Thị Bé",
    "gioi_tinh": "nu",
    "ngay_sinh": "2026-11-20",
    "noi_sinh": "Bệnh viện Đa khoa tỉnh Quảng Nam",
    "dan_toc": "Kinh",
    "quoc_tich": "Việt Nam",
    "ho_ten_me": "Trần Thị Mẹ",
    "ho_ten_cha": "Nguyễn Văn Cha",
    "dung_han": True,
    "so_ban_sao": 1,
    "dia_chi_thuong_tru": "12 Phan Bội Châu, phường Tân Thạnh, Tam Kỳ",
    "chu_ho_ho_ten": "Nguyễn Văn Cha",
    "quan_he_chu_ho": "Con",
    "noi_kcb": "Trạm Y tế phường Tân Thạnh",
    "nguoi_yeu_cau_ho_ten": "Trần Thị Mẹ",
    "nguoi_yeu_cau_so_dinh_danh": "049190001234",
    "cam_doan": True,
}


@pytest.fixture
def linked_demo(request):
    demo_load()
    # Only the members of the two bundles (the whole demo catalogue takes minutes).
    import_catalogue([i for i in _read(DATA_FILE) if i["code"] in MEMBERS])
    linked_demo_load()
    load_demo_linked()
    # Signing credentials only for the two authorities the tests use (key generation
    # for every demo officer takes minutes).
    StaffAssignment.objects.exclude(unit__code__in=[COMMUNE, SOCIAL_SECURITY]).delete()
    request.getfixturevalue("e_signing")
    return User.objects.get(username=CITIZENS[0]["username"])


def shared_answers(bundle, citizen, answers):
    """The linked e-form judges the answers as the wizard's form step does."""
    from motcua.api.applications import _form_data

    schema = bundle.shared_form["schema"]
    form = eforms.build_form(
        schema,
        bundle.shared_form.get("layout"),
        data=_form_data(schema, answers),
        user=citizen,
        prefix="eform",
    )
    assert form.is_valid(), form.errors
    return form.answers()


def filled_group(citizen, code="LT-KHAISINH", answers=None, document="GIAY_CHUNG_SINH"):
    bundle = ProcedureBundle.objects.get(code=code)
    group = linked.group_start(applicant=citizen, bundle=bundle)
    linked.group_save_answers(
        group=group,
        actor=citizen,
        raw_form={},
        answers=shared_answers(bundle, citizen, answers or BIRTH_ANSWERS),
    )
    upload = SimpleUploadedFile("chung-sinh.png", tiny_image(), content_type="image/png")
    linked.group_attach_upload(group=group, actor=citizen, code=document, uploads=[upload])
    group.refresh_from_db()
    return group


def officer(unit_id, role):
    a = (
        StaffAssignment.objects.filter(valid_on(timezone.localdate()), unit_id=unit_id, role=role)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    assert a is not None, (unit_id, role)
    return a.user


def process(child):
    """Receive at the one-stop unit, then settle at the child's competent authority."""
    receptionist = officer(child.receiving_unit_id, Role.RECEPTIONIST)
    d = services.dossier_receive(dossier=child, actor=receptionist, expected_version=child.version)
    unit = d.competent_unit_id
    leader, specialist = officer(unit, Role.LEADER), officer(unit, Role.SPECIALIST)
    d = services.dossier_assign(
        dossier=d, actor=leader, expected_version=d.version, assignee=specialist
    )
    d = services.dossier_submit_for_approval(
        dossier=d, actor=specialist, expected_version=d.version
    )
    d = services.dossier_approve(dossier=d, actor=leader, expected_version=d.version)
    return services.dossier_issue_result(
        dossier=d,
        actor=officer(unit, Role.CLERK),
        expected_version=d.version,
        result_number=f"{d.pk}/KQ",
    )


def test_demo_has_the_two_project_06_bundles_with_legal_bases(linked_demo):
    bundles = {b.code: b for b in ProcedureBundle.objects.prefetch_related("members__procedure")}
    assert set(bundles) == {"LT-KHAISINH", "LT-KHAITU"}
    for bundle in bundles.values():
        assert len(bundle.members.all()) == 3
        assert "63/2024/NĐ-CP" in {b["number"] for b in bundle.legal_basis}
        assert bundle.return_mode == "together"
    birth = [m.procedure.code for m in bundles["LT-KHAISINH"].members.order_by("order")]
    assert birth == ["1.001193", "1.004222", "DEMO-BHYT6"]
    death = [m.procedure.code for m in bundles["LT-KHAITU"].members.order_by("order")]
    assert death == ["1.000656", "DEMO-XOATT", "1.001731"]
    # Loading again changes nothing.
    _procedures, (created, updated) = load_demo_linked()
    assert (created, updated) == (0, 0)


def test_linked_application_makes_one_child_per_authority_and_one_payment(linked_demo):
    citizen = linked_demo
    commune = OrgUnit.objects.get(code=COMMUNE)
    group = filled_group(citizen)
    assert linked.group_problems(group) == []
    children = linked.group_submit(
        group=group, actor=citizen, receiving_unit=commune, declared=True
    )
    assert len(children) == 3
    by_code = {c.procedure_version.procedure.code: c for c in children}
    assert by_code["1.001193"].competent_unit == commune
    assert by_code["1.004222"].competent_unit == commune
    assert by_code["DEMO-BHYT6"].competent_unit.code == SOCIAL_SECURITY
    for child in children:
        assert child.group_id == group.pk
        assert child.receiving_unit == commune
        assert child.status == DossierStatus.SUBMITTED
        # The shared document was attached once and stands in every member that needs it;
        # the linked declaration is printed for the members without an e-form.
        assert child.components.exists()
    birth = by_code["1.001193"]
    assert birth.form_answers["ho_ten_tre"] == "Nguyễn Thị Bé"
    assert birth.form_answers["co_giay_chung_sinh"] is True
    names = {c.component.code for c in birth.components.all() if c.component}
    assert {"GIAY_CHUNG_SINH", "TO_KHAI"} <= names
    ct01 = by_code["1.004222"].components.get(component__code="CT01")
    assert ct01.files and ct01.files[0]["name"].startswith("Tờ khai liên thông")
    # A second submission is refused (the group is no longer a draft).
    with pytest.raises(InvalidDossierData):
        linked.group_submit(group=group, actor=citizen, receiving_unit=commune, declared=True)

    # One payment for every fee: birth extract copy 8,000 + residence online 10,000.
    combined = services_pay(children, citizen)
    assert combined.kind == RequestKind.COMBINED and combined.amount == 18_000
    members = PaymentRequest.objects.filter(combined_into=combined)
    assert {m.dossier_id for m in members} == {by_code["1.001193"].pk, by_code["1.004222"].pk}
    from motcua.payments.services import attempt_start, cash_record

    with pytest.raises(PaymentError):
        attempt_start(
            request=members[0],
            provider_code="sandbox_gateway",
            actor=citizen,
            idempotency_key="k-member",
        )
    cash_record(
        request=combined, actor=officer(commune.pk, Role.RECEPTIONIST), amount=combined.amount
    )
    for member in PaymentRequest.objects.filter(combined_into=combined):
        assert member.status == RequestStatus.PAID and member.paid_amount == member.amount
    assert services_pay(children, citizen) is None  # nothing owed any more

    # Each child has its own deadline and processing at its own authority.
    done = [process(children[0]), process(children[1])]
    assert all(d.status == DossierStatus.RESOLVED for d in done)
    group.refresh_from_db()
    assert not linked.results_released(group)
    assert linked.child_result_held(done[0])
    last = process(children[2])
    assert last.competent_unit.code == SOCIAL_SECURITY
    dues = {d.pk: d.due_at for d in [*done, last]}
    assert len(set(dues.values())) >= 2  # 1 working day vs same-day vs 7 working days
    assert linked.results_released(group)
    assert not linked.child_result_held(last)


def services_pay(children, citizen):
    from motcua.payments.services import payment_request_combined

    return payment_request_combined(dossiers=children, actor=citizen)


def test_each_mode_releases_results_as_they_come(linked_demo):
    citizen = linked_demo
    ProcedureBundle.objects.filter(code="LT-KHAITU").update(return_mode="each")
    answers = {
        "nguoi_yeu_cau_ho_ten": "Lê Văn Con",
        "nguoi_yeu_cau_so_dinh_danh": "049080001234",
        "quan_he": "Con",
        "ho_ten_nguoi_chet": "Lê Văn Cụ",
        "so_dinh_danh_nguoi_chet": "049040001111",
        "ngay_chet": "2026-12-01",
        "noi_chet": "Tại nhà",
        "nguyen_nhan": "Già yếu",
        "dung_han": True,
        "so_ban_sao": 1,
        "dia_chi_thuong_tru_nguoi_chet": "5 Hùng Vương, Tam Kỳ",
        "nguoi_nhan_ho_tro": "Lê Văn Con",
        "cam_doan": True,
    }
    group = filled_group(citizen, "LT-KHAITU", answers, "GIAY_BAO_TU")
    commune = OrgUnit.objects.get(code=COMMUNE)
    children = linked.group_submit(
        group=group, actor=citizen, receiving_unit=commune, declared=True
    )
    assert [c.procedure_version.procedure.code for c in children] == [
        "1.000656",
        "DEMO-XOATT",
        "1.001731",
    ]
    assert children[0].form_answers["de_nghi_ho_tro_mai_tang"] is True
    process(children[0])
    group.refresh_from_db()
    assert group.return_mode == "each"
    assert linked.results_released(group)


def test_missing_answers_and_documents_stop_submission(linked_demo):
    citizen = linked_demo
    bundle = ProcedureBundle.objects.get(code="LT-KHAISINH")
    group = linked.group_start(applicant=citizen, bundle=bundle)
    problems = linked.group_problems(group)
    assert any("Tờ khai liên thông" in p for p in problems)
    assert any("Giấy chứng sinh" in p for p in problems)
    with pytest.raises(InvalidDossierData):
        linked.group_submit(
            group=group,
            actor=citizen,
            receiving_unit=OrgUnit.objects.get(code=COMMUNE),
            declared=True,
        )
    # The member drafts are not the citizen's ordinary drafts of those procedures.
    assert linked.group_start(applicant=citizen, bundle=bundle) == group
    assert group.drafts.count() == 3


def test_parent_pages_are_scoped(linked_demo, client_for):
    """The citizen sees their own linked application; an officer sees the parent when
    they may see one of its children, with links only to the children they may see."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in User.objects.filter(kind="staff"):
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    citizen = linked_demo
    commune = OrgUnit.objects.get(code=COMMUNE)
    group = filled_group(citizen)
    children = linked.group_submit(
        group=group, actor=citizen, receiving_unit=commune, declared=True
    )
    url = f"/ho-so-lien-thong/{group.pk}/"
    page = client_for(citizen).get(url)
    assert page.status_code == 200
    assert page.content.decode().count('class="card dossier-card linked-child"') == 3
    other = User.objects.get(username=CITIZENS[1]["username"])
    assert client_for(other).get(url).status_code == 404
    back = f"/quan-tri/ho-so/lien-thong/{group.pk}/"
    receptionist = client_for(officer(commune.pk, Role.RECEPTIONIST)).get(back)
    assert receptionist.status_code == 200
    social = OrgUnit.objects.get(code=SOCIAL_SECURITY)
    specialist = client_for(officer(social.pk, Role.SPECIALIST)).get(back)
    assert specialist.status_code == 200
    html = specialist.content.decode()
    bhyt = next(c for c in children if c.competent_unit_id == social.pk)
    assert f"/quan-tri/ho-so/{bhyt.pk}/" in html
    others = [c for c in children if c.pk != bhyt.pk]
    assert all(f"/quan-tri/ho-so/{c.pk}/" not in html for c in others)
    assert client_for(other).get(back).status_code in (302, 403, 404)


def test_a_combined_payment_is_refunded_per_child(linked_demo):
    """Law.md R40: each child is its own dossier, so when one child is refused only its
    share of the one payment goes back, and its own fee request shows the refund."""
    from motcua.payments.services import (
        cash_record,
        refund_complete,
        refund_request,
        refund_shares,
        refundable_reason,
    )

    citizen = linked_demo
    commune = OrgUnit.objects.get(code=COMMUNE)
    group = filled_group(citizen)
    children = linked.group_submit(
        group=group, actor=citizen, receiving_unit=commune, declared=True
    )
    by_code = {c.procedure_version.procedure.code: c for c in children}
    combined = services_pay(children, citizen)
    cash_record(
        request=combined, actor=officer(commune.pk, Role.RECEPTIONIST), amount=combined.amount
    )
    attempt = combined.attempts.get()
    clerk, leader = officer(commune.pk, Role.CLERK), officer(commune.pk, Role.LEADER)
    assert refundable_reason(attempt) == ""  # no child refused: nothing goes back

    residence = by_code["1.004222"]  # 10,000 of the 18,000
    services.dossier_refuse_reception(
        dossier=residence,
        actor=officer(commune.pk, Role.RECEPTIONIST),
        expected_version=residence.version,
        reason="Không thuộc thẩm quyền",
    )
    member = PaymentRequest.objects.get(combined_into=combined, dossier=residence)
    shares = refund_shares(attempt)
    assert [(m.pk, m.refund_room) for m in shares] == [(member.pk, 10_000)]
    assert refundable_reason(attempt) == DossierStatus.REJECTED_AT_RECEPTION
    with pytest.raises(PaymentError):  # which child: required
        refund_request(attempt=attempt, actor=clerk, amount=10_000, reason="Từ chối")
    birth_member = PaymentRequest.objects.get(combined_into=combined, dossier=by_code["1.001193"])
    with pytest.raises(PaymentError):  # a child still being processed: never
        refund_request(attempt=attempt, actor=clerk, amount=8_000, reason="x", member=birth_member)
    with pytest.raises(PaymentError):  # more than the child's share
        refund_request(attempt=attempt, actor=clerk, amount=10_001, reason="x", member=member)
    refund = refund_request(
        attempt=attempt, actor=clerk, amount=10_000, reason="Từ chối tiếp nhận", member=member.pk
    )
    assert refund_shares(attempt) == []  # the share is taken by the pending refund
    refund_complete(refund=refund, actor=leader)
    member.refresh_from_db()
    combined.refresh_from_db()
    assert member.refunded_amount == 10_000 and combined.refunded_amount == 10_000
    birth_member.refresh_from_db()
    assert birth_member.refunded_amount == 0


def test_the_refund_form_offers_the_refused_childs_share(linked_demo, client_for):
    from motcua.payments.services import cash_record

    citizen = linked_demo
    commune = OrgUnit.objects.get(code=COMMUNE)
    children = linked.group_submit(
        group=filled_group(citizen), actor=citizen, receiving_unit=commune, declared=True
    )
    combined = services_pay(children, citizen)
    cash_record(
        request=combined, actor=officer(commune.pk, Role.RECEPTIONIST), amount=combined.amount
    )
    residence = next(c for c in children if c.procedure_version.procedure.code == "1.004222")
    services.dossier_refuse_reception(
        dossier=residence,
        actor=officer(commune.pk, Role.RECEPTIONIST),
        expected_version=residence.version,
        reason="Không thuộc thẩm quyền",
    )
    member = PaymentRequest.objects.get(combined_into=combined, dossier=residence)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clerk = officer(commune.pk, Role.CLERK)
    TOTPDevice.objects.create(user=clerk, name="default", confirmed=True)
    client = client_for(clerk)
    answer = client.get(f"/quan-tri/thanh-toan/{combined.pk}/")
    assert answer.status_code == 200, (answer.status_code, answer.get("Location"))
    page = answer.content.decode()
    assert f'<option value="{member.pk}">' in page and "10.000" in page
    attempt = combined.attempts.get()
    answer = client.post(
        f"/quan-tri/thanh-toan/giao-dich/{attempt.pk}/hoan-tien/",
        {"amount": "10000", "reason": "Từ chối tiếp nhận", "member": str(member.pk)},
    )
    assert answer.status_code == 302
    assert member.member_refunds.get().amount == 10_000


def test_results_returned_together_are_held_everywhere_until_the_last_child(
    linked_demo, client_for, django_capture_on_commit_callbacks
):
    """Law.md R40: while a sibling is processed, a child's sealed result is not in the
    applicant's warehouse, not announced, and not downloadable by the applicant through
    the API; the last child releases all of them at once (one notice each)."""
    from motcua.documents.models import WarehouseItem
    from motcua.notifications.models import Notification

    citizen = linked_demo
    commune = OrgUnit.objects.get(code=COMMUNE)
    with django_capture_on_commit_callbacks(execute=True):
        children = linked.group_submit(
            group=filled_group(citizen), actor=citizen, receiving_unit=commune, declared=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        first = process(children[0])
    with django_capture_on_commit_callbacks(execute=True):
        process(children[1])

    def announced():
        return set(
            Notification.objects.filter(recipient=citizen, event="dossier_resolved").values_list(
                "dossier_id", flat=True
            )
        )

    def kept():
        return set(
            WarehouseItem.objects.filter(owner=citizen).values_list("dossier_code", flat=True)
        )

    assert announced() == set() and kept() == set()
    api = client_for(citizen)
    assert api.get(f"/api/v1/dossiers/{first.pk}/results").json() == []
    code = first.code
    from motcua.dossiers.services.e_result import result_document_of

    issued = result_document_of(first)
    held = api.get(f"/api/v1/dossiers/{first.pk}/results/{issued.code}")
    assert held.status_code == 409 and held.json()["code"] == "result_held"
    keep = api.post(f"/ho-so-cua-toi/{first.pk}/ket-qua/{issued.code}/luu-kho/")
    assert keep.status_code in (403, 404)
    assert kept() == set()

    with django_capture_on_commit_callbacks(execute=True):
        process(children[2])
    assert announced() == {c.pk for c in children}
    assert len(Notification.objects.filter(recipient=citizen, event="dossier_resolved")) == 3
    assert kept() == {c.code for c in Dossier.objects.filter(pk__in=[c.pk for c in children])}
    assert code in kept()
    assert len(api.get(f"/api/v1/dossiers/{first.pk}/results").json()) == 1
    assert api.get(f"/api/v1/dossiers/{first.pk}/results/{issued.code}").status_code == 200
