"""Back-office views: the handler queue, the answer workflow, staff entry of feedback
received at the counter / by phone / by letter, reports and rating aggregates. Thin
adapters around selectors and services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import User
from motcua.core.middleware import client_ip
from motcua.feedback import forms, selectors, services, workflow
from motcua.feedback.constants import EVENT_LABELS, FeedbackKind, FeedbackStatus, RatingLevel
from motcua.feedback.models import Feedback
from motcua.org.constants import Role
from motcua.org.selectors import units_visible_to, user_roles

LEADING = frozenset({Role.LEADER, Role.SUPERVISOR})
PRIMARY_ACTIONS = frozenset({"accept", "submit_answer", "approve", "publish"})

ACTION_FORMS: dict[str, Any] = {
    "accept": forms.AcceptForm,
    "refuse": forms.ReasonForm,
    "request_supplement": forms.SupplementRequestForm,
    "transfer": forms.TransferForm,
    "transfer_out": forms.TransferOutForm,
    "submit_answer": forms.AnswerForm,
    "return_draft": forms.ReasonForm,
    "approve": None,
    "publish": None,
}

ACTION_LABELS: dict[str, Any] = {
    "accept": _l("Tiếp nhận, phân loại"),
    "refuse": _l("Từ chối tiếp nhận"),
    "request_supplement": _l("Yêu cầu bổ sung thông tin"),
    "transfer": _l("Chuyển đơn vị có thẩm quyền"),
    "transfer_out": _l("Chuyển cơ quan ngoài hệ thống"),
    "submit_answer": _l("Trình dự thảo trả lời"),
    "return_draft": _l("Trả lại dự thảo"),
    "approve": _l("Duyệt trả lời"),
    "publish": _l("Công khai trả lời"),
}


def _visible_or_404(user: Any, pk: int) -> Feedback:
    # 404, not 403: an officer who may not see an item must not learn it exists.
    fb = selectors.feedback_visible_to(user).filter(pk=pk).first()
    if fb is None:
        raise Http404
    return fb


@officer_required
def queue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    qs = selectors.feedback_queue(request.user, q=q, status=status, kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    items = selectors.with_deadline_status(list(page.object_list))
    return render(
        request,
        "feedback/queue.html",
        {
            "page": page,
            "items": items,
            "count": page.paginator.count,
            "q": q,
            "status": status,
            "kind": kind,
            "statuses": FeedbackStatus.choices,
            "kinds": FeedbackKind.choices,
            "can_report": bool(user_roles(request.user) & LEADING),
        },
    )


def _action_forms(fb: Feedback, kind: str | None) -> list[dict[str, Any]]:
    result = []
    actions = workflow.allowed_actions(fb.status, kind) if kind else []
    # The main step of the current status first, the exceptional ones after it.
    actions.sort(key=lambda a: a not in PRIMARY_ACTIONS)
    for action in actions:
        form_class = ACTION_FORMS.get(action)
        form = None
        if form_class is not None:
            initial: dict[str, Any] | None = {"kind": fb.kind} if action == "accept" else None
            if action == "submit_answer":
                initial = {
                    "answer": fb.answer,
                    "public_summary": fb.public_summary,
                    "public_answer": fb.public_answer,
                    "is_public": fb.is_public,
                }
            form = form_class(initial=initial, prefix=action)
        result.append(
            {
                "action": action,
                "label": ACTION_LABELS[action],
                "form": form,
                "primary": action in PRIMARY_ACTIONS,
            }
        )
    return result


@officer_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    fb = _visible_or_404(request.user, pk)
    kind = selectors.actor_kind(request.user, fb)
    services.feedback_record_view(feedback=fb, actor=request.user)
    events = list(fb.events.select_related("actor", "unit"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    return render(
        request,
        "feedback/detail.html",
        {
            "fb": fb,
            "deadline": selectors.feedback_deadlines(fb),
            "events": events,
            "actions": _action_forms(fb, kind),
        },
    )


def _officer_by_username(username: str) -> User | None:
    username = (username or "").strip()
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_officer:
        raise ValidationError(_("Không tìm thấy cán bộ có tên đăng nhập này."))
    return user


@officer_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    fb = _visible_or_404(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form_class = ACTION_FORMS[action]
    form = form_class(request.POST, prefix=action) if form_class else None
    user = request.user
    try:
        if form is not None and not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data if form is not None else {}
        if action == "accept":
            services.feedback_accept(
                feedback=fb,
                actor=user,
                kind=data["kind"],
                subject_officer=_officer_by_username(data.get("subject_username", "")),
            )
        elif action == "refuse":
            services.feedback_refuse(feedback=fb, actor=user, reason=data["reason"])
        elif action == "request_supplement":
            services.feedback_request_supplement(feedback=fb, actor=user, request=data["request"])
        elif action == "transfer":
            services.feedback_transfer(
                feedback=fb, actor=user, unit=data["unit"], reason=data["reason"]
            )
        elif action == "transfer_out":
            services.feedback_transfer_out(
                feedback=fb, actor=user, body=data["body"], reason=data.get("reason", "")
            )
        elif action == "submit_answer":
            services.feedback_submit_answer(feedback=fb, actor=user, **data)
        elif action == "return_draft":
            services.feedback_return_draft(feedback=fb, actor=user, reason=data["reason"])
        elif action == "approve":
            services.feedback_approve(feedback=fb, actor=user)
        elif action == "publish":
            services.feedback_publish(feedback=fb, actor=user)
    except (ValidationError, PermissionDenied) as exc:
        text = "; ".join(getattr(exc, "messages", None) or [str(exc) or _("Không được phép.")])
        messages.error(request, text)
        return redirect("feedback:detail", pk=fb.pk)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": ACTION_LABELS[action]})
    if selectors.feedback_visible_to(user).filter(pk=fb.pk).exists():
        return redirect("feedback:detail", pk=fb.pk)
    return redirect("feedback:queue")


@officer_required
def enter(request: HttpRequest) -> HttpResponse:
    """An officer registers feedback received at the counter, by phone or by letter
    (Decree 20/2008 Art. 9(1)). The code and PIN are shown once, for the citizen."""
    from motcua.dossiers.models import Dossier

    form = forms.StaffFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = None
            if data["dossier_code"]:
                dossier = Dossier.objects.filter(code=data["dossier_code"].strip()).first()
                if dossier is None:
                    raise ValidationError(_("Không tìm thấy hồ sơ có mã này."))
            result = services.feedback_submit(
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                channel=data["channel"],
                sender_name=data["sender_name"],
                sender_phone=data["sender_phone"],
                sender_email=data["sender_email"],
                sender_address=data["sender_address"],
                dossier=dossier,
                subject_officer=_officer_by_username(data["subject_username"]),
                unit=data["unit"],
                entered_by=request.user,
                client_ip=client_ip(request) or "",
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            return render(
                request,
                "feedback/entered.html",
                {"fb": result.feedback, "pin": result.pin},
            )
    return render(request, "feedback/enter.html", {"form": form})


def _period(request: HttpRequest) -> tuple[forms.PeriodForm, dt.date, dt.date]:
    today = timezone.localdate()
    default_start = today.replace(day=1)
    form = forms.PeriodForm(request.GET or {"start": default_start, "end": today})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, today


@officer_required
def report(request: HttpRequest) -> HttpResponse:
    """Feedback by unit, type and timeliness — counted only over what the viewer may
    see, so the subject of a complaint cannot count it here either."""
    if not user_roles(request.user) & LEADING:
        raise PermissionDenied
    form, start, end = _period(request)
    rows = selectors.feedback_counts_by_unit(start=start, end=end, user=request.user)
    return render(
        request,
        "feedback/report.html",
        {"form": form, "rows": rows, "kinds": FeedbackKind.choices, "start": start, "end": end},
    )


@officer_required
def ratings(request: HttpRequest) -> HttpResponse:
    if not user_roles(request.user) & LEADING:
        raise PermissionDenied
    form, start, end = _period(request)
    summaries = selectors.rating_summary_for(request.user, start=start, end=end)
    return render(
        request,
        "feedback/ratings.html",
        {
            "form": form,
            "summaries": summaries,
            "levels": RatingLevel.choices,
            "min_group": selectors.MIN_GROUP_SIZE,
        },
    )


@officer_required
def invite(request: HttpRequest) -> HttpResponse:
    """A receptionist opens the rating page of a dossier on the counter's tablet (or
    prints its link as a QR code on Forms 01–03)."""
    from motcua.dossiers.models import Dossier

    form = forms.InvitationForm(request.POST or None)
    link = ""
    if request.method == "POST" and form.is_valid():
        dossier = (
            Dossier.objects.filter(code=form.cleaned_data["dossier_code"].strip())
            .filter(receiving_unit__in=units_visible_to(request.user))
            .first()
        )
        stage = form.cleaned_data["stage"]
        if dossier is None:
            form.add_error("dossier_code", _("Không tìm thấy hồ sơ trong phạm vi của bạn."))
        elif not services.rating_stage_open(dossier, stage):
            form.add_error("stage", _("Hồ sơ chưa đến thời điểm đánh giá này."))
        elif selectors.rating_exists(dossier.pk, stage):
            form.add_error("stage", _("Hồ sơ này đã được đánh giá ở bước này."))
        else:
            token = services.rating_invitation(dossier, stage)
            link = request.build_absolute_uri(reverse("feedback_public:kiosk", args=[token]))
    return render(request, "feedback/invite.html", {"form": form, "link": link})
