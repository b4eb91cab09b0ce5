"""A fake OIDC-like identity provider proving the registry and callback wiring.

authorization_url() points straight back at our callback (as a real provider would
after the user logged in there), carrying `state` and a `code` naming the person."""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from motcua.accounts.identity import ExternalIdentity, IdentityError, IdentityProvider

PEOPLE = {
    "alice": ExternalIdentity(
        subject="sub-alice",
        full_name="Võ Thị Alice",
        personal_id="049190009999",
        phone="0935777666",
        verified=True,
    ),
    "citizen-a": ExternalIdentity(
        subject="sub-a", full_name="Nguyễn Văn A", personal_id="001090000001", verified=True
    ),
    "claims-a": ExternalIdentity(
        subject="sub-claims-a",
        full_name="Kẻ Mạo Danh",
        personal_id="001090000001",
        verified=False,
    ),
    "staff": ExternalIdentity(
        subject="sub-staff", full_name="X", personal_id="001090000777", verified=True
    ),
}


class FakeNationalLogin(IdentityProvider):
    name = "thu-nghiem"
    label = "Đăng nhập bằng Cổng thử nghiệm"

    def authorization_url(self, request: HttpRequest, state: str) -> str:
        callback = reverse("accounts:external_callback", args=[self.name])
        return f"{callback}?{urlencode({'state': state, 'code': 'alice'})}"

    def complete(self, request: HttpRequest) -> ExternalIdentity:
        code = request.GET.get("code", "")
        if code not in PEOPLE:
            raise IdentityError("mã không hợp lệ")
        return PEOPLE[code]


class NotAProvider:
    name = "x"
