"""R2: a dossier pins the version it was received under; catalogue changes never
alter its deadline or fee."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog import selectors, services
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import FeeRule, ProcedureVersion


def test_pinned_version_keeps_time_and_fee_after_a_new_version(simple_procedure, personas):
    old = selectors.version_in_force(simple_procedure, dt.date(2026, 3, 1))
    pinned_id = old.pk  # what a dossier stores at reception

    draft = services.procedure_version_create_draft(
        procedure=simple_procedure, actor=personas.admin
    )
    services.procedure_version_update(
        version=draft,
        actor=personas.admin,
        processing_time_value=Decimal(3),
        change_note="Rút ngắn",
    )
    fee = draft.fee_rules.get(code="LP")
    fee.amount = 80000
    services.version_child_save(instance=fee, actor=personas.admin)
    services.procedure_version_publish(
        version=draft, effective_from=dt.date(2026, 6, 1), actor=personas.admin
    )

    pinned = ProcedureVersion.objects.get(pk=pinned_id)
    assert selectors.processing_time(pinned) == (Decimal(5), "working_days")
    assert sum(line.amount for line in selectors.fee_lines(pinned, {}, "counter")) == 50000

    new = selectors.version_in_force(simple_procedure, dt.date(2026, 6, 1))
    assert new.pk == draft.pk
    assert selectors.processing_time(new) == (Decimal(3), "working_days")
    assert sum(line.amount for line in selectors.fee_lines(new, {}, "counter")) == 80000
    # The old version stays in force until the day before.
    assert selectors.version_in_force(simple_procedure, dt.date(2026, 5, 31)).pk == pinned_id
    pinned.refresh_from_db()
    assert pinned.status == VersionStatus.RETIRED and pinned.effective_to == dt.date(2026, 5, 31)


def test_published_versions_are_immutable(simple_procedure, personas):
    published = selectors.latest_published(simple_procedure)
    with pytest.raises(services.VersionImmutableError):
        services.procedure_version_update(version=published, actor=personas.admin, name="Khác")
    fee = published.fee_rules.get()
    fee.amount = 1
    with pytest.raises(services.VersionImmutableError):
        services.version_child_save(instance=fee, actor=personas.admin)
    assert FeeRule.objects.get(pk=fee.pk).amount == 50000


def test_only_administrators_change_the_catalogue(simple_procedure, personas):
    with pytest.raises(services.CatalogError):
        services.procedure_version_create_draft(
            procedure=simple_procedure, actor=personas.supervisor
        )
    draft = services.procedure_version_create_draft(
        procedure=simple_procedure, actor=personas.admin
    )
    with pytest.raises(services.CatalogError):  # one draft at a time
        services.procedure_version_create_draft(procedure=simple_procedure, actor=personas.admin)
    assert draft.number == 2 and draft.fee_rules.count() == 1  # content copied


def test_publish_checks_dates_and_internal_process(simple_procedure, personas):
    draft = services.procedure_version_create_draft(
        procedure=simple_procedure, actor=personas.admin
    )
    with pytest.raises(services.CatalogError, match="Ngày hiệu lực"):
        services.procedure_version_publish(
            version=draft, effective_from=dt.date(2024, 12, 31), actor=personas.admin
        )
    draft.steps.create(order=1, name="Tiếp nhận", role="receptionist", duration_value=1)
    with pytest.raises(services.CatalogError, match="Tổng thời gian"):
        services.procedure_version_publish(
            version=draft, effective_from=dt.date(2026, 1, 1), actor=personas.admin
        )
    draft.steps.create(order=2, name="Xử lý", role="specialist", duration_value=4)
    services.procedure_version_publish(
        version=draft, effective_from=dt.date(2026, 1, 1), actor=personas.admin
    )


def test_publishing_writes_audit_entries(simple_procedure, personas):
    from motcua.core.models import AuditEntry

    draft = services.procedure_version_create_draft(
        procedure=simple_procedure, actor=personas.admin
    )
    services.procedure_version_publish(
        version=draft, effective_from=dt.date(2026, 1, 1), actor=personas.admin
    )
    actions = set(AuditEntry.objects.filter(actor=personas.admin).values_list("action", flat=True))
    assert {"catalog.version_create_draft", "catalog.version_publish"} <= actions


def test_future_version_leaves_current_one_published_until_it_ends(simple_procedure, personas):
    from django.utils import timezone

    today = timezone.localdate()
    current = selectors.latest_published(simple_procedure)
    draft = services.procedure_version_create_draft(
        procedure=simple_procedure, actor=personas.admin
    )
    services.procedure_version_publish(
        version=draft, effective_from=today + dt.timedelta(days=10), actor=personas.admin
    )
    current.refresh_from_db()
    assert current.status == VersionStatus.PUBLISHED
    assert current.effective_to == today + dt.timedelta(days=9)
    assert selectors.version_in_force(simple_procedure).pk == current.pk
    assert services.catalog_retire_expired(at=today + dt.timedelta(days=10)) == 1
    current.refresh_from_db()
    assert current.status == VersionStatus.RETIRED
    assert (
        selectors.version_in_force(simple_procedure, today + dt.timedelta(days=10)).pk == draft.pk
    )
