"""Back-office pages for the organisation: browse the unit tree as of a date, unit
detail (staff, head history, succession, delegations) and administrator forms.

Everyone sees only units_visible_to(user); a unit outside that set is a 404. Changes
need an administrator assignment on the unit or an ancestor (403 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.org import selectors, services
from motcua.org.forms import (
    AssignmentEndForm,
    AssignmentForm,
    DelegationForm,
    SuccessionForm,
    TreeFilterForm,
    UnitForm,
)
from motcua.org.models import Delegation, OrgUnit, StaffAssignment


def _apply_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _visible_unit(request: HttpRequest, pk: int) -> OrgUnit:
    unit = get_object_or_404(OrgUnit.objects.select_related("parent"), pk=pk)
    if not selectors.can_access_unit(request.user, unit):
        raise Http404
    return unit


def _admin_unit(request: HttpRequest, pk: int) -> OrgUnit:
    unit = _visible_unit(request, pk)
    if not services.can_administer_unit(request.user, unit):
        raise PermissionDenied
    return unit


def _administrable(user: Any) -> Any:
    """Units the user may change: the subtrees of their administrator assignments."""
    condition = Q(pk__in=[])
    for assignment in selectors.active_assignments(user):
        if assignment.role == "administrator":
            condition |= Q(path__startswith=assignment.unit.path)
    return OrgUnit.objects.filter(condition)


def _form_page(
    request: HttpRequest, form: Form, *, title: str, unit: OrgUnit | None
) -> HttpResponse:
    return render(request, "org/form.html", {"form": form, "title": title, "unit": unit})


@officer_required
def unit_list(request: HttpRequest) -> HttpResponse:
    filters = TreeFilterForm(request.GET or None)
    at = timezone.localdate()
    query, kind = "", ""
    if filters.is_valid():
        at = filters.cleaned_data["at"] or at
        query = filters.cleaned_data["q"].strip()
        kind = filters.cleaned_data["kind"]
    visible = selectors.units_visible_to(request.user)
    context: dict[str, Any] = {
        "filters": filters,
        "at": at,
        "can_create": services.can_administer_unit(request.user, None)
        or _administrable(request.user).exists(),
    }
    if query or kind:
        matches = visible.filter(selectors.unit_valid_on(at)).select_related("parent")
        if query:
            matches = matches.filter(
                Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code__icontains=query)
            )
        if kind:
            matches = matches.filter(kind=kind)
        context["matches"] = matches.order_by("path")[:500]
    else:
        context["tree"] = selectors.unit_tree(at, within=visible)
    return render(request, "org/unit_list.html", context)


@officer_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    today = timezone.localdate()
    staff = list(selectors.unit_staff(unit))
    for assignment in staff:
        assignment.current = (  # type: ignore[attr-defined]
            assignment.valid_from <= today
            and (assignment.valid_to is None or assignment.valid_to >= today)
        )
    staff.sort(key=lambda a: not a.current)  # type: ignore[attr-defined]
    context = {
        "unit": unit,
        "today": today,
        "is_valid": selectors.is_unit_valid(unit, today),
        "ancestors": OrgUnit.objects.filter(
            pk__in=[int(p) for p in unit.path.strip("/").split("/")[:-1] if p]
        ).order_by("depth"),
        "children": unit.children.order_by("code"),
        "staff": staff,
        "head": selectors.head_of_unit(unit, today),
        "heads": selectors.heads_history(unit),
        "successors": selectors.successors(unit),
        "predecessors": selectors.predecessors(unit),
        "current_units": selectors.resolve_current(unit, today),
        "delegations": selectors.unit_delegations(unit),
        "can_admin": services.can_administer_unit(request.user, unit),
        # Links are only drawn to units the user may open (others would be a 404).
        "visible_pks": set(selectors.units_visible_to(request.user).values_list("pk", flat=True)),
        "end_form": AssignmentEndForm(initial={"valid_to": today}),
    }
    return render(request, "org/unit_detail.html", context)


@officer_required
def unit_create(request: HttpRequest) -> HttpResponse:
    parents = _administrable(request.user)
    if not parents.exists() and not services.can_administer_unit(request.user, None):
        raise PermissionDenied
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = UnitForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("parent", _("Bạn chỉ được thêm đơn vị trong phạm vi mình quản trị."))
        else:
            messages.success(request, _("Đã thêm đơn vị %(name)s.") % {"name": unit.name})
            return redirect("org:unit_detail", pk=unit.pk)
    return _form_page(request, form, title=_("Thêm đơn vị"), unit=None)


@officer_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    parents = _administrable(request.user).exclude(path__startswith=unit.path)
    initial = {field: getattr(unit, field) for field in services.UNIT_FIELDS}
    initial["parent"] = unit.parent_id
    form = UnitForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_parent = data.pop("parent")
        try:
            with transaction.atomic():
                services.unit_update(actor=request.user, unit=unit, **data)
                if (new_parent.pk if new_parent else None) != unit.parent_id:
                    services.unit_move(actor=request.user, unit=unit, new_parent=new_parent)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("org:unit_detail", pk=unit.pk)
    return _form_page(
        request, form, title=_("Sửa đơn vị %(name)s") % {"name": unit.name}, unit=unit
    )


@officer_required
def succession_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    form = SuccessionForm(
        request.POST or None, units=OrgUnit.objects.exclude(pk=unit.pk).order_by("path")
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.succession_record(actor=request.user, predecessor=unit, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận quan hệ kế thừa."))
            return redirect("org:unit_detail", pk=unit.pk)
    return _form_page(
        request, form, title=_("Ghi nhận kế thừa cho %(name)s") % {"name": unit.name}, unit=unit
    )


@officer_required
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    form = AssignmentForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã phân công cán bộ."))
            return redirect("org:unit_detail", pk=unit.pk)
    return _form_page(
        request, form, title=_("Phân công cán bộ vào %(name)s") % {"name": unit.name}, unit=unit
    )


@officer_required
def assignment_end(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    assignment = get_object_or_404(StaffAssignment, pk=assignment_pk, unit=unit)
    form = AssignmentEndForm(request.POST or None, initial={"valid_to": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(
                actor=request.user, assignment=assignment, valid_to=form.cleaned_data["valid_to"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã kết thúc phân công."))
            return redirect("org:unit_detail", pk=unit.pk)
    return _form_page(
        request,
        form,
        title=_("Kết thúc phân công của %(name)s") % {"name": assignment.user},
        unit=unit,
    )


@officer_required
def delegation_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    from motcua.accounts.models import User

    members = User.objects.filter(assignments__unit=unit).distinct().order_by("full_name")
    form = DelegationForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận ủy quyền."))
            return redirect("org:unit_detail", pk=unit.pk)
    return _form_page(
        request, form, title=_("Ủy quyền trong %(name)s") % {"name": unit.name}, unit=unit
    )


@require_POST
@officer_required
def delegation_revoke(request: HttpRequest, pk: int, delegation_pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    delegation = get_object_or_404(Delegation, pk=delegation_pk, unit=unit)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi ủy quyền."))
    return redirect("org:unit_detail", pk=unit.pk)
