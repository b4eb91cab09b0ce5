import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from motcua.org import selectors
from motcua.org.models import OrgUnit, StaffAssignment

D = dt.date


def detail(unit):
    return reverse("org:unit_detail", args=[unit.pk])


def test_unit_list_url_is_stable():
    assert reverse("org:unit_list") == "/quan-tri/to-chuc/"


def test_anonymous_is_sent_to_login(personas):
    response = Client().get(detail(personas.unit_x))
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("who", ["citizen_a", "business"])
def test_citizens_are_refused(personas, client_for, who):
    client = client_for(getattr(personas, who))
    assert client.get(reverse("org:unit_list")).status_code == 403
    assert client.get(detail(personas.unit_x)).status_code == 403


def test_officer_sees_own_unit_but_not_another(personas, client_for):
    client = client_for(personas.receptionist_x)
    response = client.get(detail(personas.unit_x))
    assert response.status_code == 200
    assert "Sở X" in response.content.decode()
    assert client.get(detail(personas.unit_y)).status_code == 404
    assert (
        client.get(reverse("org:assignment_create", args=[personas.unit_y.pk])).status_code == 404
    )
    listing = client.get(reverse("org:unit_list")).content.decode()
    assert "Sở X" in listing
    assert "Sở Y" not in listing


def test_scoping_selectors(personas):
    assert selectors.can_access_unit(personas.receptionist_x, personas.unit_x)
    assert not selectors.can_access_unit(personas.receptionist_x, personas.unit_y)
    assert not selectors.can_access_unit(personas.citizen_a, personas.unit_x)
    for unit in (personas.province, personas.unit_x, personas.unit_y):
        assert selectors.can_access_unit(personas.supervisor, unit)


def test_supervisor_reads_everything_but_cannot_change(personas, client_for):
    client = client_for(personas.supervisor)
    page = client.get(detail(personas.unit_y)).content.decode()
    assert "Sở Y" in page
    assert "chuyenvien.y" in page  # staff list
    assert reverse("org:unit_edit", args=[personas.unit_y.pk]) not in page
    assert client.get(reverse("org:unit_edit", args=[personas.unit_y.pk])).status_code == 403
    response = client.post(reverse("org:unit_edit", args=[personas.unit_y.pk]), {"name": "X"})
    assert response.status_code == 403
    assert client.get(reverse("org:unit_create")).status_code == 403


def test_unit_detail_shows_head_and_history(personas, client_for):
    page = client_for(personas.leader_x).get(detail(personas.unit_x)).content.decode()
    assert "Lịch sử người đứng đầu" in page
    assert personas.leader_x.full_name in page


def test_tree_as_of_date(personas, client_for):
    OrgUnit.objects.filter(pk=personas.unit_y.pk).update(valid_to=D(2024, 12, 31))
    client = client_for(personas.supervisor)
    assert "Sở Y" in client.get(reverse("org:unit_list"), {"at": "2024-06-01"}).content.decode()
    assert "Sở Y" not in client.get(reverse("org:unit_list"), {"at": "2025-06-01"}).content.decode()
    filtered = client.get(reverse("org:unit_list"), {"q": "Sở X"}).content.decode()
    assert "Sở X" in filtered and "Sở Y" not in filtered


def test_admin_creates_edits_and_moves_units(personas, client_for):
    client = client_for(personas.admin)
    response = client.post(
        reverse("org:unit_create"),
        {
            "code": "000.01.01.H47",
            "name": "Phòng Z",
            "kind": "district_office",
            "parent": personas.unit_x.pk,
        },
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="000.01.01.H47")
    assert unit.path == f"{personas.unit_x.path}{unit.pk}/"
    response = client.post(
        reverse("org:unit_edit", args=[unit.pk]),
        {
            "code": unit.code,
            "name": "Phòng Z mới",
            "kind": "district_office",
            "parent": personas.unit_y.pk,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Phòng Z mới"
    assert unit.path == f"{personas.unit_y.path}{unit.pk}/"


def test_admin_form_errors_are_in_vietnamese(personas, client_for):
    client = client_for(personas.admin)
    response = client.post(
        reverse("org:unit_create"),
        {
            "code": personas.unit_x.code,
            "name": "Trùng",
            "kind": "department",
            "valid_from": "2025-07-01",
            "valid_to": "2025-01-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vui lòng sửa các lỗi sau" in page
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực." in page
    response = client.post(
        reverse("org:unit_create"),
        {"code": personas.unit_x.code, "name": "Trùng", "kind": "department"},
    )
    assert "đã được dùng" in response.content.decode()
    assert OrgUnit.objects.filter(name="Trùng").count() == 0


def test_admin_assigns_and_ends_staff(personas, client_for):
    client = client_for(personas.admin)
    url = reverse("org:assignment_create", args=[personas.unit_y.pk])
    response = client.post(
        url,
        {"user": personas.receptionist_x.pk, "role": "receptionist", "valid_from": "2025-01-01"},
    )
    assert response.status_code == 302
    assignment = StaffAssignment.objects.get(user=personas.receptionist_x, unit=personas.unit_y)
    # A second head while leader_x heads unit X is refused with a Vietnamese message.
    response = client.post(
        reverse("org:assignment_create", args=[personas.unit_x.pk]),
        {
            "user": personas.specialist_y.pk,
            "role": "leader",
            "is_head": "on",
            "valid_from": "2025-01-01",
        },
    )
    assert "Đơn vị đã có người đứng đầu" in response.content.decode()
    end_url = reverse("org:assignment_end", args=[personas.unit_y.pk, assignment.pk])
    assert client.post(end_url, {"valid_to": "2025-06-30"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == D(2025, 6, 30)


def test_citizen_cannot_be_assigned(personas, client_for):
    client = client_for(personas.admin)
    response = client.post(
        reverse("org:assignment_create", args=[personas.unit_y.pk]),
        {"user": personas.citizen_a.pk, "role": "receptionist", "valid_from": "2025-01-01"},
    )
    assert response.status_code == 200
    assert not StaffAssignment.objects.filter(user=personas.citizen_a).exists()


def test_admin_records_succession_and_delegation(personas, client_for):
    client = client_for(personas.admin)
    response = client.post(
        reverse("org:succession_create", args=[personas.unit_y.pk]),
        {
            "successor": personas.unit_x.pk,
            "kind": "merged_into",
            "effective_date": "2025-07-01",
            "legal_basis": "Quyết định 1/2025",
            "close_predecessor": "on",
        },
    )
    assert response.status_code == 302
    personas.unit_y.refresh_from_db()
    assert personas.unit_y.valid_to == D(2025, 6, 30)
    assert selectors.resolve_current(personas.unit_y, D(2026, 1, 1)) == [personas.unit_x]

    response = client.post(
        reverse("org:delegation_create", args=[personas.unit_x.pk]),
        {
            "delegator": personas.leader_x.pk,
            "delegate": personas.receptionist_x.pk,
            "valid_from": "2026-01-05",
            "valid_to": "2026-01-09",
            "reason": "Đi công tác",
        },
    )
    assert response.status_code == 302
    delegation = personas.leader_x.delegations_given.get()
    revoke = reverse("org:delegation_revoke", args=[personas.unit_x.pk, delegation.pk])
    assert client_for(personas.leader_x).post(revoke).status_code == 403
    assert client.post(revoke).status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_demo_scoping_in_the_browser_pages(db, client_for, settings):
    from motcua.accounts.models import User

    settings.MOTCUA_STAFF_2FA_REQUIRED = False  # as in the demo settings: no TOTP devices
    from motcua.org.demo import demo_load

    demo_load()
    justice = OrgUnit.objects.get(code="000.00.03.H47")
    province = OrgUnit.objects.get(code="000.00.00.H47")
    district_specialist = client_for(User.objects.get(username="chuyenvien.tamky"))
    assert district_specialist.get(detail(justice)).status_code == 404
    supervisor = client_for(User.objects.get(username="giamsat.tinh"))
    page = supervisor.get(detail(province)).content.decode()
    da_nang = OrgUnit.objects.get(code="000.00.00.H17")
    assert detail(da_nang) in page  # the successor is linked
    assert "Nghị quyết 202/2025/QH15" in page
    tree = supervisor.get(reverse("org:unit_list")).content.decode()
    assert "Thành phố Đà Nẵng" in tree and "UBND xã Nam Trà My" in tree
    # Two-level government (law.md R31): the districts ended on 30/6/2025.
    assert "UBND huyện Nam Trà My" not in tree
    assert "UBND huyện Nông Sơn" not in tree  # merged into Quế Sơn on 1/1/2025


def test_department_admin_cannot_create_a_root_unit(personas, client_for):
    from motcua.core.testing.personas import make_officer
    from motcua.org.constants import Role

    local_admin = make_officer("quantri.x", personas.unit_x, Role.ADMINISTRATOR)
    client = client_for(local_admin)
    response = client.post(
        reverse("org:unit_create"), {"code": "R", "name": "Gốc", "kind": "province"}
    )
    assert response.status_code == 200
    assert "trong phạm vi mình quản trị" in response.content.decode()
    assert not OrgUnit.objects.filter(code="R").exists()
    # Inside its own subtree it may add units, but not under unit Y.
    assert client.get(detail(personas.unit_y)).status_code == 404
    response = client.post(
        reverse("org:unit_create"),
        {"code": "R", "name": "Phòng R", "kind": "district_office", "parent": personas.unit_y.pk},
    )
    assert response.status_code == 200 and not OrgUnit.objects.filter(code="R").exists()
    response = client.post(
        reverse("org:unit_create"),
        {"code": "R", "name": "Phòng R", "kind": "district_office", "parent": personas.unit_x.pk},
    )
    assert response.status_code == 302
