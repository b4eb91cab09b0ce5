from django.urls import path

from motcua.api import views

app_name = "api_clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("<int:pk>/", views.client_edit, name="edit"),
    path("<int:pk>/thu-hoi/", views.client_revoke, name="revoke"),
    path("<int:pk>/cap-ma-moi/", views.client_rotate, name="rotate"),
]
