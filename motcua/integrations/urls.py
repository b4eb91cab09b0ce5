from django.urls import path

from motcua.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("loi/", views.dead_letter_list, name="dead_letters"),
    path("thong-diep/<int:pk>/", views.message_detail, name="message"),
    path("thong-diep/<int:pk>/gui-lai/", views.replay, name="replay"),
    path("doi-soat/", views.reconciliation, name="reconciliation"),
    path("danh-muc/lay-ve/", views.catalogue_pull, name="catalogue_pull"),
    path("dvcqg/ho-so/", views.inbound_push, name="inbound_push"),
    path("ho-so-den/", views.inbound_list, name="inbound"),
]
