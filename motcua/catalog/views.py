"""Citizen catalogue pages: search with filters (htmx live results, works without
JavaScript) and the procedure page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.catalog import conditions, selectors
from motcua.catalog.constants import ImplementingLevel, OnlineMode
from motcua.catalog.models import Procedure

PAGE_SIZE = 20


def _filters(request: HttpRequest) -> selectors.SearchFilters:
    get = request.GET
    return selectors.SearchFilters(
        query=get.get("q", "").strip()[:200],
        field=get.get("linh_vuc", "").strip()[:32],
        level=get.get("cap", "") if get.get("cap", "") in ImplementingLevel.values else "",
        unit=get.get("don_vi", "").strip()[:64],
        online_mode=get.get("truc_tuyen", "") if get.get("truc_tuyen") in OnlineMode.values else "",
    )


@require_GET
def procedure_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    hits = selectors.search_procedures(filters)
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("trang"))
    query_without_page = request.GET.copy()
    query_without_page.pop("trang", None)
    context = {
        "filters": filters,
        "page": page,
        "hits": page.object_list,
        "total": len(hits),
        "fuzzy": bool(hits) and hits[0].fuzzy,
        "fields": selectors.fields_in_use(),
        "units": selectors.units_with_competence(),
        "levels": ImplementingLevel.choices,
        "online_modes": OnlineMode.choices,
        "querystring": query_without_page.urlencode(),
    }
    if (
        request.headers.get("HX-Request")
        and request.headers.get("HX-Target") == "procedure-results"
    ):
        return render(request, "catalog/public/_results.html", context)
    return render(request, "catalog/public/list.html", context)


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure, version = selectors.public_procedure(code)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc
    labels = conditions.labels_from_schema(version.form_schema)
    components = [
        {"obj": c, "condition_text": conditions.describe(c.condition, labels)}
        for c in version.components.all()
    ]
    fees = [
        {"obj": f, "exemption_text": conditions.describe(f.exemption, labels)}
        for f in version.fee_rules.all()
    ]
    competences = list(selectors.competences_on(procedure))
    return render(
        request,
        "catalog/public/detail.html",
        {
            "procedure": procedure,
            "version": version,
            "components": components,
            "fees": fees,
            "competent_units": [c.unit for c in competences if c.is_competent],
            "reception_points": [c.unit for c in competences if c.is_reception_point],
            "online": version.online_mode != OnlineMode.NONE,
            "submit_url": f"/nop-ho-so/{procedure.code}/",
        },
    )
