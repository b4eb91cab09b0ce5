"""Public verification of issued papers by result code / QR (/xac-minh/), no login.
Shows the registered metadata, whether the stored file still matches the hash recorded
at issue, the signatures' status, and lets anyone check a copy they hold."""

from __future__ import annotations

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.documents import pki, selectors, storage
from motcua.documents.forms import CompareForm, VerifyCodeForm
from motcua.documents.serving import stored_file_response

MAX_COMPARE_BYTES = 30 * 1024 * 1024


def lookup(request: HttpRequest) -> HttpResponse:
    form = VerifyCodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("verify:detail", code=form.cleaned_data["code"].strip().upper())
    status = 400 if request.GET else 200
    return render(request, "documents/verify_lookup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, code: str) -> HttpResponse:
    issued = selectors.issued_by_code(code)
    if issued is None:
        return render(
            request,
            "documents/verify_lookup.html",
            {"form": VerifyCodeForm(), "not_found": code},
            status=404,
        )
    stored = issued.file
    stored_matches = None
    report = None
    if stored is not None:
        data = storage.read_bytes(stored.storage_name)
        stored_matches = hashlib.sha256(data).hexdigest() == issued.sha256 == stored.sha256
        report = selectors.signature_report(stored)
    compare_form = CompareForm(request.POST or None, request.FILES or None)
    copy_matches = None
    if request.method == "POST" and compare_form.is_valid():
        upload = compare_form.cleaned_data["file"]
        digest = hashlib.sha256()
        read = 0
        for chunk in upload.chunks():
            read += len(chunk)
            if read > MAX_COMPARE_BYTES:
                break
            digest.update(chunk)
        copy_matches = read <= MAX_COMPARE_BYTES and digest.hexdigest() == issued.sha256
    return render(
        request,
        "documents/verify_detail.html",
        {
            "issued": issued,
            "stored_matches": stored_matches,
            "report": report,
            "compare_form": compare_form,
            "copy_matches": copy_matches,
        },
    )


def download(request: HttpRequest, code: str) -> HttpResponseBase:
    """The issued file itself, for whoever holds the (unguessable) result code: the
    QR on the paper, the citizen's page and the national portal link here (Decree
    45/2020 Art. 9: the electronic result is returned as a file that can be checked)."""
    issued = selectors.issued_by_code(code)
    if issued is None or issued.file is None:
        raise Http404
    stored = issued.file
    response = stored_file_response(stored, filename=stored.original_name, digest=False)
    response["X-Robots-Tag"] = "noindex"
    return response


def demo_crl(request: HttpRequest) -> HttpResponseBase:
    """CRL distribution point named in the demo certificates."""
    path = pki.paths().crl
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type="application/pkix-crl")


def demo_root(request: HttpRequest) -> HttpResponseBase:
    path = pki.paths().ca_cert
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        content_type="application/x-pem-file",
        as_attachment=True,
        filename="motcua-demo-root.crt",
    )
