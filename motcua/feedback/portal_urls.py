from django.urls import path

from motcua.feedback import portal_views as views

app_name = "feedback_public"

urlpatterns = [
    path("", views.index, name="index"),
    path("gui/", views.submit, name="submit"),
    path("da-gui/", views.submitted, name="submitted"),
    path("tra-cuu/", views.track, name="track"),
    path("cua-toi/", views.mine, name="mine"),
    path("danh-gia/<int:dossier_pk>/<slug:stage>/", views.rate, name="rate"),
    path("danh-gia/phieu/<str:token>/", views.kiosk, name="kiosk"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/<slug:action>/", views.act, name="act"),
]
