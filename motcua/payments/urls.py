from django.urls import path

from motcua.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/thu-tien-mat/", views.cash, name="cash"),
    path("<int:pk>/huy/", views.cancel, name="cancel"),
    path("<int:pk>/mien/", views.waive, name="waive"),
    path("giao-dich/<int:attempt_pk>/hoan-tien/", views.refund_create, name="refund_create"),
    path("hoan-tien/", views.refund_list, name="refunds"),
    path("hoan-tien/<int:pk>/<slug:decision>/", views.refund_decide, name="refund_decide"),
    path("bien-lai/", views.receipt_list, name="receipts"),
    path("sao-ke/", views.statements, name="statements"),
    path("doi-soat/", views.reconciliation, name="reconciliation"),
    path("doi-soat/<int:pk>/", views.run_detail, name="run"),
    path("doi-soat/<int:pk>/xlsx/", views.run_xlsx, name="run_xlsx"),
    path("ho-so/<int:dossier_pk>/nghia-vu-tai-chinh/", views.obligation, name="obligation"),
]
