import pytest

from motcua.catalog.models import Procedure
from motcua.integrations.catalogue import from_lay_thu_tuc
from motcua.integrations.services import catalogue_pull
from motcua.sandbox_portal.models import Mode, PortalSwitch

pytestmark = pytest.mark.django_db


def test_lay_thu_tuc_record_maps_to_the_catalogue_format():
    item = from_lay_thu_tuc(
        {
            "MATTHC": "1.000656",
            "TENTTHC": "Đăng ký khai tử",
            "CAPTHUCHIEN": "4",
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "G01-HT", "TENLINHVUC": "Hộ tịch"}],
            "CACHTHUCTHUCHIEN": [
                {
                    "KENH": "Trực tiếp",
                    "THOIGIAN": [
                        {
                            "THOIGIANGIAIQUYET": "3",
                            "DONVITINH": "Ngày làm việc",
                            "PHILEPHI": [{"SOTIEN": "8.000", "MOTA": "Lệ phí"}],
                        }
                    ],
                }
            ],
            "THANHPHANHOSO": [{"GIAYTO": [{"MAGIAYTO": "TK", "TENGIAYTO": "Tờ khai"}]}],
        }
    )
    assert item["code"] == "1.000656" and item["level"] == "commune"
    assert item["processing_time"] == {"value": "3", "unit": "working_days"}
    assert item["fees"][0]["amount"] == 8000
    assert item["components"] == [
        {"code": "TK", "name": "Tờ khai", "template_name": "", "template_url": ""}
    ]


def test_pull_updates_the_catalogue_and_a_second_pull_changes_nothing(personas):
    first = catalogue_pull(actor=personas.admin)
    assert first.ok, first.error
    assert first.received == 2 and first.created == 2
    p = Procedure.objects.get(code="1.000656")
    assert p.field.name == "Hộ tịch"
    second = catalogue_pull(actor=personas.admin)
    assert second.ok and second.created == 0 and second.updated == 0 and second.unchanged == 2


def test_pull_reports_a_portal_outage(personas):
    switch = PortalSwitch.get()
    switch.mode = Mode.DOWN
    switch.save()
    pull = catalogue_pull(actor=personas.admin)
    assert not pull.ok and "503" in pull.error
    assert not Procedure.objects.exists()
