"""Receiver endpoint of the sandbox national portal: one URL, body `{service, ...}`,
bearer token, answers `{"error_code": "0"}` on success (law.md §12.1)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.integrations.mapping import validate
from motcua.sandbox_portal import national
from motcua.sandbox_portal.models import (
    Mode,
    NationalDossier,
    PortalSwitch,
    ReceivedMessage,
    Rejection,
)

CATALOGUE = Path(__file__).parent / "data" / "lay_thu_tuc.json"


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"error_code": code, "message": message, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _store(body: dict[str, Any], seq: int) -> bool:
    """Save the message unless (MaHoSo, seq) is known already. True if new."""
    item = body["data"][0]
    ma = str(item["MaHoSo"])
    try:
        with transaction.atomic():
            ReceivedMessage.objects.create(
                ma_ho_so=ma,
                seq=seq,
                service=body["service"],
                is_updating=body["isUpdating"],
                payload=body,
            )
        return True
    except IntegrityError:
        ReceivedMessage.objects.filter(ma_ho_so=ma, seq=seq).update(deliveries=F("deliveries") + 1)
        return False


@csrf_exempt
@require_POST
def api(request: HttpRequest) -> HttpResponse:
    switch = PortalSwitch.get()
    if switch.mode == Mode.DOWN:
        return _error(503, "503", "Service unavailable (sandbox switch)")
    if switch.mode == Mode.SLOW and switch.delay_ms:
        time.sleep(switch.delay_ms / 1000)
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer ") or (switch.token and auth[7:] != switch.token):
        return _error(401, "401", "Invalid token")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "-1", "Body is not JSON")
    if isinstance(body, dict) and body.get("service") in NATIONAL_SERVICES:
        return _national(body, switch)
    if isinstance(body, dict) and body.get("service") == "LayThuTuc":
        records = json.loads(CATALOGUE.read_text(encoding="utf-8"))
        return JsonResponse(
            {"error_code": "0", "result": records}, json_dumps_params={"ensure_ascii": False}
        )
    errors = validate(body)
    seq_header = request.headers.get("X-Message-Seq", "")
    if not seq_header.isdigit():
        errors.append("X-Message-Seq header is required")
    if errors:
        Rejection.objects.create(
            body=request.body.decode("utf-8", "replace")[:20000], errors=errors
        )
        return _error(400, "-1", "Invalid message", errors=errors)
    is_new = _store(body, int(seq_header))
    if switch.mode == Mode.LOSE_ACK:
        return _error(503, "503", "Stored, but the acknowledgement is lost (sandbox switch)")
    return JsonResponse({"error_code": "0", "message": "OK", "duplicate": not is_new})


NATIONAL_SERVICES = ("LayDanhSachHoSo", "XacNhanTiepNhanHoSo")
PULL_MAX = 50


def _national(body: dict[str, Any], switch: PortalSwitch) -> JsonResponse:
    """The online channel: the province pulls dossiers filed here and confirms each."""
    if body["service"] == "LayDanhSachHoSo":
        cursor, limit = body.get("tu", 0), body.get("so_luong", 20)
        if not isinstance(cursor, int) or not isinstance(limit, int) or cursor < 0:
            return _error(400, "-1", "tu and so_luong must be whole numbers")
        records, after = national.list_since(cursor, max(1, min(limit, PULL_MAX)))
        return JsonResponse(
            {"error_code": "0", "result": records, "tiep": after},
            json_dumps_params={"ensure_ascii": False},
        )
    code = str(body.get("MaHoSo", ""))
    if not national.acknowledge(code, str(body.get("MaHoSoTinh", ""))):
        return _error(404, "-1", "Unknown MaHoSo")
    if switch.mode == Mode.LOSE_ACK:
        return _error(503, "503", "Stored, but the acknowledgement is lost (sandbox switch)")
    return JsonResponse({"error_code": "0", "message": "OK"})


@login_required
def console(request: HttpRequest) -> HttpResponse:
    """What the sandbox portal holds, and its switches (officers only)."""
    if not getattr(request.user, "is_officer", False):
        raise PermissionDenied
    return render(
        request,
        "sandbox_portal/console.html",
        {
            "switch": PortalSwitch.get(),
            "modes": Mode.choices,
            "messages_in": ReceivedMessage.objects.order_by("-pk")[:100],
            "rejections": Rejection.objects.order_by("-pk")[:20],
            "total": ReceivedMessage.objects.count(),
            "national": NationalDossier.objects.order_by("-pk")[:50],
        },
    )


@require_POST
@login_required
def set_switch(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_officer", False):
        raise PermissionDenied
    switch = PortalSwitch.get()
    mode = request.POST.get("mode", Mode.OK)
    switch.mode = mode if mode in Mode.values else Mode.OK
    delay = request.POST.get("delay_ms", "0")
    switch.delay_ms = int(delay) if delay.isdigit() else 0
    switch.save()
    return redirect("sandbox_portal:console")


@require_POST
@login_required
def file_sample(request: HttpRequest) -> HttpResponse:
    """A citizen files a sample dossier on the portal, which pushes it to the province
    (the tester's button; the pull job would fetch it anyway)."""
    if not getattr(request.user, "is_officer", False):
        raise PermissionDenied
    from motcua.sandbox_portal.demo import file_samples

    file_samples(1)
    return redirect("sandbox_portal:console")


@require_POST
@login_required
def push_again(request: HttpRequest) -> HttpResponse:
    """The portal's retry: push every dossier the province has not confirmed yet."""
    if not getattr(request.user, "is_officer", False):
        raise PermissionDenied
    national.push_unacknowledged()
    return redirect("sandbox_portal:console")
