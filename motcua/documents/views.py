"""Permission-checked file views (/tai-lieu/): download, file detail with signature
status, citizen warehouse, signing and the trust store. Files are never reachable by a
public media URL."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import account_required, citizen_required, officer_required
from motcua.documents import selectors, services
from motcua.documents.access import can_access, file_opened
from motcua.documents.constants import VIEWABLE_TYPES
from motcua.documents.forms import DigitizeForm, SignForm, TrustAnchorForm, WarehouseUploadForm
from motcua.documents.inspection import UploadPolicy, UploadRejected
from motcua.documents.models import StoredFile, TrustAnchor
from motcua.documents.services.digitization import SCAN_POLICY
from motcua.documents.serving import stored_file_response
from motcua.documents.signing.plugins import SigningUnavailable
from motcua.org.constants import Role


def base_template(request: HttpRequest) -> str:
    if getattr(request.user, "is_officer", False):
        return "backoffice/base.html"
    return "portal/base.html"


def _file_or_404(request: HttpRequest, pk: Any) -> StoredFile:
    stored = get_object_or_404(StoredFile.objects.select_related("owner", "unit"), pk=pk)
    # 404 rather than 403: do not confirm that someone else's file exists.
    if not can_access(request.user, stored):
        raise Http404
    return stored


# The inline copy may be framed by our own pages only, and runs nothing of its own.
VIEWER_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


@account_required
def download(request: HttpRequest, pk: Any) -> HttpResponse:
    stored = _file_or_404(request, pk)
    file_opened(request, stored)
    inline = request.GET.get("xem") == "1" and stored.mime_type in VIEWABLE_TYPES
    response = stored_file_response(stored, filename=stored.original_name, as_attachment=not inline)
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = VIEWER_CSP
    return response


@account_required
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    stored = _file_or_404(request, pk)
    latest = selectors.latest_version(stored)
    return render(
        request,
        "documents/file_detail.html",
        {
            "base_template": base_template(request),
            "file": stored,
            "latest": latest if latest.pk != stored.pk else None,
            "report": selectors.signature_report(stored),
            "signatures": stored.signatures.select_related("signer", "credential"),
            "links": stored.links.all(),
            "can_sign": getattr(request.user, "is_officer", False)
            and stored.mime_type == "application/pdf",
            "sign_form": SignForm(units=_units_of(request.user)),
        },
    )


@account_required
def signature_status(request: HttpRequest, pk: Any) -> HttpResponse:
    """htmx partial: the signature status table of one file."""
    stored = _file_or_404(request, pk)
    return render(
        request,
        "documents/_signature_status.html",
        {"report": selectors.signature_report(stored), "file": stored},
    )


def _units_of(user: Any) -> Any:
    from motcua.org.models import OrgUnit
    from motcua.org.selectors import active_assignments

    if not getattr(user, "is_officer", False):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(pk__in=active_assignments(user).values("unit_id"))


@officer_required
@require_POST
def sign(request: HttpRequest, pk: Any) -> HttpResponse:
    stored = _file_or_404(request, pk)
    form = SignForm(request.POST, units=_units_of(request.user))
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn vai trò ký và đơn vị."))
        return redirect("documents:detail", pk=stored.pk)
    unit = form.cleaned_data["unit"] or _units_of(request.user).first()
    try:
        signed = services.document_sign(
            file=selectors.latest_version(stored),
            actor=request.user,
            role=form.cleaned_data["role"],
            unit=unit,
        )
    except (PermissionDenied, ValidationError, SigningUnavailable) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, message or _("Không ký được tài liệu."))
        return redirect("documents:detail", pk=stored.pk)
    messages.success(request, _("Đã ký số tài liệu."))
    return redirect("documents:detail", pk=signed.pk)


@citizen_required
@require_http_methods(["GET", "POST"])
def warehouse(request: HttpRequest) -> HttpResponse:
    """ "Kho dữ liệu của tôi": submitted documents and received results."""
    form = WarehouseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stored = services.stored_file_upload(
                uploaded=data["file"],
                original_name=data["file"].name,
                actor=request.user,
                owner=request.user,
                policy=UploadPolicy(),
            )
        except UploadRejected as exc:
            form.add_error("file", exc.message)
        else:
            services.warehouse_item_add(
                owner=request.user,
                file=stored,
                title=data["title"],
                actor=request.user,
                doc_type=data["doc_type"],
                issuer=data["issuer"],
                issued_on=data["issued_on"],
                valid_until=data["valid_until"],
            )
            messages.success(request, _("Đã thêm giấy tờ vào kho dữ liệu."))
            return redirect("documents:warehouse")
    return render(
        request,
        "documents/warehouse.html",
        {"items": selectors.warehouse_of(request.user), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _is_admin(user: Any) -> bool:
    from motcua.org.selectors import user_roles

    return Role.ADMINISTRATOR in user_roles(user)


@officer_required
@require_http_methods(["GET", "POST"])
def trust_store(request: HttpRequest) -> HttpResponse:
    """Trusted roots. Administrators add national roots (e.g. the Government Cipher
    Committee root for Decree 68/2024 certificates, public CAs' roots)."""
    is_admin = _is_admin(request.user)
    form = TrustAnchorForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if form.is_valid():
            raw = form.cleaned_data["certificate"].read(64 * 1024)
            try:
                pem_text = _as_pem(raw)
                services.trust_anchor_add(
                    certificate_pem=pem_text, actor=request.user, name=form.cleaned_data["name"]
                )
            except (ValidationError, ValueError):
                form.add_error("certificate", _("Không đọc được chứng thư số (PEM hoặc DER)."))
            else:
                messages.success(request, _("Đã thêm chứng thư gốc vào kho tin cậy."))
                return redirect("documents:trust_store")
    return render(
        request,
        "documents/trust_store.html",
        {
            "anchors": TrustAnchor.objects.order_by("-is_active", "name"),
            "form": form,
            "is_admin": is_admin,
        },
    )


def _as_pem(raw: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if b"-----BEGIN CERTIFICATE-----" in raw:
        cert = x509.load_pem_x509_certificate(raw)
    else:
        cert = x509.load_der_x509_certificate(raw)
    return cert.public_bytes(Encoding.PEM).decode()


def _owner_by_identifier(identifier: str) -> Any:
    from django.db.models import Q

    from motcua.accounts.models import User

    identifier = identifier.strip()
    if not identifier:
        return None
    return User.objects.filter(
        Q(personal_id=identifier) | Q(tax_code=identifier), is_active=True
    ).first()


@officer_required
@require_http_methods(["GET", "POST"])
def digitize(request: HttpRequest) -> HttpResponse:
    """Số hóa tại quầy: scans → one PDF, certified by the receptionist's signature."""
    units = _units_of(request.user)
    form = DigitizeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = _owner_by_identifier(data["owner_identifier"])
        if data["owner_identifier"] and owner is None:
            form.add_error("owner_identifier", _("Không tìm thấy tài khoản người nộp."))
        else:
            try:
                pages = [services.read_upload(f, SCAN_POLICY) for f in data["pages"]]
                stored = services.digitized_copy_create(
                    pages=pages,
                    original_description=data["original_description"],
                    actor=request.user,
                    owner=owner,
                    unit=units.first(),
                    link=services.LinkTarget(
                        dossier_code=data["dossier_code"], component_code=data["component_code"]
                    )
                    if data["dossier_code"]
                    else None,
                )
            except UploadRejected as exc:
                form.add_error("pages", exc.message)
            else:
                if data["certify"]:
                    try:
                        stored = services.digitized_copy_certify(
                            file=stored, actor=request.user, unit=units.first()
                        )
                    except (PermissionDenied, ValidationError, SigningUnavailable) as exc:
                        messages.warning(
                            request,
                            _("Đã số hóa nhưng chưa ký được: %(reason)s") % {"reason": exc},
                        )
                messages.success(request, _("Đã số hóa giấy tờ."))
                return redirect("documents:detail", pk=stored.pk)
    return render(
        request, "documents/digitize.html", {"form": form}, status=400 if form.errors else 200
    )
