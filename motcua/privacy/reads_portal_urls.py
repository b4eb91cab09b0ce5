from django.urls import path

from motcua.privacy import portal_views

app_name = "my_reads"

urlpatterns = [
    path("<int:pk>/luot-xem/<int:read_pk>/hoi/", portal_views.read_question, name="question"),
]
