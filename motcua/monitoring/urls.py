from django.urls import path

from motcua.monitoring import gaming_views, load_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("don-vi/<int:unit_id>/", views.unit_view, name="unit"),
    path("don-vi/<int:unit_id>/ho-so/", views.unit_dossiers_view, name="unit_dossiers"),
    path("don-vi/<int:unit_id>/bieu-06a.<str:fmt>", views.form06a_view, name="form06a"),
    path("canh-bao/", views.warnings_view, name="warnings"),
    path("du-bao/", views.forecast_view, name="forecast"),
    path("xin-loi/", views.apologies_view, name="apologies"),
    path("bao-cao-tuan/", views.weekly_reports_view, name="weekly_reports"),
    path("bao-cao-tuan/khieu-nai/", views.disputes_view, name="disputes"),
    path("bao-cao-tuan/khieu-nai/gui/", views.dispute_create_view, name="dispute_create"),
    path(
        "bao-cao-tuan/khieu-nai/<int:dispute_id>/quyet-dinh/",
        views.dispute_decide_view,
        name="dispute_decide",
    ),
    path(
        "bao-cao-tuan/<str:week>/kiem-tra/",
        views.weekly_report_verify,
        name="weekly_report_verify",
    ),
    path("bao-cao-tuan/<str:week>.<str:fmt>", views.weekly_report_file, name="weekly_report_file"),
    path("dau-hieu-gian-lan/", gaming_views.gaming_list_view, name="gaming_list"),
    path("dau-hieu-gian-lan/<int:pk>/", gaming_views.gaming_detail_view, name="gaming_detail"),
    path(
        "dau-hieu-gian-lan/<int:pk>/quyet-dinh/",
        gaming_views.gaming_decide_view,
        name="gaming_decide",
    ),
    path("tai-xu-ly/", load_views.load_view, name="load"),
    path("tai-xu-ly/ap-dung/", load_views.load_apply_view, name="load_apply"),
    path("tai-xu-ly/vang-mat/", load_views.load_absence_view, name="load_absence"),
    path("cau-hinh/", views.config_view, name="config"),
    path("cau-hinh/ban-do/", views.map_layer_view, name="map_layer"),
    path("cau-hinh/muc-danh-gia/", views.level_config_add, name="level_config_add"),
    path("cau-hinh/cach-tinh-diem/", views.scoring_config_add, name="scoring_config_add"),
]
