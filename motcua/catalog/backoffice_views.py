"""Back-office catalogue management: list, procedure with versions and diff, drafts
(edit basic info, components, fees, steps, e-form with live preview), publish, export.
All officers read; only administrators change (catalog.permissions)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import officer_required
from motcua.catalog import diff as diff_mod
from motcua.catalog import eforms, interchange, selectors, services
from motcua.catalog.constants import VersionStatus
from motcua.catalog.forms import (
    CHILD_FORMS,
    AnnouncementForm,
    CompetenceEndForm,
    CompetenceForm,
    EformEditForm,
    ProcedureCreateForm,
    PublishForm,
    VersionBasicForm,
)
from motcua.catalog.models import Competence, Procedure, ProcedureVersion
from motcua.catalog.permissions import can_manage_catalog
from motcua.catalog.xlsx import catalogue_xlsx

# Procedures a page of the back-office list (as the other back-office lists).
PAGE_SIZE = 50


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_catalog(request.user):
        raise PermissionDenied


def _draft(request: HttpRequest, pk: int) -> ProcedureVersion:
    """A draft the user may edit; published versions are read-only in the UI too."""
    _require_manager(request)
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
    if version.status != VersionStatus.DRAFT:
        raise PermissionDenied(_("Phiên bản đã công bố không được sửa."))
    return version


@officer_required
def catalog_list(request: HttpRequest) -> HttpResponse:
    """Every procedure (a province has about 1,800), PAGE_SIZE a page, with its version
    in force and its open draft looked up for the page's procedures only."""
    query = request.GET.get("q", "").strip()[:200]
    procedures = Procedure.objects.select_related("field").order_by("code", "pk")
    if query:
        hits = selectors.search_procedures(selectors.SearchFilters(query=query))
        ids = [h.procedure.pk for h in hits]
        procedures = procedures.filter(pk__in=ids)
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("page"))
    procedure_list = list(page.object_list)
    current, drafts = selectors.version_summary([p.pk for p in procedure_list])
    rows = [
        {"procedure": p, "current": current.get(p.pk), "draft": drafts.get(p.pk)}
        for p in procedure_list
    ]
    others = request.GET.copy()
    others.pop("page", None)
    return render(
        request,
        "catalog/backoffice/list.html",
        {
            "rows": rows,
            "page": page,
            "query": query,
            "pager_query": others.urlencode(),
            "can_manage": can_manage_catalog(request.user),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ProcedureCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.procedure_create(actor=request.user, **form.cleaned_data)
        except services.CatalogError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, _("Đã tạo thủ tục và bản nháp đầu tiên."))
            return redirect("catalog:version", pk=version.pk)
    return render(
        request, "catalog/backoffice/form.html", {"form": form, "title": _("Thêm thủ tục")}
    )


@officer_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure.objects.select_related("field"), code=code)
    versions = list(selectors.versions_of(procedure))
    current = selectors.version_in_force(procedure)
    return render(
        request,
        "catalog/backoffice/procedure.html",
        {
            "procedure": procedure,
            "versions": versions,
            "current": current,
            "draft": selectors.draft_of(procedure),
            "competences": selectors.competences_on(procedure),
            "can_manage": can_manage_catalog(request.user),
            "end_form": CompetenceEndForm(initial={"valid_to": timezone.localdate()}),
        },
    )


@officer_required
def version_diff(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=code)
    versions = list(selectors.versions_of(procedure))
    by_id = {str(v.pk): v for v in versions}
    old = by_id.get(request.GET.get("a", ""))
    new = by_id.get(request.GET.get("b", ""))
    if old is None and len(versions) >= 2:
        old = versions[1]
    if new is None and versions:
        new = versions[0]
    result = None
    if old is not None and new is not None:
        result = diff_mod.diff_versions(
            interchange.version_to_dict(old), interchange.version_to_dict(new)
        )
    return render(
        request,
        "catalog/backoffice/diff.html",
        {"procedure": procedure, "versions": versions, "old": old, "new": new, "diff": result},
    )


@officer_required
@require_POST
def create_draft(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=code)
    try:
        version = services.procedure_version_create_draft(procedure=procedure, actor=request.user)
    except services.CatalogError as exc:
        if not can_manage_catalog(request.user):
            raise PermissionDenied from exc
        messages.error(request, str(exc))
        return redirect("catalog:detail", code=code)
    messages.success(request, _("Đã tạo bản nháp từ phiên bản đang áp dụng."))
    return redirect("catalog:version", pk=version.pk)


@officer_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        version = selectors.version_full(pk)
    except ProcedureVersion.DoesNotExist as exc:
        raise Http404 from exc
    is_draft = version.status == VersionStatus.DRAFT
    can_manage = can_manage_catalog(request.user)
    can_edit = is_draft and can_manage
    return render(
        request,
        "catalog/backoffice/version.html",
        {
            "version": version,
            "procedure": version.procedure,
            "can_edit": can_edit,
            "can_record_announcement": can_manage and not is_draft,
            "process_errors": services.version_process_errors(version),
            "publish_form": PublishForm(initial={"effective_from": timezone.localdate()}),
            "eform": eforms.build_form(version.form_schema, version.form_layout)
            if version.form_schema
            else None,
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    form = VersionBasicForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        # Re-read the stored row: the service applies the changes, not the bound form.
        stored = ProcedureVersion.objects.get(pk=version.pk)
        try:
            services.procedure_version_update(version=stored, actor=request.user, **form.changes())
        except (services.CatalogError, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu bản nháp."))
            return redirect("catalog:version", pk=version.pk)
    return render(
        request,
        "catalog/backoffice/form.html",
        {"form": form, "title": _("Sửa thông tin chung"), "version": version},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def child_edit(
    request: HttpRequest, pk: int, kind: str, child_pk: int | None = None
) -> HttpResponse:
    version = _draft(request, pk)
    form_class = CHILD_FORMS.get(kind)
    if form_class is None:
        raise Http404
    model = form_class._meta.model
    instance = get_object_or_404(model, pk=child_pk, version=version) if child_pk else None
    form = form_class(request.POST or None, instance=instance, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_child_save(instance=form.instance, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except services.CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("catalog:version", pk=version.pk)
    title = {
        "truong-hop": _("Trường hợp"),
        "thanh-phan": _("Thành phần hồ sơ"),
        "phi": _("Phí, lệ phí"),
        "buoc": _("Bước xử lý"),
    }[kind]
    return render(
        request, "catalog/backoffice/form.html", {"form": form, "title": title, "version": version}
    )


@officer_required
@require_POST
def child_delete(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    version = _draft(request, pk)
    form_class = CHILD_FORMS.get(kind)
    if form_class is None:
        raise Http404
    instance = get_object_or_404(form_class._meta.model, pk=child_pk, version=version)
    services.version_child_delete(instance=instance, actor=request.user)
    messages.success(request, _("Đã xóa."))
    return redirect("catalog:version", pk=version.pk)


def _preview_context(schema_text: str, layout_text: str) -> dict[str, Any]:
    schema, err1 = eforms.parse_json(schema_text)
    layout, err2 = eforms.parse_json(layout_text)
    errors = [e for e in (err1, err2) if e]
    if not errors:
        errors = eforms.validate_definition(schema, layout)
    form = None
    if not errors and schema:
        form = eforms.build_form(schema, layout, prefix="pv")
    return {"errors": errors, "preview": form, "schema": schema, "layout": layout}


@officer_required
@require_http_methods(["GET", "POST"])
def eform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    if request.method == "POST":
        form = EformEditForm(request.POST)
        form.is_valid()
        ctx = _preview_context(form.cleaned_data["schema"], form.cleaned_data["layout"])
        if not ctx["errors"]:
            try:
                services.procedure_version_set_eform(
                    version=version,
                    schema=ctx["schema"] or {},
                    layout=ctx["layout"] or {},
                    actor=request.user,
                )
            except services.CatalogError as exc:
                ctx["errors"] = [str(exc)]
            else:
                messages.success(request, _("Đã lưu biểu mẫu điện tử."))
                return redirect("catalog:version", pk=version.pk)
    else:
        form = EformEditForm(
            initial={
                "schema": json.dumps(version.form_schema or {}, ensure_ascii=False, indent=2),
                "layout": json.dumps(version.form_layout or {}, ensure_ascii=False, indent=2),
            }
        )
        ctx = _preview_context(form.initial["schema"], form.initial["layout"])
    return render(
        request,
        "catalog/backoffice/eform_edit.html",
        {"form": form, "version": version, **ctx},
    )


@officer_required
@require_POST
def eform_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: validate the editor's JSON on the server and render the form preview.
    Submitting the preview itself (`_preview_submit`) validates sample answers."""
    version = _draft(request, pk)
    ctx = _preview_context(request.POST.get("schema", ""), request.POST.get("layout", ""))
    if ctx["preview"] is not None and request.POST.get("_preview_submit"):
        bound = eforms.build_form(ctx["schema"], ctx["layout"], data=request.POST, prefix="pv")
        ctx["preview"] = bound
        ctx["answers"] = bound.answers() if bound.is_valid() else None
    return render(request, "catalog/backoffice/_eform_preview.html", {"version": version, **ctx})


@officer_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ngày áp dụng không hợp lệ."))
        return redirect("catalog:version", pk=pk)
    effective_from: dt.date = form.cleaned_data["effective_from"]
    try:
        services.procedure_version_publish(
            version=version, effective_from=effective_from, actor=request.user
        )
    except services.CatalogError as exc:
        messages.error(request, str(exc))
        return redirect("catalog:version", pk=pk)
    messages.success(request, _("Đã công bố phiên bản; phiên bản này không còn sửa được."))
    return redirect("catalog:detail", code=version.procedure.code)


@officer_required
@require_http_methods(["GET", "POST"])
def version_announcement(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the announcement decision and the national publication date of a version
    (Decision 766 1.1/1.2), published or not: facts about it, not its content."""
    _require_manager(request)
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
    form = AnnouncementForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        stored = ProcedureVersion.objects.get(pk=version.pk)  # the service applies the changes
        try:
            services.procedure_version_record_announcement(
                version=stored,
                actor=request.user,
                announcement_decision=form.cleaned_data["announcement_decision"],
                announced_on=form.cleaned_data["announced_on"],
                national_published_on=form.cleaned_data["national_published_on"],
            )
        except services.CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã ghi nhận quyết định công bố."))
            return redirect("catalog:version", pk=version.pk)
    return render(
        request,
        "catalog/backoffice/form.html",
        {"form": form, "title": _("Quyết định công bố, công khai"), "version": version},
    )


@officer_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    code = version.procedure.code
    services.procedure_version_discard(version=version, actor=request.user)
    messages.success(request, _("Đã hủy bản nháp."))
    return redirect("catalog:detail", code=code)


@officer_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        catalogue_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="danh-muc-tthc.xlsx"'
    return response


@officer_required
def export_json(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(interchange.export_catalogue(), ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="danh-muc-tthc.json"'
    return response


@officer_required
@require_http_methods(["GET", "POST"])
def competence_add(request: HttpRequest, code: str) -> HttpResponse:
    _require_manager(request)
    procedure = get_object_or_404(Procedure, code=code)
    form = CompetenceForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_add(procedure=procedure, actor=request.user, **form.cleaned_data)
        except services.CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã thêm thẩm quyền."))
            return redirect("catalog:detail", code=code)
    return render(
        request,
        "catalog/backoffice/form.html",
        {
            "form": form,
            "title": _("Thêm đơn vị có thẩm quyền, nơi tiếp nhận"),
            "procedure": procedure,
        },
    )


@officer_required
@require_POST
def competence_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    _require_manager(request)
    competence = get_object_or_404(Competence, pk=pk, procedure__code=code)
    form = CompetenceEndForm(request.POST)
    if form.is_valid():
        try:
            services.competence_end(
                competence=competence, valid_to=form.cleaned_data["valid_to"], actor=request.user
            )
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã kết thúc thẩm quyền."))
    else:
        messages.error(request, _("Ngày không hợp lệ."))
    return redirect("catalog:detail", code=code)
