from django.urls import path

from motcua.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("xac-thuc-2-lop/", views.otp_verify, name="otp_verify"),
    path("trang-chu/", views.home, name="home"),
]
