"""Satisfaction ratings per dossier and stage (Decree 61/2018 Art. 29–31): one per
stage, aggregates only for officers, "Chưa hài lòng" can become a complaint."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.core.testing.personas import make_citizen
from motcua.dossiers.constants import DossierStatus
from motcua.feedback import selectors, services
from motcua.feedback.constants import RatingStage
from motcua.feedback.models import SatisfactionRating
from tests.feedback.factories import make_dossier


@pytest.fixture
def done(personas, staff):
    return make_dossier(
        applicant=personas.citizen_a,
        unit=personas.unit_x,
        status=DossierStatus.RESULT_RETURNED,
        assignee=staff.specialist_x,
        receptionist=personas.receptionist_x,
    )


def test_applicant_rates_once_per_stage_on_the_portal(personas, done, client_for):
    client = client_for(personas.citizen_a)
    url = reverse("feedback_public:rate", args=[done.pk, RatingStage.RESULT])
    response = client.post(url, {"level": "very_satisfied", "c_dd_attitude": "very_satisfied"})
    assert "Cảm ơn bạn đã đánh giá" in response.content.decode()
    rating = SatisfactionRating.objects.get(dossier=done, stage=RatingStage.RESULT)
    assert rating.criteria == {"dd_attitude": "very_satisfied"}
    assert rating.unit == personas.unit_x and rating.officer is not None
    again = client.post(url, {"level": "unsatisfied", "problem": "x"})
    assert "đã được đánh giá" in again.content.decode()
    assert SatisfactionRating.objects.filter(dossier=done).count() == 1
    # The reception stage is separate.
    client.post(
        reverse("feedback_public:rate", args=[done.pk, RatingStage.RECEPTION]),
        {"level": "satisfied"},
    )
    assert SatisfactionRating.objects.filter(dossier=done).count() == 2


def test_only_the_applicant_and_only_when_the_stage_is_open(personas, staff, done):
    with pytest.raises(PermissionDenied):
        services.rating_submit(
            dossier=done,
            stage="result",
            level="satisfied",
            channel="portal",
            rater=personas.citizen_b,
        )
    running = make_dossier(applicant=personas.citizen_a, unit=personas.unit_x)
    with pytest.raises(ValidationError):
        services.rating_submit(
            dossier=running,
            stage="result",
            level="satisfied",
            channel="portal",
            rater=personas.citizen_a,
        )
    other = Client()
    other.force_login(personas.citizen_b)
    assert other.get(reverse("feedback_public:rate", args=[done.pk, "result"])).status_code == 404


def test_unsatisfied_asks_what_went_wrong_and_can_become_a_hidden_complaint(
    personas, staff, done, client_for
):
    client = client_for(personas.citizen_a)
    url = reverse("feedback_public:rate", args=[done.pk, RatingStage.RESULT])
    missing = client.post(url, {"level": "unsatisfied"})
    assert "điều bạn chưa hài lòng" in missing.content.decode()
    assert not SatisfactionRating.objects.exists()
    client.post(
        url,
        {
            "level": "unsatisfied",
            "c_dd_attitude": "unsatisfied",
            "problem": "Cán bộ thụ lý gợi ý phải có 'chi phí' thì mới xong sớm.",
            "make_complaint": "on",
        },
    )
    rating = SatisfactionRating.objects.get()
    complaint = rating.complaint
    assert complaint is not None and complaint.dossier == done and complaint.kind == "behaviour"
    assert complaint.submitter == personas.citizen_a
    assert not selectors.feedback_visible_to(staff.specialist_x).filter(pk=complaint.pk).exists()
    assert selectors.feedback_visible_to(personas.supervisor).filter(pk=complaint.pk).exists()


def test_kiosk_link_rates_without_login_and_gives_a_code_for_the_complaint(
    personas, done, client_for
):
    officer = client_for(personas.receptionist_x)
    page = officer.post(
        reverse("feedback:invite"), {"dossier_code": done.code, "stage": RatingStage.RECEPTION}
    )
    link = page.context["link"]
    assert link
    kiosk = Client()
    response = kiosk.post(
        link,
        {"level": "unsatisfied", "problem": "Phải chờ quá lâu tại quầy.", "make_complaint": "on"},
    )
    body = response.content.decode()
    rating = SatisfactionRating.objects.get(dossier=done, stage=RatingStage.RECEPTION)
    assert rating.rater is None and rating.channel == "kiosk"
    assert rating.complaint is not None and rating.complaint.code in body
    assert response.context["pin"] in body
    # Used once: the same link now says it was rated.
    assert "đã được đánh giá" in kiosk.get(link).content.decode()
    assert Client().get(link[:-4] + "xyz/").status_code == 404  # tampered token


def _rate_many(personas, staff, n):
    for i in range(n):
        citizen = make_citizen(f"0010900001{i:02d}", f"Người đánh giá {i}")
        d = make_dossier(
            applicant=citizen,
            unit=personas.unit_x,
            status=DossierStatus.RESULT_RETURNED,
            assignee=staff.specialist_x,
        )
        services.rating_submit(
            dossier=d,
            stage="result",
            level="satisfied" if i else "unsatisfied",
            problem="Chậm",
            channel="portal",
            rater=citizen,
        )


def test_officers_see_aggregates_only_and_per_officer_from_five(personas, staff, client_for):
    _rate_many(personas, staff, 4)
    url = reverse("feedback:ratings")
    page = client_for(personas.leader_x).get(url).content.decode()
    assert "Người đánh giá" not in page  # never the rater
    assert staff.specialist_x.full_name not in page  # group of 4: hidden
    _rate_many_more = make_citizen("001090000199", "Người đánh giá cuối")
    d = make_dossier(
        applicant=_rate_many_more,
        unit=personas.unit_x,
        status=DossierStatus.RESULT_RETURNED,
        assignee=staff.specialist_x,
    )
    services.rating_submit(
        dossier=d, stage="result", level="very_satisfied", channel="portal", rater=_rate_many_more
    )
    page = client_for(personas.leader_x).get(url).content.decode()
    assert staff.specialist_x.full_name in page
    assert "Người đánh giá" not in page
    # An ordinary officer has no access to the rating report at all.
    assert client_for(staff.specialist_x).get(url).status_code == 403


def test_rating_counts_per_unit_and_day_for_monitoring(personas, staff):
    _rate_many(personas, staff, 3)
    today = timezone.localdate()
    rows = selectors.rating_counts_by_unit_day(start=today - dt.timedelta(days=1), end=today)
    counts = {(r["unit_id"], r["day"], r["level"]): r["count"] for r in rows}
    assert counts == {
        (personas.unit_x.pk, today, "satisfied"): 2,
        (personas.unit_x.pk, today, "unsatisfied"): 1,
    }


def test_dossiers_with_dislikes_or_feedback_for_kpi_5_4(personas, staff, done):
    liked = make_dossier(
        applicant=personas.citizen_b, unit=personas.unit_x, status=DossierStatus.RESULT_RETURNED
    )
    services.rating_submit(
        dossier=liked, stage="result", level="satisfied", channel="portal", rater=personas.citizen_b
    )
    services.rating_submit(
        dossier=done,
        stage="result",
        level="unsatisfied",
        problem="Trả kết quả muộn",
        channel="portal",
        rater=personas.citizen_a,
    )
    today = timezone.localdate()
    assert selectors.dissatisfied_dossier_ids(start=today, end=today) == {done.pk}
