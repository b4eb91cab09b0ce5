"""Anonymous submission from the portal: code + PIN shown once, tracking reveals only
the status and the published answer, rate limits and abuse flags."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from motcua.feedback import services
from motcua.feedback.models import Feedback

CONTENT = "Cán bộ tại quầy yêu cầu tôi nộp thêm giấy xác nhận không có trong quy định."


def _post(client: Client, **extra):
    data = {
        "kind": "behaviour",
        "title": "Bị yêu cầu giấy tờ ngoài quy định",
        "content": CONTENT,
        "sender_name": "",
        **extra,
    }
    return client.post(reverse("feedback_public:submit"), data)


def _submit(client: Client, **extra) -> tuple[Feedback, str]:
    response = _post(client, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    fb = Feedback.objects.latest("pk")
    pin = page.context["pin"]
    assert fb.code in page.content.decode() and pin in page.content.decode()
    return fb, pin


def test_pin_is_shown_once_and_only_its_hash_is_stored(personas):
    client = Client()
    fb, pin = _submit(client)
    assert fb.is_anonymous and fb.submitter is None
    assert pin not in fb.pin_hash
    again = client.get(reverse("feedback_public:submitted"))
    assert again.status_code == 302  # nothing left to show


def test_tracking_reveals_status_and_published_answer_only(personas, staff):
    fb, pin = _submit(Client(), sender_name="Lê Văn Ẩn", sender_phone="0905999888")
    visitor = Client()
    wrong = visitor.post(reverse("feedback_public:track"), {"code": fb.code, "pin": "000000"})
    assert "Mã phản ánh hoặc mã bí mật không đúng" in wrong.content.decode()
    # Without a valid PIN the detail page does not exist for this visitor.
    assert visitor.get(reverse("feedback_public:detail", args=[fb.code])).status_code == 404

    ok = visitor.post(reverse("feedback_public:track"), {"code": fb.code.lower(), "pin": pin})
    assert ok.status_code == 302
    page = visitor.get(ok["Location"]).content.decode()
    assert fb.get_status_display() in page
    for secret in (CONTENT, "Lê Văn Ẩn", "0905999888", fb.handling_unit.name, "Sở X"):
        assert secret not in page

    for step in ("accept", "submit_answer", "approve", "publish"):
        kwargs = (
            {"answer": "Đã kiểm tra và chấn chỉnh cán bộ tiếp nhận."}
            if step == "submit_answer"
            else {}
        )
        fb = getattr(services, f"feedback_{step}")(feedback=fb, actor=personas.supervisor, **kwargs)
    page = visitor.get(reverse("feedback_public:detail", args=[fb.code])).content.decode()
    assert "Đã kiểm tra và chấn chỉnh cán bộ tiếp nhận." in page
    assert CONTENT not in page

    # The verified session opens this item only, not another one.
    other, _pin = _submit(Client())
    assert visitor.get(reverse("feedback_public:detail", args=[other.code])).status_code == 404

    # The anonymous sender rates the answer.
    visitor.post(reverse("feedback_public:act", args=[fb.code, "rate"]), {"verdict": "satisfied"})
    fb.refresh_from_db()
    assert fb.verdict == "satisfied"


def test_anonymous_submissions_are_rate_limited_per_client(personas, settings):
    settings.MOTCUA_FEEDBACK_LIMITS = {"anon_hour": (3, dt.timedelta(hours=1))}
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(3):
        assert _post(client, content=f"{CONTENT} Lần {i}.").status_code == 302
    assert _post(client, content=f"{CONTENT} Lần 4.").status_code == 429
    assert Feedback.objects.count() == 3
    # Another client is not affected.
    assert _post(Client(REMOTE_ADDR="203.0.113.8")).status_code == 302


def test_tracking_lookups_are_rate_limited(personas, settings):
    settings.MOTCUA_FEEDBACK_LIMITS = {"track": (3, dt.timedelta(hours=1))}
    fb, pin = _submit(Client())
    visitor = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(3):
        visitor.post(reverse("feedback_public:track"), {"code": fb.code, "pin": "111111"})
    # Even the right PIN is refused once the limit is reached.
    blocked = visitor.post(reverse("feedback_public:track"), {"code": fb.code, "pin": pin})
    assert blocked.status_code == 429


def test_repeated_text_and_link_spam_are_flagged(personas):
    first, _ = _submit(Client(REMOTE_ADDR="192.0.2.1"))
    second, _ = _submit(Client(REMOTE_ADDR="192.0.2.2"))
    assert "duplicate_text" not in first.flags
    assert "duplicate_text" in second.flags
    links = " ".join(f"http://x{i}.example" for i in range(6))
    spam, _ = _submit(Client(REMOTE_ADDR="192.0.2.3"), content=f"Quảng cáo {links}")
    assert "too_many_links" in spam.flags


def test_honeypot_registers_nothing(personas):
    response = _post(Client(), website="http://bot.example")
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_codes_are_unguessable(personas):
    fb, _ = _submit(Client())
    assert len(fb.code.removeprefix("PA-")) >= 10


@pytest.mark.parametrize(
    "url_name", ["feedback_public:index", "feedback_public:track", "feedback_public:submit"]
)
def test_public_pages_open_without_login(personas, url_name):
    assert Client().get(reverse(url_name)).status_code == 200
