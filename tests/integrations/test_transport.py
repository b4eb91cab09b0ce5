"""The same delivery over real HTTP (urllib → live server → sandbox portal), and the
management command."""

import pytest
from django.core.management import call_command

from motcua.integrations.models import OutboxMessage, OutboxStatus
from motcua.sandbox_portal.models import ReceivedMessage


@pytest.mark.django_db(transaction=True)
def test_delivery_over_real_http_to_the_sandbox_portal(
    live_server, settings, make_dossier, receive_and_assign
):
    settings.MOTCUA_DVCQG_URL = f"{live_server.url}/sandbox/dvcqg/api/"
    d = receive_and_assign(make_dossier())
    call_command("sync_national_portal", "--once")
    d.refresh_from_db()
    assert list(ReceivedMessage.objects.filter(ma_ho_so=d.code).values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).exists()


@pytest.mark.django_db(transaction=True)
def test_unreachable_portal_is_a_retry_not_a_loss(settings, make_dossier, receive_and_assign):
    settings.MOTCUA_DVCQG_URL = "http://127.0.0.1:9/api/"  # discard port: refused
    receive_and_assign(make_dossier())
    call_command("sync_national_portal", "--once")
    head = OutboxMessage.objects.order_by("seq").first()
    assert head.status == OutboxStatus.PENDING and head.attempts == 1
    assert head.last_error


@pytest.mark.django_db
def test_auto_sync_sends_right_after_the_transition(
    settings, make_dossier, receive_and_assign, django_capture_on_commit_callbacks
):
    settings.MOTCUA_DVCQG_AUTO_SYNC = True  # the task runs at once in tests (ImmediateBackend)
    d = make_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        d = receive_and_assign(d)
    assert ReceivedMessage.objects.filter(ma_ho_so=d.code).count() == 6


def test_inprocess_requests_use_a_host_the_site_accepts(settings):
    """Issue 18: under the demo settings "testserver" is not an allowed host; the
    in-process sandbox delivery must not be refused with DisallowedHost."""
    from motcua.integrations.http import site_host

    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert site_host("testserver") == "127.0.0.1"
    assert site_host("localhost:8000") == "localhost:8000"
    settings.ALLOWED_HOSTS = ["testserver"]
    assert site_host("testserver") == "testserver"


def test_sandbox_delivery_succeeds_with_the_demo_hosts(settings, make_dossier, receive_and_assign):
    from motcua.integrations import delivery, relay
    from motcua.sandbox_portal.models import ReceivedMessage

    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    d = receive_and_assign(make_dossier())
    relay.relay()
    result = delivery.deliver()
    assert result.delivered > 0 and result.dead == 0 and result.failed == 0
    assert ReceivedMessage.objects.filter(ma_ho_so=d.code).exists()
