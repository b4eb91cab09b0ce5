from django.urls import path

from motcua.portal import linked_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("nop-ho-so/nhap/<int:pk>/tu-dong-luu/", views.apply_autosave, name="apply_autosave"),
    path("nop-ho-so/nhap/<int:pk>/xoa/", views.apply_delete, name="apply_delete"),
    path("nop-ho-so/nhap/<int:pk>/<slug:slug>/", views.apply_step, name="apply_step"),
    path("nop-ho-so/da-nop/<int:dossier_pk>/", views.apply_done, name="apply_done"),
    path("nop-ho-so/<str:code>/", views.apply_start, name="apply_start"),
    # Linked procedures (law.md R40)
    path("lien-thong/", linked_views.bundle_list, name="linked_list"),
    path("lien-thong/<str:code>/", linked_views.bundle_detail, name="linked_bundle"),
    path("lien-thong/<str:code>/nop/", linked_views.linked_start, name="linked_start"),
    path("ho-so-lien-thong/<int:pk>/", linked_views.linked_detail, name="linked_detail"),
    path("ho-so-lien-thong/<int:pk>/<slug:slug>/", linked_views.linked_step, name="linked_step"),
]
