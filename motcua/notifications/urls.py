from django.urls import path

from motcua.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("<int:pk>/mo/", views.open_notification, name="open"),
    path("da-doc/", views.mark_all_read, name="mark_all_read"),
    path("tuy-chon/", views.preferences, name="preferences"),
    path("bao-cao-sms/", views.sms_report, name="sms_report"),
]
