"""Back-office pages where administrators manage API clients: list, create (with scopes,
units and an optional rate limit), edit, revoke, rotate the token. A new token is shown
once, in the answer to the POST that created it; only its hash is stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.accounts.constants import AccountKind
from motcua.accounts.decorators import officer_required
from motcua.accounts.models import User
from motcua.api import services
from motcua.api.models import ApiClient
from motcua.api.scopes import SCOPES
from motcua.org.models import OrgUnit
from motcua.org.selectors import is_administrator


def _check_admin(request: HttpRequest) -> None:
    if not is_administrator(request.user):
        raise PermissionDenied


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_username()} — {obj.full_name}"


class ClientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên ứng dụng"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Phạm vi"),
        choices=[(k, f"{k} — {v}") for k, v in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Đơn vị được truy cập"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=gettext_lazy(
            "Để trống: toàn tỉnh. Chọn đơn vị: ứng dụng chỉ xem được dữ liệu của các đơn vị "
            "này và đơn vị trực thuộc."
        ),
    )
    rate_limit = forms.IntegerField(
        label=gettext_lazy("Giới hạn số lần gọi mỗi chu kỳ"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=gettext_lazy("Để trống: dùng giới hạn chung của hệ thống."),
    )
    acting_user = OfficerChoiceField(
        label=gettext_lazy("Tài khoản nghiệp vụ"),
        queryset=User.objects.filter(kind=AccountKind.STAFF, is_active=True).order_by("username"),
        required=False,
        help_text=gettext_lazy(
            "Tài khoản cán bộ mà ứng dụng thay mặt khi cập nhật trạng thái hồ sơ (phạm vi "
            "dossiers:write); vai trò của tài khoản tại các đơn vị quyết định thao tác được "
            "phép. Để trống: ứng dụng không cập nhật được hồ sơ."
        ),
    )


def _page(request: HttpRequest, form: ClientForm, **extra: Any) -> HttpResponse:
    clients = (
        ApiClient.objects.select_related("acting_user").prefetch_related("units").order_by("name")
    )
    return render(request, "api/clients.html", {"form": form, "clients": clients, **extra})


@officer_required
def client_list(request: HttpRequest) -> HttpResponse:
    _check_admin(request)
    if request.method != "POST":
        return _page(request, ClientForm())
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client, token = services.api_client_create(
                name=form.cleaned_data["name"], actor=request.user, **_grants(form)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo ứng dụng “%(name)s”.") % {"name": client.name})
            return _page(request, ClientForm(), new_token=token, token_client=client)
    return _page(request, form)


def _grants(form: ClientForm) -> dict[str, Any]:
    """What the administrator grants a client (same fields on create and edit)."""
    return {key: form.cleaned_data[key] for key in ("scopes", "units", "rate_limit", "acting_user")}


@officer_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _check_admin(request)
    client = get_object_or_404(ApiClient, pk=pk)
    initial = {
        "name": client.name,
        "scopes": client.scopes,
        "units": list(client.units.all()),
        "rate_limit": client.rate_limit,
        "acting_user": client.acting_user,
    }
    form = ClientForm(request.POST or None, initial=initial)
    form.fields["name"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.api_client_update(client=client, actor=request.user, **_grants(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã cập nhật ứng dụng “%(name)s”.") % {"name": client.name})
            return redirect("api_clients:list")
    return render(request, "api/client_edit.html", {"form": form, "client": client})


@require_POST
@officer_required
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _check_admin(request)
    client = get_object_or_404(ApiClient, pk=pk)
    services.api_client_revoke(client=client, actor=request.user)
    messages.success(request, _("Đã thu hồi mã truy cập của “%(name)s”.") % {"name": client.name})
    return redirect("api_clients:list")


@require_POST
@officer_required
def client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    _check_admin(request)
    client = get_object_or_404(ApiClient, pk=pk)
    client, token = services.api_client_rotate(client=client, actor=request.user)
    messages.success(request, _("Đã cấp mã truy cập mới cho “%(name)s”.") % {"name": client.name})
    return _page(request, ClientForm(), new_token=token, token_client=client)
