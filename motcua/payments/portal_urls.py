from django.urls import path

from motcua.payments import portal_views as v

app_name = "pay"

urlpatterns = [
    path("", v.my_payments, name="mine"),
    path("ho-so/<int:dossier_pk>/", v.dossier_payments, name="dossier"),
    path("yeu-cau/<int:pk>/", v.pay_request, name="request"),
    path("giao-dich/<int:pk>/", v.attempt_detail, name="attempt"),
    path("giao-dich/<int:pk>/trang-thai/", v.attempt_status, name="attempt_status"),
    path("giao-dich/<int:pk>/thong-bao.pdf", v.payment_notice, name="notice"),
    path("bien-lai/<int:pk>/", v.receipt_download, name="receipt"),
    path("cong/ket-qua/", v.gateway_return, name="gateway_return"),
    path("cong/ipn/", v.gateway_ipn, name="gateway_ipn"),
    path("ngan-hang-thu-nghiem/", v.sandbox_bank, name="sandbox_bank"),
    path("vietqr/sao-ke/", v.statement_api, name="statement_api"),
]
