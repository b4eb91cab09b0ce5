from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.accounts.redirects import optional_url


def home(request: HttpRequest) -> HttpResponse:
    """Public home page. The search box submits to the procedure search (catalog) when
    it exists; otherwise the query is echoed back with a notice."""
    query = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "portal/home.html",
        {
            "query": query,
            "search_url": optional_url("procedures:list"),
            "my_dossiers_url": optional_url("my_dossiers:list"),
        },
    )
