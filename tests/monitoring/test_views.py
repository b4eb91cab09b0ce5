"""Dashboard and configuration pages: permissions, scoping, empty data, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.monitoring.models import LevelConfig, ScoringPolicyConfig
from tests.monitoring.factories import insert_counters

pytestmark = pytest.mark.django_db

URL = reverse("monitoring:dashboard")
MARCH = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["citizen_a", "receptionist_x", "specialist_y"])
def test_other_roles_are_refused(tree, client_for, who):
    response = client_for(getattr(tree.p, who)).get(URL)
    assert response.status_code == 403


def test_empty_data_shows_grey_no_data(tree, client_for):
    html = page(client_for(tree.p.supervisor), **MARCH)
    assert "Chưa có dữ liệu cho kỳ này." in html
    assert "level-grey" in html
    assert "level-red" not in html.split("mon-legend")[-1].split("</ul>", 1)[1]


def test_supervisor_sees_the_province_tree_with_scores(tree, client_for):
    insert_counters(tree.commune, dt.date(2026, 3, 2), received=10, on_time_766=10)
    insert_counters(tree.commune_2, dt.date(2026, 3, 2), received=10, on_time_766=4)
    html = page(client_for(tree.p.supervisor), metric="2.1", **MARCH)
    for unit in (tree.p.province, tree.p.unit_x, tree.p.unit_y, tree.district, tree.commune):
        assert unit.name in html
    assert "Chưa có dữ liệu cho kỳ này." not in html
    # commune: 20/20 green, commune 2: 8/20 red; both ranked among communes
    assert "20,00" in html and "8,00" in html  # Vietnamese number format
    assert "level-green" in html and "level-red" in html
    assert "●" in html and "■" in html  # text markers, not colour alone
    assert "Hạng 1" in html and "Hạng 2" in html


def test_district_supervisor_sees_only_the_district_subtree(tree, client_for, district_supervisor):
    html = page(client_for(district_supervisor), **MARCH)
    assert tree.district.name in html and tree.commune.name in html
    assert tree.p.unit_x.name not in html
    assert tree.p.province.name not in html


def test_leader_sees_own_unit_only(tree, client_for):
    html = page(client_for(tree.p.leader_x), **MARCH)
    assert tree.p.unit_x.name in html
    assert tree.p.unit_y.name not in html


def test_table_view_and_csv_export(tree, client_for):
    insert_counters(tree.commune, dt.date(2026, 3, 2), received=10, on_time_766=9)
    client = client_for(tree.p.supervisor)
    html = page(client, view="table", metric="group:progress", **MARCH)
    assert "<table" in html and "18,00 / 20" in html
    response = client.get(URL, {"format": "csv", "metric": "group:progress", **MARCH})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "Mã đơn vị"
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert by_code[tree.commune.code]["Điểm"] == "18.00"
    assert by_code[tree.district.code]["Điểm"] == "18.00"  # subtree sum
    assert by_code[tree.p.unit_x.code]["Điểm"] == ""
    assert by_code[tree.p.unit_x.code]["Mức màu"] == "Chưa có dữ liệu"
    assert by_code[tree.commune.code]["Từ ngày"] == "2026-03-01"


def test_period_switch_and_invalid_custom_range(tree, client_for):
    client = client_for(tree.p.supervisor)
    html = page(client, period="week", date="2026-11-25")
    assert "23/11/2026 – 29/11/2026" in html
    html = page(client, period="quarter", date="2026-11-25")
    assert "01/10/2026 – 31/12/2026" in html
    html = page(client, period="custom", **{"from": "2026-03-10", "to": "2026-03-01"})
    assert "Khoảng thời gian không hợp lệ" in html


def test_menu_entry_for_supervisors_only(tree, client_for):
    assert URL in client_for(tree.p.supervisor).get(reverse("backoffice:home")).content.decode()
    receptionist_home = client_for(tree.p.receptionist_x).get(reverse("backoffice:home"))
    assert URL not in receptionist_home.content.decode()


# --- configuration page -------------------------------------------------------------

CONFIG = reverse("monitoring:config")
LEVEL_POST = {
    "effective_from": "2026-12-01",
    "excellent": "90",
    "good": "80",
    "fair": "70",
    "average": "50",
    "green": "85",
    "yellow": "70",
    "orange": "50",
    "overrides": "",
    "legal_basis": "Công văn số 1/UBND",
}


def test_config_page_is_for_administrators(tree, client_for):
    assert client_for(tree.p.admin).get(CONFIG).status_code == 200
    assert client_for(tree.p.supervisor).get(CONFIG).status_code == 403
    response = client_for(tree.p.supervisor).post(
        reverse("monitoring:level_config_add"), LEVEL_POST
    )
    assert response.status_code == 403
    assert not LevelConfig.objects.exists()


def test_admin_adds_level_config_audited(tree, client_for):
    client = client_for(tree.p.admin)
    response = client.post(reverse("monitoring:level_config_add"), LEVEL_POST)
    assert response.status_code == 302
    config = LevelConfig.objects.get()
    assert config.thresholds["colours"]["green"] == 85
    assert config.created_by == tree.p.admin
    entry = AuditEntry.objects.get(action="monitoring.level_config_create")
    assert entry.actor_id == tree.p.admin.pk
    assert "85" in client.get(CONFIG).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"good": "95"}, "giảm dần"),
        ({"green": "120"}, "0–100"),
        ({"orange": "-1"}, "0–100"),
        ({"excellent": ""}, "Vui lòng nhập ngưỡng"),
        ({"overrides": "{not json"}, "JSON"),
        ({"overrides": '{"2.1": {"green": 50, "yellow": 60, "orange": 40}}'}, "giảm dần"),
    ],
)
def test_invalid_level_config_is_refused_in_vietnamese(tree, client_for, change, message):
    response = client_for(tree.p.admin).post(
        reverse("monitoring:level_config_add"), {**LEVEL_POST, **change}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert message in html
    assert not LevelConfig.objects.exists()


def test_duplicate_effective_date_is_refused(tree, client_for):
    client = client_for(tree.p.admin)
    client.post(reverse("monitoring:level_config_add"), LEVEL_POST)
    response = client.post(reverse("monitoring:level_config_add"), LEVEL_POST)
    assert response.status_code == 400
    assert "Đã có cấu hình" in response.content.decode()
    assert LevelConfig.objects.count() == 1


def test_admin_adds_scoring_policy(tree, client_for):
    response = client_for(tree.p.admin).post(
        reverse("monitoring:scoring_config_add"),
        {
            "effective_from": "2026-12-01",
            "supplement_rule": "recount_d61",
            "digitisation_42": "threshold_80",
            "payment_35_cap": "False",
            "online_33": "plain",
            "satisfaction_54": "distinct",
            "note": "Theo ý kiến VPCP",
        },
    )
    assert response.status_code == 302
    config = ScoringPolicyConfig.objects.get()
    assert config.options == {
        "supplement_rule": "recount_d61",
        "digitisation_42": "threshold_80",
        "payment_35_cap": False,
        "online_33": "plain",
        "satisfaction_54": "distinct",
        "circular01_internal": False,  # Circular 01/2018 internal scheme: off by default
    }
    assert AuditEntry.objects.filter(action="monitoring.scoring_policy_config_create").exists()


def test_config_page_shows_policy_in_force_in_words(tree, client_for):
    html = client_for(tree.p.admin).get(CONFIG).content.decode()
    assert "Tỷ lệ thuận (như Cổng DVCQG đang tính)" in html
    assert "Chưa có cấu hình; đang dùng ngưỡng mặc định." in html
