"""Back-office audit browser: list with filters (htmx partial refresh), entry detail
with a before/after diff and the hash links, CSV export, and chain verification for
administrators (run as a background task)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.decorators import officer_required
from motcua.core import selectors
from motcua.core.audit import audit_record
from motcua.core.forms import AuditFilterForm
from motcua.core.models import AuditEntry, AuditVerification
from motcua.core.tasks import audit_chain_verify

PAGE_SIZE = 50


def _require_browser(request: HttpRequest) -> None:
    if not selectors.can_browse_audit(request.user):
        raise PermissionDenied


def _cursor(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    qs = selectors.audit_entries_visible_to(request.user)
    if form.is_bound:
        qs = selectors.filter_entries(qs, form.cleaned_data) if form.is_valid() else qs.none()
    return form, qs


def _filter_query(request: HttpRequest) -> str:
    """The current filters as a query string, without the paging cursors."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key not in ("before", "after") and any(values):
            params.setlist(key, values)
    return params.urlencode()


@officer_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    _require_browser(request)
    form, qs = _filtered(request)
    page = selectors.keyset_page(
        qs,
        before=_cursor(request.GET.get("before")),
        after=_cursor(request.GET.get("after")),
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "filter_query": _filter_query(request),
        "can_verify": selectors.can_verify_audit(request.user),
        "last_verification": AuditVerification.objects.first()
        if selectors.can_verify_audit(request.user)
        else None,
    }
    partial = (
        request.headers.get("HX-Request") and request.headers.get("HX-Target") == "audit-results"
    )
    template = "core/_audit_results.html" if partial else "core/audit_list.html"
    response = render(request, template, context)
    # The same URL serves the page and the fragment: keep caches from mixing them up.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@officer_required
@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_browser(request)
    visible = selectors.audit_entries_visible_to(request.user)
    entry = get_object_or_404(visible, pk=pk)
    # The entries linked by the hash: the neighbours in the entry's own chain.
    chain_filter: dict[str, Any]
    if entry.chain is None:
        key, chain_filter = "sequence", {"chain__isnull": True}
    else:
        key, chain_filter = "position", {"chain": entry.chain}
    at = getattr(entry, key)
    neighbours = {
        getattr(e, key): e
        for e in AuditEntry.objects.filter(**chain_filter, **{f"{key}__in": [at - 1, at + 1]}).only(
            "pk", "sequence", "position"
        )
    }
    visible_ids = set(
        visible.filter(pk__in=[e.pk for e in neighbours.values()]).values_list("pk", flat=True)
    )
    following = neighbours.get(at + 1)
    context = {
        "entry": entry,
        "diff": selectors.diff_rows(entry.before, entry.after),
        "prev_id": _visible(getattr(neighbours.get(at - 1), "pk", None), visible_ids),
        "next_id": _visible(getattr(following, "pk", None), visible_ids),
        "next_sequence": following.sequence if following else None,
    }
    return render(request, "core/audit_detail.html", context)


def _visible(pk: int | None, visible_ids: set[int]) -> int | None:
    return pk if pk in visible_ids else None


_CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Neutralise spreadsheet formulas (CSV injection) in free-text cells.
    return "'" + text if text.startswith(_CSV_FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@officer_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    _require_browser(request)
    form, qs = _filtered(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "core/audit_list.html",
            {"form": form, "page": selectors.Page([], None, None), "filter_query": ""},
            status=400,
        )
    audit_record(
        action="core.audit_export",
        after={"filters": {k: v for k, v in request.GET.items() if v}},
    )
    header = [
        _("Số thứ tự"),
        _("Thời điểm"),
        _("Người thực hiện"),
        _("Vai trò"),
        _("Mã đơn vị"),
        _("Hành động"),
        _("Loại đối tượng"),
        _("Mã đối tượng"),
        _("Đối tượng"),
        _("Địa chỉ IP"),
        _("Mã yêu cầu"),
        "entry_hash",
    ]
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)  # BOM: spreadsheets read UTF-8 correctly
        for entry in selectors.iter_filtered(qs):
            yield writer.writerow(
                [
                    entry.sequence,
                    timezone.localtime(entry.occurred_at).isoformat(),
                    _csv_cell(entry.actor_label),
                    _csv_cell(entry.role),
                    _csv_cell(entry.unit_code),
                    _csv_cell(entry.action),
                    _csv_cell(entry.object_type),
                    _csv_cell(entry.object_id),
                    _csv_cell(entry.object_repr),
                    entry.ip_address or "",
                    _csv_cell(entry.request_id),
                    entry.entry_hash,
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.csv"'
    return response  # type: ignore[return-value]  # streaming: constant memory


@officer_required
@require_POST
def audit_verify_start(request: HttpRequest) -> HttpResponse:
    if not selectors.can_verify_audit(request.user):
        raise PermissionDenied
    verification = AuditVerification.objects.create(requested_by=request.user)  # type: ignore[misc]
    audit_record(action="core.audit_verify_requested", obj=verification)
    audit_chain_verify.enqueue(verification.pk)
    return redirect("core:audit_verify_status", pk=verification.pk)


@officer_required
@require_GET
def audit_verify_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_verify_audit(request.user):
        raise PermissionDenied
    verification = get_object_or_404(AuditVerification, pk=pk)
    context = {"verification": verification}
    if request.headers.get("HX-Request"):
        return render(request, "core/_verify_status.html", context)
    return render(request, "core/audit_verify.html", context)
