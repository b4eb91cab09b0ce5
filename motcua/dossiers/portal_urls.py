from django.urls import path

from motcua.dossiers import portal_views

app_name = "my_dossiers"

urlpatterns = [
    path("", portal_views.my_list, name="list"),
    path("nop/", portal_views.submit, name="submit"),
    path("<int:pk>/", portal_views.my_detail, name="detail"),
    path("<int:pk>/xac-nhan-nop/", portal_views.consent_answer, name="consent"),
    path("<int:pk>/rut-ho-so/", portal_views.withdraw_confirm, name="withdraw"),
    path("<int:pk>/mau-<slug:form>/", portal_views.paper, name="paper"),
    path("<int:pk>/ket-qua/<str:code>/luu-kho/", portal_views.keep_result, name="keep_result"),
    path("<int:pk>/thao-tac/<slug:action>/", portal_views.my_act, name="act"),
]
