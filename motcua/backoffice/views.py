from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.accounts.decorators import officer_required


@officer_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html")
