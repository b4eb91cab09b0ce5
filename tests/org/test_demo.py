import datetime as dt
import io

from django.core.management import call_command

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.core.models import AuditEntry
from motcua.org import selectors
from motcua.org.constants import Role, UnitKind
from motcua.org.demo import DEMO_PASSWORD, demo_load
from motcua.org.models import OrgUnit, StaffAssignment, UnitSuccession

D = dt.date
DISTRICTS = [
    "Tam Kỳ",
    "Hội An",
    "Điện Bàn",
    "Đại Lộc",
    "Duy Xuyên",
    "Quế Sơn",
    "Nông Sơn",
    "Thăng Bình",
    "Hiệp Đức",
    "Tiên Phước",
    "Phú Ninh",
    "Núi Thành",
    "Bắc Trà My",
    "Nam Trà My",
    "Phước Sơn",
    "Nam Giang",
    "Đông Giang",
    "Tây Giang",
]


def counts():
    return (
        OrgUnit.objects.count(),
        UnitSuccession.objects.count(),
        User.objects.count(),
        StaffAssignment.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_load_is_idempotent(db):
    first = demo_load()
    assert first.changed
    before = counts()
    out = io.StringIO()
    call_command("demo_load", "--org-only", stdout=out)
    assert counts() == before
    assert "không có gì thay đổi" in out.getvalue()


def test_demo_province_content(db):
    demo_load()
    province = OrgUnit.objects.get(code="000.00.00.H47")
    assert province.name == "UBND tỉnh Quảng Nam"
    assert province.admin_area_code == "49"
    departments = OrgUnit.objects.filter(parent=province, kind=UnitKind.DEPARTMENT)
    assert departments.count() >= 12
    assert departments.filter(name__startswith="Sở Tư pháp").exists()
    assert OrgUnit.objects.filter(parent=province, kind=UnitKind.SERVICE_CENTER).exists()
    districts = OrgUnit.objects.filter(parent=province, kind=UnitKind.DISTRICT)
    assert districts.count() == 18
    for name in DISTRICTS:
        assert districts.filter(name__endswith=name).count() == 1, name
    assert districts.get(name__endswith="Hội An").name == "UBND thành phố Hội An"
    assert districts.get(name__endswith="Điện Bàn").name == "UBND thị xã Điện Bàn"
    assert districts.get(name__endswith="Đại Lộc").name == "UBND huyện Đại Lộc"
    for district in districts:
        assert district.children.filter(kind=UnitKind.ONE_STOP).count() == 1, district
    with_communes = [d for d in districts if d.children.filter(kind=UnitKind.COMMUNE).count() >= 3]
    assert len(with_communes) >= 3
    an_my = OrgUnit.objects.get(name="UBND phường An Mỹ")
    assert an_my.parent.name == "UBND thành phố Tam Kỳ"
    # Two-level local government (law.md R31): every district-level unit and old commune
    # ended on 30/6/2025 (Nông Sơn on 31/12/2024); the merged city has its own communes.
    ended = OrgUnit.objects.filter(
        kind__in=(UnitKind.DISTRICT, UnitKind.DISTRICT_OFFICE, UnitKind.ONE_STOP, UnitKind.COMMUNE),
        code__endswith="H47",
    )
    assert not ended.filter(valid_to__isnull=True).exists()
    assert set(ended.values_list("valid_to", flat=True)) == {D(2024, 12, 31), D(2025, 6, 30)}
    da_nang = OrgUnit.objects.get(code="000.00.00.H17")
    wards = OrgUnit.objects.filter(parent=da_nang, kind=UnitKind.COMMUNE)
    assert wards.count() >= 25 and not wards.filter(valid_to__isnull=False).exists()
    assert {"UBND phường Tam Kỳ", "UBND phường Hội An", "UBND xã Nam Trà My"} <= set(
        wards.values_list("name", flat=True)
    )
    # The old communes and every district-level unit passed their records on.
    assert selectors.unit_current(an_my, D(2026, 1, 1)).name == "UBND phường Tam Kỳ"
    for district in districts:
        assert selectors.unit_current(district, D(2026, 1, 1)).parent == da_nang, district


def test_merger_into_da_nang_resolves(db):
    demo_load()
    province = OrgUnit.objects.get(code="000.00.00.H47")
    da_nang = OrgUnit.objects.get(name="Thành phố Đà Nẵng")
    assert province.valid_to == D(2025, 6, 30)
    assert da_nang.valid_from == D(2025, 7, 1)
    link = UnitSuccession.objects.get(predecessor=province)
    assert link.legal_basis == "Nghị quyết 202/2025/QH15"
    assert selectors.resolve_current(province, D(2025, 6, 30)) == [province]
    assert selectors.resolve_current(province, D(2026, 1, 1)) == [da_nang]
    # Nông Sơn merged into Quế Sơn on 1/1/2025; its one-stop unit follows.
    nong_son = OrgUnit.objects.get(name="UBND huyện Nông Sơn")
    assert selectors.resolve_current(nong_son, D(2025, 3, 1))[0].name == "UBND huyện Quế Sơn"
    # The 2026 tree shows Đà Nẵng and keeps the closed province as context.
    roots = {n.unit.code: n for n in selectors.unit_tree(D(2026, 1, 1))}
    assert roots["000.00.00.H17"].valid
    assert not roots["000.00.00.H47"].valid
    assert roots["000.00.00.H47"].children


def test_demo_staff_roles_and_head_history(db):
    demo_load()
    justice = OrgUnit.objects.get(code="000.00.03.H47")
    assert selectors.head_of_unit(justice, D(2026, 1, 1)).username == "lanhdao.stp"
    assert selectors.head_of_unit(justice, D(2020, 1, 1)).username == "lanhdao.stp.cu"
    assert selectors.heads_history(justice).count() == 2
    roles = set(StaffAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    receptionists = StaffAssignment.objects.filter(role=Role.RECEPTIONIST)
    # The one-stop desks, and the communes and the police, which receive themselves.
    assert {a.unit.kind for a in receptionists} == {
        UnitKind.SERVICE_CENTER,
        UnitKind.ONE_STOP,
        UnitKind.COMMUNE,
        UnitKind.VERTICAL,
    }
    # The provincial supervisor sees every unit: the Quảng Nam tree and its successor.
    supervisor = User.objects.get(username="giamsat.tinh")
    assert selectors.units_visible_to(supervisor).count() == OrgUnit.objects.count()
    # A district specialist saw only their own office; since 1/7/2025 they work in
    # the ward of Tam Kỳ and see it with the units whose records it took (law.md R31).
    specialist = User.objects.get(username="chuyenvien.tamky")
    assert [u.code for u in selectors.units_visible_to(specialist, D(2025, 6, 30))] == [
        "000.02.31.H47"
    ]
    visible = {u.name for u in selectors.units_visible_to(specialist)}
    assert {
        "UBND phường Tam Kỳ",
        "UBND phường An Mỹ",
        "UBND phường An Xuân",
        "Phòng Tư pháp thành phố Tam Kỳ",
        "Bộ phận Một cửa UBND thành phố Tam Kỳ",
    } <= visible
    assert "Sở Tư pháp tỉnh Quảng Nam" not in visible
    citizens = User.objects.filter(kind=AccountKind.CITIZEN)
    assert citizens.count() == 2
    assert all(len(c.personal_id) == 12 for c in citizens)
    assert User.objects.get(kind=AccountKind.BUSINESS).tax_code
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())


def test_demo_logins_lists_every_role(db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in (
        "tiepnhan.ttpvhcc",
        "chuyenvien.stp",
        "lanhdao.stp",
        "vanthu.stp",
        "giamsat.tinh",
        "quantri",
        "049090001234",
        "4001234567",
    ):
        assert username in text
    assert "http://127.0.0.1:8000/tai-khoan/dang-nhap/" in text
    assert DEMO_PASSWORD in text


def test_demo_staff_cover_every_demo_procedure(db, settings):
    """Issue 18: every demo procedure can be processed end to end with the printed
    logins: each competent unit has a specialist, a leader and a clerk, each reception
    point a receptionist, all of them printed by demo_logins."""
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.catalog.models import Competence
    from motcua.org.demo import demo_login_rows

    demo_load()
    load_demo_catalogue()
    printed = {row[1] for row in demo_login_rows()}
    today = dt.date.today()
    staffed: dict[int, set[str]] = {}
    for a in StaffAssignment.objects.filter(selectors.valid_on(today), user__username__in=printed):
        staffed.setdefault(a.unit_id, set()).add(a.role)
    missing = []
    for c in Competence.objects.filter(selectors.valid_on(today)).select_related(
        "procedure", "unit"
    ):
        roles = staffed.get(c.unit_id, set())
        need = set()
        if c.is_competent:
            need |= {Role.SPECIALIST, Role.LEADER, Role.CLERK}
        if c.is_reception_point:
            need.add(Role.RECEPTIONIST)
        if need - roles:
            missing.append((c.procedure.code, c.unit.code, sorted(need - roles)))
    assert not missing, missing[:10]
    settings.MOTCUA_SITE_URL = "http://127.0.0.1:8123"
    assert demo_login_rows()[0][3] == "http://127.0.0.1:8123/tai-khoan/dang-nhap/"
