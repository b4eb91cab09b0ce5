from django.urls import path

from motcua.catalog import backoffice_views as views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("them/", views.procedure_create, name="create"),
    path("xuat.xlsx", views.export_xlsx, name="export_xlsx"),
    path("xuat.json", views.export_json, name="export_json"),
    path("phien-ban/<int:pk>/", views.version_detail, name="version"),
    path("phien-ban/<int:pk>/sua/", views.version_edit, name="version_edit"),
    path("phien-ban/<int:pk>/bieu-mau/", views.eform_edit, name="eform_edit"),
    path("phien-ban/<int:pk>/bieu-mau/xem-truoc/", views.eform_preview, name="eform_preview"),
    path("phien-ban/<int:pk>/cong-bo/", views.publish, name="publish"),
    path("phien-ban/<int:pk>/huy/", views.discard, name="discard"),
    path(
        "phien-ban/<int:pk>/quyet-dinh-cong-bo/",
        views.version_announcement,
        name="version_announcement",
    ),
    path("phien-ban/<int:pk>/<slug:kind>/them/", views.child_edit, name="child_add"),
    path("phien-ban/<int:pk>/<slug:kind>/<int:child_pk>/", views.child_edit, name="child_edit"),
    path(
        "phien-ban/<int:pk>/<slug:kind>/<int:child_pk>/xoa/",
        views.child_delete,
        name="child_delete",
    ),
    path("<str:code>/", views.procedure_detail, name="detail"),
    path("<str:code>/so-sanh/", views.version_diff, name="diff"),
    path("<str:code>/tao-ban-nhap/", views.create_draft, name="create_draft"),
    path("<str:code>/tham-quyen/them/", views.competence_add, name="competence_add"),
    path("<str:code>/tham-quyen/<int:pk>/ket-thuc/", views.competence_end, name="competence_end"),
]
