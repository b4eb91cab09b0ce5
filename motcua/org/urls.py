from django.urls import path

from motcua.org import views

app_name = "org"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("them/", views.unit_create, name="unit_create"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/sua/", views.unit_edit, name="unit_edit"),
    path("<int:pk>/ke-thua/", views.succession_create, name="succession_create"),
    path("<int:pk>/phan-cong/", views.assignment_create, name="assignment_create"),
    path(
        "<int:pk>/phan-cong/<int:assignment_pk>/ket-thuc/",
        views.assignment_end,
        name="assignment_end",
    ),
    path("<int:pk>/uy-quyen/", views.delegation_create, name="delegation_create"),
    path(
        "<int:pk>/uy-quyen/<int:delegation_pk>/thu-hoi/",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
]
