from django.urls import path

from motcua.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("nop-ho-so/nhap/<int:pk>/tu-dong-luu/", views.apply_autosave, name="apply_autosave"),
    path("nop-ho-so/nhap/<int:pk>/xoa/", views.apply_delete, name="apply_delete"),
    path("nop-ho-so/nhap/<int:pk>/<slug:slug>/", views.apply_step, name="apply_step"),
    path("nop-ho-so/da-nop/<int:dossier_pk>/", views.apply_done, name="apply_done"),
    path("nop-ho-so/<str:code>/", views.apply_start, name="apply_start"),
]
