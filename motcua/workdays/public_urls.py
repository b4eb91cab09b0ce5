"""Citizen-facing pages of the workdays app, mounted at /tra-cuu-ngay-hen/ by
config/urls.py: path("tra-cuu-ngay-hen/", include("motcua.workdays.public_urls"))."""

from django.urls import path

from motcua.workdays import views

app_name = "workdays_public"

urlpatterns = [
    path("", views.public_calculator, name="calculator"),
]
