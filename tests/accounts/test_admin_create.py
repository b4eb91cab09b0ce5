"""The first administrator of a new installation (docs/operations/deploy.md step 6):
`motcua admin_create` creates a staff account assigned as administrator of a unit, checks
the password with the validators, refuses duplicates and unknown units, and is audited."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.core.models import AuditEntry
from motcua.org.constants import Role
from motcua.org.selectors import active_assignments
from motcua.org.services import can_administer_unit

pytestmark = pytest.mark.django_db
GOOD = "Mot-cua-2026-quan-tri\n"


def _create(monkeypatch, *args: str, password: str = GOOD) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    out = io.StringIO()
    call_command("admin_create", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_first_administrator_can_administer_the_province(monkeypatch, personas):
    province = personas.province
    out = _create(monkeypatch, "qt.tinh", "--unit", province.code, "--full-name", "Trần Văn A")
    assert "qt.tinh" in out
    admin = User.objects.get(username="qt.tinh")
    assert admin.kind == AccountKind.STAFF and admin.check_password(GOOD.strip())
    assert [a.role for a in active_assignments(admin)] == [Role.ADMINISTRATOR]
    assert can_administer_unit(admin, personas.unit_x)  # a unit below the province
    entry = AuditEntry.objects.get(action="accounts.admin_created")
    assert entry.object_id == str(admin.pk) and entry.unit_code == province.code


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["qt2", "--unit", "NO-SUCH-UNIT"], GOOD, "no unit"),
        (["qt2", "--unit", "{province}"], "123\n", "too short"),
        (["Quantri", "--unit", "{province}"], GOOD, "already exists"),
        (["qt2", "--unit", "{province}"], "\n", "empty password"),
    ],
)
def test_refusals_leave_nothing_behind(monkeypatch, personas, args, password, message):
    args = [a.format(province=personas.province.code) for a in args]
    before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        _create(monkeypatch, *args, "--full-name", "X", password=password)
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action="accounts.admin_created").exists()
