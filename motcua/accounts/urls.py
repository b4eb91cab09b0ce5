from django.urls import path

from motcua.accounts.views import activation, external, login, otp, profile, signup

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", login.login_view, name="login"),
    path("dang-nhap/ngoai/<slug:name>/", external.external_start, name="external_start"),
    path("dang-nhap/ngoai/<slug:name>/ve/", external.external_callback, name="external_callback"),
    path("dang-xuat/", login.logout_view, name="logout"),
    path("dang-ky/", signup.signup, name="signup"),
    path("kich-hoat/", activation.activate, name="activate"),
    path("dang-ky/doanh-nghiep/", signup.signup_business, name="signup_business"),
    path("xac-thuc-2-lop/", otp.otp_verify, name="otp_verify"),
    path("xac-thuc-2-lop/dang-ky/", otp.otp_enrol, name="otp_enrol"),
    path("xac-thuc-2-lop/ma-du-phong/", otp.otp_backup_codes, name="otp_backup_codes"),
    path("xac-thuc-2-lop/dat-lai/", otp.otp_reset, name="otp_reset"),
    path("trang-chu/", login.home, name="home"),
    path("cua-toi/", login.my_account, name="my_account"),
    path("ho-so/", profile.profile, name="profile"),
    path("doi-mat-khau/", profile.PasswordChangeView.as_view(), name="password_change"),
    path("quen-mat-khau/", profile.PasswordResetView.as_view(), name="password_reset"),
    path(
        "quen-mat-khau/da-gui/", profile.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        profile.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        profile.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
