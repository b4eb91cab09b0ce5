import datetime as dt

import pytest
from django.test import Client, override_settings

from motcua.accounts.lockout import ThrottlePolicy, ThrottleState, is_locked, register_failure
from motcua.core.models import AuditEntry
from tests.accounts.conftest import post_login

pytestmark = pytest.mark.django_db

MAX = 3


def fail(client, identifier="001090000001", times=1):
    for _ in range(times):
        response = post_login(client, identifier, "Sai-mat-khau-1")
    return response


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX, MOTCUA_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_n_failures_refuses_even_the_right_password(personas, client):
    fail(client, times=MAX - 1)
    response = fail(client)  # the N-th failure locks
    assert "tạm thời không thể đăng nhập" in response.content.decode()
    response = post_login(client, "001090000001")  # correct password
    html = response.content.decode()
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "tạm thời không thể đăng nhập" in html
    assert "Vui lòng thử lại sau" in html
    assert "phút nữa" in html
    assert AuditEntry.objects.filter(action="accounts.login_lockout").count() == 1
    assert AuditEntry.objects.filter(action="accounts.login_refused_locked").count() == 1


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX)
def test_lockout_covers_every_identifier_of_the_account(personas, client):
    fail(client, "001090000001", times=MAX)
    response = post_login(client, "0905000001")  # same citizen, by phone
    assert response.status_code == 400
    assert "tạm thời không thể đăng nhập" in response.content.decode()


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX)
def test_lockout_of_one_account_does_not_block_another(personas, client):
    fail(client, "001090000001", times=MAX)
    assert post_login(Client(REMOTE_ADDR="10.0.0.9"), "001090000002").status_code == 302


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX, MOTCUA_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_expires(personas, client, clock):
    fail(client, times=MAX)
    clock.advance(minutes=14)
    assert post_login(client, "001090000001").status_code == 400
    clock.advance(minutes=1, seconds=1)
    response = post_login(client, "001090000001")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.citizen_a.pk)


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX, MOTCUA_LOGIN_FAILURE_WINDOW_MINUTES=10)
def test_failures_outside_the_window_do_not_add_up(personas, client, clock):
    fail(client, times=MAX - 1)
    clock.advance(minutes=11)
    fail(client, times=MAX - 1)
    assert post_login(client, "001090000001").status_code == 302


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX)
def test_successful_login_resets_the_counter(personas, client):
    fail(client, times=MAX - 1)
    assert post_login(client, "001090000001").status_code == 302
    other = Client()
    fail(other, times=MAX - 1)
    assert post_login(other, "001090000001").status_code == 302


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX, MOTCUA_LOGIN_MAX_FAILURES_PER_IP=5)
def test_per_ip_throttle_blocks_spraying_many_identifiers(personas):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    # Spraying different identifiers stays under the per-account threshold...
    for n in range(5):
        fail(attacker, f"00109999000{n}")
    # ...but the address is now refused, even for a real account with its password.
    response = post_login(attacker, "001090000002")
    assert response.status_code == 400
    assert "tạm thời không thể đăng nhập" in response.content.decode()
    # The same account from another address is fine.
    assert post_login(Client(REMOTE_ADDR="198.51.100.1"), "001090000002").status_code == 302
    lock = AuditEntry.objects.get(action="accounts.login_lockout")
    assert lock.after["scope"] == "ip"


def test_ip_threshold_is_higher_than_the_account_threshold(settings):
    from motcua.accounts import conf

    assert conf.ip_policy().max_failures > conf.account_policy().max_failures


# --- pure rules -------------------------------------------------------------------

T0 = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
POLICY = ThrottlePolicy(
    max_failures=3, window=dt.timedelta(minutes=15), lockout=dt.timedelta(minutes=15)
)


def test_rule_third_failure_locks_for_the_lockout_period():
    state = ThrottleState()
    for i in range(3):
        state = register_failure(state, T0 + dt.timedelta(minutes=i), POLICY)
    assert state.locked_until == T0 + dt.timedelta(minutes=2 + 15)
    assert is_locked(state, T0 + dt.timedelta(minutes=16))
    assert not is_locked(state, T0 + dt.timedelta(minutes=17))


def test_rule_failures_while_locked_do_not_extend_the_lock():
    state = ThrottleState()
    for _ in range(3):
        state = register_failure(state, T0, POLICY)
    again = register_failure(state, T0 + dt.timedelta(minutes=5), POLICY)
    assert again == state


def test_rule_failure_after_lock_expiry_starts_a_new_window():
    state = ThrottleState()
    for _ in range(3):
        state = register_failure(state, T0, POLICY)
    later = register_failure(state, T0 + dt.timedelta(minutes=20), POLICY)
    assert later.failures == 1
    assert later.locked_until is None


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX, MOTCUA_LOGIN_MAX_FAILURES_PER_IP=0)
def test_per_ip_throttle_can_be_switched_off(personas):
    shared = Client(REMOTE_ADDR="10.1.1.1")  # e.g. a proxy whose address all users share
    for n in range(30):
        fail(shared, f"00109999{n:04d}")
    assert post_login(shared, "001090000002").status_code == 302


@override_settings(MOTCUA_LOGIN_MAX_FAILURES=MAX, MOTCUA_LOGIN_LOCKOUT_MINUTES=15)
def test_purge_removes_only_expired_counters(personas, clock):
    from motcua.accounts.models import LoginThrottle
    from motcua.accounts.services import login_throttles_purge

    fail(Client(REMOTE_ADDR="10.0.0.1"), "001090000001", times=MAX)  # locked
    clock.advance(minutes=10)
    fail(Client(REMOTE_ADDR="10.0.0.2"), "001090000002")  # fresh counter
    assert login_throttles_purge() == 0
    clock.advance(minutes=10)  # first lock over, its window too; the second still open
    assert login_throttles_purge() == 2  # account + IP rows of the first client
    assert LoginThrottle.objects.count() == 2
