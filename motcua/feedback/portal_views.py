"""Citizen-facing views: submit feedback (account or anonymous), track it with code +
PIN, read published answers, rate an answer or re-open it, and rate a dossier
(portal page for the applicant, kiosk page at the counter)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import citizen_required
from motcua.core.middleware import client_ip
from motcua.feedback import forms, selectors, services, workflow
from motcua.feedback.constants import (
    CITIZEN_STATUS_TEXT,
    FeedbackChannel,
    FeedbackStatus,
    RatingChannel,
    RatingStage,
)
from motcua.feedback.models import Feedback

VERIFIED_KEY = "feedback_verified"
# The citizen's sent feedback, a page at a time (as the published answers).
MINE_PAGE_SIZE = 20
NEW_PIN_KEY = "feedback_new_pin"


def _ip(request: HttpRequest) -> str:
    return client_ip(request) or ""


def _errors(exc: Exception) -> str:
    return "; ".join(getattr(exc, "messages", None) or [str(exc) or _("Không được phép.")])


def index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.published_feedback().select_related("handling_unit"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "feedback/portal_index.html", {"page": page})


def _citizen_dossiers(user: Any) -> list[Any]:
    from motcua.dossiers.models import Dossier

    return list(
        Dossier.objects.filter(applicant=user)
        .exclude(code__isnull=True)
        .select_related("procedure_version")
        .order_by("-created_at")[:100]
    )


def submit(request: HttpRequest) -> HttpResponse:
    """Logged-in citizens attach one of their dossiers; anonymous senders get a code
    and a PIN (shown once) to follow their feedback."""
    from motcua.dossiers.services.drafts import TrackingThrottled, tracking_lookup

    user = request.user
    citizen = getattr(user, "is_citizen", False)
    if user.is_authenticated and not citizen:
        raise PermissionDenied  # officers enter feedback from the back office
    dossiers = _citizen_dossiers(user) if citizen else None
    initial = {}
    if citizen and request.GET.get("ho_so"):
        initial["dossier"] = request.GET["ho_so"]
    form = forms.PortalFeedbackForm(request.POST or None, dossiers=dossiers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("website"):
            # A bot filled the honeypot: answer as if accepted, register nothing.
            return render(request, "feedback/portal_submitted.html", {"code": "", "pin": ""})
        dossier = None
        try:
            if citizen and data.get("dossier"):
                dossier = next((d for d in dossiers or [] if str(d.pk) == data["dossier"]), None)
                if dossier is None:
                    raise ValidationError(_("Hồ sơ không hợp lệ."))
            elif not citizen and data.get("dossier_code"):
                # Throttled before any look-up (the public tracking limit, atomic), and
                # the same answer whether the code or the 4 digits were wrong.
                dossier = tracking_lookup(
                    code=data["dossier_code"],
                    factor=data.get("dossier_factor", ""),
                    client=_ip(request) or "",
                )
                if dossier is None:
                    raise ValidationError(
                        _("Mã hồ sơ hoặc 4 số cuối không khớp. Vui lòng kiểm tra lại.")
                    )
            result = services.feedback_submit(
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                channel=FeedbackChannel.PORTAL,
                submitter=user if citizen else None,
                sender_name=data.get("sender_name", ""),
                sender_phone=data.get("sender_phone", ""),
                sender_email=data.get("sender_email", ""),
                dossier=dossier,
                unit=data.get("unit"),
                client_ip=_ip(request),
            )
        except (services.RateLimited, TrackingThrottled):
            response = render(
                request, "feedback/portal_submit.html", {"form": form, "limited": True}
            )
            response.status_code = 429
            return response
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _errors(exc))
        else:
            fb = result.feedback
            if citizen:
                messages.success(
                    request, _("Đã gửi phản ánh. Mã phản ánh: %(code)s") % {"code": fb.code}
                )
                return redirect("feedback_public:detail", code=fb.code)
            request.session[NEW_PIN_KEY] = {"code": fb.code, "pin": result.pin}
            _remember(request, fb)
            return redirect("feedback_public:submitted")
    return render(request, "feedback/portal_submit.html", {"form": form, "limited": False})


def submitted(request: HttpRequest) -> HttpResponse:
    data = request.session.pop(NEW_PIN_KEY, None)
    if not data:
        return redirect("feedback_public:track")
    return render(request, "feedback/portal_submitted.html", data)


def _remember(request: HttpRequest, fb: Feedback) -> None:
    verified = list(request.session.get(VERIFIED_KEY, []))
    if fb.pk not in verified:
        verified = [*verified[-19:], fb.pk]
    request.session[VERIFIED_KEY] = verified


def track(request: HttpRequest) -> HttpResponse:
    form = forms.TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            fb = services.feedback_lookup(
                code=form.cleaned_data["code"], pin=form.cleaned_data["pin"], client_ip=_ip(request)
            )
        except services.RateLimited:
            form.add_error(None, _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau."))
            status = 429
        else:
            if fb is not None:
                request.session.cycle_key()
                _remember(request, fb)
                return redirect("feedback_public:detail", code=fb.code)
            form.add_error(None, _("Mã phản ánh hoặc mã bí mật không đúng."))
    response = render(request, "feedback/portal_track.html", {"form": form})
    response.status_code = status
    return response


def _for_sender(request: HttpRequest, code: str) -> tuple[Feedback, bool]:
    """(item, is_owner) — the account owner, or a session that gave code + PIN."""
    fb = Feedback.objects.filter(code=code).select_related("dossier").first()
    if fb is None:
        raise Http404
    if services.is_sender(request.user, fb):
        return fb, True
    if fb.pk in request.session.get(VERIFIED_KEY, []):
        return fb, False
    raise Http404


def detail(request: HttpRequest, code: str) -> HttpResponse:
    fb, owner = _for_sender(request, code)
    show_reason = fb.status in (FeedbackStatus.WAITING_SUPPLEMENT, FeedbackStatus.REFUSED)
    return render(
        request,
        "feedback/portal_detail.html",
        {
            "fb": fb,
            "owner": owner,
            "status_text": CITIZEN_STATUS_TEXT.get(fb.status, ""),
            "reason": fb.status_reason if show_reason else "",
            "published": fb.status == FeedbackStatus.PUBLISHED,
            "verdict_form": forms.VerdictForm()
            if fb.status == FeedbackStatus.PUBLISHED and not fb.verdict
            else None,
            "reopen_form": forms.ReopenForm()
            if workflow.can_reopen(fb.status, fb.reopen_count)
            else None,
            "supplement_form": forms.SupplementForm()
            if fb.status == FeedbackStatus.WAITING_SUPPLEMENT
            else None,
        },
    )


@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    fb, _owner = _for_sender(request, code)
    actor = request.user if request.user.is_authenticated else None
    try:
        if action == "rate":
            form: Any = forms.VerdictForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Vui lòng chọn mức đánh giá."))
            services.feedback_rate(feedback=fb, verdict=form.cleaned_data["verdict"], actor=actor)
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        elif action == "reopen":
            form = forms.ReopenForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Vui lòng nêu điều bạn chưa hài lòng."))
            services.feedback_reopen(feedback=fb, reason=form.cleaned_data["reason"], actor=actor)
            messages.success(request, _("Phản ánh đã được chuyển lại cơ quan xử lý."))
        elif action == "supplement":
            form = forms.SupplementForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Vui lòng nhập thông tin bổ sung."))
            services.feedback_supplement(feedback=fb, text=form.cleaned_data["text"], actor=actor)
            messages.success(request, _("Đã gửi thông tin bổ sung."))
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect("feedback_public:detail", code=fb.code)


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    to_rate = services.ratings_due(_citizen_dossiers(request.user)[:30])
    page = Paginator(selectors.feedback_for_citizen(request.user), MINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    others = request.GET.copy()
    others.pop("page", None)
    return render(
        request,
        "feedback/portal_mine.html",
        {
            "items": page.object_list,
            "page": page,
            "pager_query": others.urlencode(),
            "to_rate": to_rate,
        },
    )


def _rate(
    request: HttpRequest, dossier: Any, stage: str, *, rater: Any, channel: str, kiosk: bool
) -> HttpResponse:
    if stage not in RatingStage.values:
        raise Http404
    if selectors.rating_exists(dossier.pk, stage):
        return render(request, "feedback/rating_done.html", {"already": True, "kiosk": kiosk})
    form = forms.RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.rating_submit(
                dossier=dossier,
                stage=stage,
                level=form.cleaned_data["level"],
                criteria=form.criteria(),
                problem=form.cleaned_data["problem"],
                channel=channel,
                rater=rater,
                make_complaint=form.cleaned_data["make_complaint"],
                client_ip=_ip(request),
            )
        except services.RateLimited:
            form.add_error(None, _("Quá nhiều phản ánh từ thiết bị này. Vui lòng thử lại sau."))
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _errors(exc))
        else:
            if result.complaint is not None and rater is None:
                _remember(request, result.complaint)
            return render(
                request,
                "feedback/rating_done.html",
                {"complaint": result.complaint, "pin": result.pin, "kiosk": kiosk},
            )
    return render(
        request,
        "feedback/rating_form.html",
        {"form": form, "dossier": dossier, "stage_label": RatingStage(stage).label, "kiosk": kiosk},
    )


@citizen_required
def rate(request: HttpRequest, dossier_pk: int, stage: str) -> HttpResponse:
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.filter(pk=dossier_pk, applicant_id=request.user.pk).first()
    if dossier is None:
        raise Http404
    return _rate(
        request, dossier, stage, rater=request.user, channel=RatingChannel.PORTAL, kiosk=False
    )


def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """The counter's tablet (or a QR code on Forms 01–03): a signed link for one
    dossier and stage; no login, no personal data shown."""
    from motcua.dossiers.models import Dossier

    data = services.read_invitation(token)
    if data is None:
        raise Http404
    dossier = Dossier.objects.filter(pk=data[0]).first()
    if dossier is None:
        raise Http404
    return _rate(request, dossier, data[1], rater=None, channel=RatingChannel.KIOSK, kiosk=True)
