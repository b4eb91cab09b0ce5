from django.urls import path

from motcua.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("nhap-moi/", views.enter, name="enter"),
    path("bao-cao/", views.report, name="report"),
    path("danh-gia/", views.ratings, name="ratings"),
    path("danh-gia/moi-danh-gia/", views.invite, name="invite"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
