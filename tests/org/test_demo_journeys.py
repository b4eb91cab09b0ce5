"""Issue 18: every demo procedure can be processed end to end with the printed demo
logins — received at a reception point, routed to the competent unit, assigned,
appraised, approved and offered to the clerk for issue by printed accounts (one journey
per pair of reception point and competent unit; tests/org/test_demo.py checks the roles
of every competence)."""

import pytest

from motcua.accounts.models import User
from motcua.catalog.demo import load_demo_catalogue
from motcua.catalog.models import Competence, ProcedureVersion
from motcua.dossiers import services
from motcua.dossiers.selectors import available_actions
from motcua.org.constants import Role
from motcua.org.demo import CITIZENS, demo_load, demo_login_rows
from motcua.org.models import StaffAssignment
from motcua.org.selectors import valid_on

pytestmark = pytest.mark.django_db


def _printed(unit_id: int, role: str, today) -> User:
    printed = {row[1] for row in demo_login_rows()}
    a = (
        StaffAssignment.objects.filter(
            valid_on(today), unit_id=unit_id, role=role, user__username__in=printed
        )
        .select_related("user")
        .first()
    )
    assert a is not None, (unit_id, role)
    return a.user


def test_every_demo_procedure_goes_through_with_printed_logins(request):
    from django.utils import timezone

    demo_load()
    load_demo_catalogue()
    request.getfixturevalue("e_signing")  # the demo PKI of the staff just loaded
    today = timezone.localdate()
    citizen = User.objects.get(username=CITIZENS[0]["username"])
    versions = ProcedureVersion.objects.filter(status="published").select_related("procedure")
    assert versions.count() >= 25
    seen: set[tuple[int, int | None]] = set()  # one journey per (reception, competent) pair
    for version in versions:
        point = (
            Competence.objects.filter(
                valid_on(today), procedure=version.procedure, is_reception_point=True
            )
            .order_by("unit__code")
            .first()
        )
        competent = services.competent_unit_for(version, point.unit)
        if (point.unit_id, competent.pk) in seen:
            continue
        seen.add((point.unit_id, competent.pk))
        receptionist = _printed(point.unit_id, Role.RECEPTIONIST, today)
        d = services.dossier_create_at_counter(
            actor=receptionist,
            applicant=citizen,
            procedure_version=version,
            receiving_unit=point.unit,
        )
        d = services.dossier_receive(dossier=d, actor=receptionist, expected_version=d.version)
        unit = d.competent_unit_id
        leader = _printed(unit, Role.LEADER, today)
        specialist = _printed(unit, Role.SPECIALIST, today)
        d = services.dossier_assign(
            dossier=d, actor=leader, expected_version=d.version, assignee=specialist
        )
        d = services.dossier_submit_for_approval(
            dossier=d, actor=specialist, expected_version=d.version
        )
        d = services.dossier_approve(dossier=d, actor=leader, expected_version=d.version)
        clerk = _printed(unit, Role.CLERK, today)
        assert "issue_result" in {t.action for t in available_actions(clerk, d)}, (
            version.procedure.code
        )
