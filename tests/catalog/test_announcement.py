"""Decision 766 1.1/1.2 facts in the catalogue (issue 19, deliverable 1): the
announcement decision (number, date) and the day of the national publication are
entered by an administrator in the back office — on a published version too, since the
national "publish" comes days after the decision — or imported with the catalogue
JSON; monitoring counts them at once (announcement rows of each competent unit)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog import selectors
from motcua.catalog.interchange import CatalogImportError, import_catalogue
from motcua.catalog.models import Competence, ProcedureVersion
from motcua.core.models import AuditEntry
from motcua.monitoring.models import UnitDayStats

pytestmark = pytest.mark.django_db


def _workday_before(day: dt.date, days: int) -> dt.date:
    day -= dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def test_admin_records_the_announcement_of_a_published_version(
    simple_procedure, personas, client_for
):
    Competence.objects.create(
        procedure=simple_procedure, unit=personas.unit_x, valid_from=dt.date(2025, 1, 1)
    )
    version = selectors.latest_published(simple_procedure)
    url = f"/quan-tri/thu-tuc/phien-ban/{version.pk}/quyet-dinh-cong-bo/"
    admin = client_for(personas.admin)
    page = admin.get(f"/quan-tri/thu-tuc/phien-ban/{version.pk}/").content.decode()
    assert url in page  # the version page links to the form, published or not
    assert admin.get(url).status_code == 200
    assert client_for(personas.leader_x).get(url).status_code == 403

    announced = _workday_before(timezone.localdate(), 20)
    published = announced + dt.timedelta(days=1)
    response = admin.post(
        url,
        {
            "announcement_decision": "1234/QĐ-UBND",
            "announced_on": announced.isoformat(),
            "national_published_on": published.isoformat(),
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.announcement_decision, version.announced_on) == ("1234/QĐ-UBND", announced)
    assert version.national_published_on == published
    assert version.status == "published"  # still the same immutable content
    record = AuditEntry.objects.get(action="catalog.version_record_announcement")
    assert record.after["announced_on"] == announced.isoformat()
    page = admin.get(f"/quan-tri/thu-tuc/phien-ban/{version.pk}/").content.decode()
    assert "1234/QĐ-UBND" in page and f"{announced:%d/%m/%Y}" in page
    # monitoring: 1.1 on the decision day, 1.2 on its due day, for the competent unit
    rows = UnitDayStats.objects.filter(unit=personas.unit_x, procedure_code="9.000001")
    assert rows.get(day=announced).cat_announced == 1
    assert rows.filter(cat_publish_due=1, cat_published_late=0).count() == 1


@pytest.mark.parametrize(
    ("announced", "published", "message"),
    [
        (1, None, "chưa đến"),  # a decision dated tomorrow
        (-3, -5, "không thể trước ngày quyết định"),
        (None, -2, "ngày quyết định công bố trước"),
    ],
)
def test_impossible_announcement_dates_are_refused(
    simple_procedure, personas, client_for, announced, published, message
):
    version = selectors.latest_published(simple_procedure)
    today = timezone.localdate()

    def day(offset: int | None) -> str:
        return "" if offset is None else (today + dt.timedelta(days=offset)).isoformat()

    response = client_for(personas.admin).post(
        f"/quan-tri/thu-tuc/phien-ban/{version.pk}/quyet-dinh-cong-bo/",
        {
            "announcement_decision": "9/QĐ-UBND",
            "announced_on": day(announced),
            "national_published_on": day(published),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    version.refresh_from_db()
    assert version.announced_on is None and version.national_published_on is None
    assert not AuditEntry.objects.filter(action="catalog.version_record_announcement").exists()


def _item(**extra):
    return {
        "code": "9.000002",
        "name": "Thủ tục nhập thử",
        "field": {"code": "TEST2", "name": "Lĩnh vực thử 2"},
        "processing_time": {"value": 5, "unit": "working_days"},
        "components": [{"code": "TK", "name": "Tờ khai"}],
        "fees": [],
        "effective_from": "2026-01-01",
        **extra,
    }


def test_catalogue_import_reads_and_checks_the_announcement_dates(db):
    import_catalogue(
        [
            _item(
                announcement_decision="77/QĐ-UBND",
                announced_on="2025-12-15",
                national_published_on="2025-12-17",
            )
        ]
    )
    version = ProcedureVersion.objects.get(procedure__code="9.000002")
    assert version.announcement_decision == "77/QĐ-UBND"
    assert (version.announced_on, version.national_published_on) == (
        dt.date(2025, 12, 15),
        dt.date(2025, 12, 17),
    )
    with pytest.raises(CatalogImportError) as raised:
        import_catalogue([_item(code="9.000003", announced_on="15/12/2025")])
    assert "announced_on phải là ngày dạng YYYY-MM-DD" in " ".join(raised.value.errors)
