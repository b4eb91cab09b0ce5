from django.urls import path

from motcua.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("cau-hinh/", views.config_view, name="config"),
    path("cau-hinh/muc-danh-gia/", views.level_config_add, name="level_config_add"),
    path("cau-hinh/cach-tinh-diem/", views.scoring_config_add, name="scoring_config_add"),
]
