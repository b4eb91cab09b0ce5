from django.urls import path

from motcua.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("bo-sung-ngoai-danh-muc/", views.unpublished_requests, name="unpublished_requests"),
    path("", views.worklist, name="worklist"),
    path("tiep-nhan/", views.counter, name="counter"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", views.act, name="act"),
    path("<int:pk>/xac-nhan-nguoi-nop/", views.consent, name="consent"),
    path("<int:pk>/da-goi-dien/", views.supplement_phoned, name="supplement_phoned"),
    path("<int:pk>/mau-01/", views.form01, name="form01"),
    path("<int:pk>/mau-05/", views.control_sheet, name="form05"),
    path("<int:pk>/mau/<str:number>.pdf", views.form_pdf, name="form_pdf"),
    path("so-theo-doi/", views.register, name="register"),
    path("lien-thong/<int:pk>/", views.group_detail, name="group"),
]
