from django.urls import path

from motcua.notifications import sandbox_views

app_name = "sandbox_sms"

urlpatterns = [
    path("", sandbox_views.inbox, name="inbox"),
]
