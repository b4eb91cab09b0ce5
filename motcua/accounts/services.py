"""Account writes: login with lockout, registration, profile changes, external identity
links. Each public function is one unit of work that records an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts import conf, selectors
from motcua.accounts.backends import normalise_identifier
from motcua.accounts.constants import AccountKind
from motcua.accounts.lockout import (
    ThrottlePolicy,
    ThrottleState,
    is_locked,
    latest_lock,
    register_failure,
)
from motcua.accounts.models import ExternalAccount, LoginThrottle, ThrottleScope, User
from motcua.core.audit import audit_record
from motcua.core.middleware import client_ip

PROFILE_FIELDS = ("phone", "email", "address")


# --- Login and lockout -----------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None = None
    locked_until: dt.datetime | None = None  # set when refused, or when this failure locked

    @property
    def ok(self) -> bool:
        return self.user is not None


def mask_identifier(identifier: str) -> str:
    """Enough to recognise one's own identifier in a log, not enough to reuse it."""
    ident = normalise_identifier(identifier)
    if len(ident) <= 4:
        return "*" * len(ident)
    return f"{ident[:2]}{'*' * (len(ident) - 4)}{ident[-2:]}"


def _account_key(identifier: str, user: User | None) -> str:
    if user is not None:
        return f"u{user.pk}"
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        normalise_identifier(identifier).lower().encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"h{digest[:60]}"


def _state(row: LoginThrottle | None) -> ThrottleState:
    if row is None:
        return ThrottleState()
    return ThrottleState(row.failures, row.window_started_at, row.locked_until)


def _ip_throttled(ip: str | None) -> bool:
    return bool(ip) and conf.ip_policy().max_failures > 0  # 0 switches it off


def _throttle_keys(
    identifier: str, user: User | None, ip: str | None, *, with_ip: bool = True
) -> list[tuple[str, str]]:
    keys = [(ThrottleScope.ACCOUNT.value, _account_key(identifier, user))]
    if with_ip and ip and _ip_throttled(ip):
        keys.append((ThrottleScope.IP.value, ip))
    return keys


def _policy(scope: str) -> ThrottlePolicy:
    return conf.ip_policy() if scope == ThrottleScope.IP else conf.account_policy()


def login_lock_status(
    *, identifier: str, ip: str | None, now: dt.datetime, with_ip: bool = True
) -> dt.datetime | None:
    """When the lock on this identifier (or on this client IP) ends; None if not locked."""
    user = selectors.user_by_identifier(identifier)
    states = []
    for scope, key in _throttle_keys(identifier, user, ip, with_ip=with_ip):
        row = LoginThrottle.objects.filter(scope=scope, key=key).first()
        states.append(_state(row))
    return latest_lock(states, now)


def _audit_lockout(scope: str, identifier: str, user: User | None, after: ThrottleState) -> None:
    audit_record(
        action="accounts.login_lockout",
        actor=None,
        obj=user,
        after={
            "scope": scope,
            "identifier": mask_identifier(identifier),
            "failures": after.failures,
            "locked_until": after.locked_until,
        },
    )


def _register_failure(
    identifier: str, user: User | None, ip: str | None, now: dt.datetime, *, with_ip: bool = True
) -> dt.datetime | None:
    """Count one failure on every key; return the end of a lock this failure caused."""
    new_locks: list[dt.datetime] = []
    for scope, key in _throttle_keys(identifier, user, ip, with_ip=with_ip):
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key
        )
        before = _state(row)
        after = register_failure(before, now, _policy(scope))
        row.failures = after.failures
        row.window_started_at = after.window_started_at
        row.locked_until = after.locked_until
        row.save()
        if is_locked(after, now) and not is_locked(before, now):
            assert after.locked_until is not None
            new_locks.append(after.locked_until)
            _audit_lockout(scope, identifier, user, after)
    return max(new_locks) if new_locks else None


@dataclass(frozen=True)
class _IpCharge:
    """One login attempt counted in advance against the client IP (issue 20): the
    per-IP counter is charged under its row lock before the password is checked, so
    parallel guesses from one address spread over many accounts cannot pass the limit;
    the charge is given back when the attempt turns out not to be a failure."""

    ip: str
    refused_until: dt.datetime | None = None  # the address was already locked
    lock: ThrottleState | None = None  # the counter, when this charge locked the address

    @property
    def locked_until(self) -> dt.datetime | None:
        return self.lock.locked_until if self.lock is not None else None


def _ip_attempt_reserve(ip: str | None, now: dt.datetime) -> _IpCharge | None:
    if not ip or not _ip_throttled(ip):
        return None
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            scope=ThrottleScope.IP, key=ip
        )
        before = _state(row)
        if is_locked(before, now):
            return _IpCharge(ip=ip, refused_until=before.locked_until)
        after = register_failure(before, now, _policy(ThrottleScope.IP))
        row.failures = after.failures
        row.window_started_at = after.window_started_at
        row.locked_until = after.locked_until
        row.save()
    return _IpCharge(ip=ip, lock=after if is_locked(after, now) else None)


def _ip_attempt_refund(charge: _IpCharge) -> None:
    """Give back a charge whose attempt was not a failed password."""
    with transaction.atomic():
        row = LoginThrottle.objects.select_for_update().filter(
            scope=ThrottleScope.IP, key=charge.ip
        )
        throttle = row.first()
        if throttle is None:
            return
        throttle.failures = max(0, throttle.failures - 1)
        if charge.locked_until is not None and throttle.locked_until == charge.locked_until:
            throttle.locked_until = None  # the lock was set by this very attempt
        throttle.save()


def login_authenticate(*, request: HttpRequest, identifier: str, password: str) -> LoginOutcome:
    """Check the lockout, then the password. The password itself is never stored or
    audited. A successful login clears the account's failure counter (not the IP's, so
    that one valid account cannot be used to reset a per-IP throttle)."""
    now = timezone.now()
    ip = client_ip(request)
    user = selectors.user_by_identifier(identifier)
    charge = _ip_attempt_reserve(ip, now)
    if charge is not None and charge.refused_until is not None:
        return _login_refused(identifier, user, charge.refused_until)
    with transaction.atomic():
        # One attempt per account at a time: the account's counter row is locked from
        # the lockout check to the failure count, so parallel guesses cannot pass the
        # limit (issue 20). Different accounts do not wait for each other; the per-IP
        # counter was charged above, in its own short transaction.
        LoginThrottle.objects.select_for_update().get_or_create(
            scope=ThrottleScope.ACCOUNT, key=_account_key(identifier, user)
        )
        outcome, failed = _login_locked(request, identifier, password, user, ip, now, charge)
    if charge is not None and not failed:
        _ip_attempt_refund(charge)
    return outcome


def _login_refused(identifier: str, user: User | None, locked_until: dt.datetime) -> LoginOutcome:
    with transaction.atomic():
        audit_record(
            action="accounts.login_refused_locked",
            actor=None,
            obj=user,
            after={"identifier": mask_identifier(identifier), "locked_until": locked_until},
        )
    return LoginOutcome(locked_until=locked_until)


def _login_locked(
    request: HttpRequest,
    identifier: str,
    password: str,
    user: User | None,
    ip: str | None,
    now: dt.datetime,
    charge: _IpCharge | None,
) -> tuple[LoginOutcome, bool]:
    """The outcome, and whether it was a failed password (which keeps the IP charge)."""
    masked = mask_identifier(identifier)
    with_ip = charge is None  # a charged IP was checked and counted by the reservation

    locked_until = login_lock_status(identifier=identifier, ip=ip, now=now, with_ip=with_ip)
    if locked_until is not None:
        return _login_refused(identifier, user, locked_until), False

    authenticated = authenticate(request, username=identifier, password=password)
    if not isinstance(authenticated, User):
        with transaction.atomic():
            new_lock = _register_failure(identifier, user, ip, now, with_ip=with_ip)
            if charge is not None and charge.lock is not None:
                _audit_lockout(ThrottleScope.IP.value, identifier, user, charge.lock)
                new_lock = max(filter(None, (new_lock, charge.lock.locked_until)))
            audit_record(
                action="accounts.login_failed",
                actor=None,
                obj=user,
                after={"identifier": masked, "known_account": user is not None},
            )
        return LoginOutcome(locked_until=new_lock), True

    with transaction.atomic():
        LoginThrottle.objects.filter(
            scope=ThrottleScope.ACCOUNT, key=_account_key(identifier, authenticated)
        ).delete()
        audit_record(
            action="accounts.login",
            actor=authenticated,
            obj=authenticated,
            after={"identifier": masked, "method": "password"},
        )
    return LoginOutcome(user=authenticated), False


def logout_record(*, user: User) -> None:
    with transaction.atomic():
        audit_record(action="accounts.logout", actor=user, obj=user)


# --- Registration ------------------------------------------------------------------


def _create_account(
    *, username: str, password: str, audit_after: dict[str, Any], **fields: Any
) -> User:
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, password, **fields)
            audit_record(action="accounts.registered", actor=user, obj=user, after=audit_after)
    except IntegrityError as exc:
        # Lost a race with another registration using the same identifier.
        from motcua.accounts.forms import SIGNUP_REFUSED

        raise ValidationError(SIGNUP_REFUSED) from exc
    return user


# Sign-up attempts per client IP (issue 20): counted before any check of the identifiers,
# so the form cannot be used to probe which personal ids or phones have an account.
SIGNUP_LIMIT = 10
SIGNUP_WINDOW = dt.timedelta(hours=1)


class SignupThrottled(Exception):
    """Too many sign-up attempts from this client; try again later."""


def signup_attempt(*, ip: str | None, now: dt.datetime | None = None) -> None:
    """Count one sign-up attempt of this client (atomic: the counter row is locked);
    SignupThrottled past SIGNUP_LIMIT in SIGNUP_WINDOW."""
    now = now or timezone.now()
    key = f"signup:{ip or '-'}"[:64]
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            scope=ThrottleScope.IP, key=key, defaults={"window_started_at": now}
        )
        if row.window_started_at is None or now - row.window_started_at >= SIGNUP_WINDOW:
            row.window_started_at, row.failures = now, 0
        if row.failures >= SIGNUP_LIMIT:
            raise SignupThrottled
        row.failures += 1
        row.save(update_fields=["window_started_at", "failures", "updated_at"])


def citizen_register(
    *,
    full_name: str,
    personal_id: str,
    phone: str,
    password: str,
    email: str = "",
) -> User:
    """A citizen account; the login name is the 12-digit personal identification number."""
    return _create_account(
        username=personal_id,
        password=password,
        kind=AccountKind.CITIZEN,
        full_name=full_name,
        personal_id=personal_id,
        phone=phone or None,
        email=email,
        audit_after={
            "kind": AccountKind.CITIZEN,
            "personal_id": mask_identifier(personal_id),
            "phone": mask_identifier(phone),
            "declaration_accepted": True,
        },
    )


def business_register(
    *,
    company_name: str,
    tax_code: str,
    representative_name: str,
    representative_position: str,
    phone: str,
    password: str,
    email: str = "",
) -> User:
    """A business account; the login name is the tax code."""
    return _create_account(
        username=tax_code,
        password=password,
        kind=AccountKind.BUSINESS,
        full_name=company_name,
        tax_code=tax_code,
        representative_name=representative_name,
        representative_position=representative_position,
        phone=phone or None,
        email=email,
        audit_after={
            "kind": AccountKind.BUSINESS,
            "tax_code": tax_code,
            "representative_name": representative_name,
            "declaration_accepted": True,
        },
    )


# --- Profile -------------------------------------------------------------------------


def profile_update(*, user: User, phone: str, email: str, address: str) -> User:
    if phone and selectors.identifier_taken(phone, exclude=user):
        raise ValidationError({"phone": _("Số điện thoại này đã được dùng cho tài khoản khác.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {f: getattr(locked, f) for f in PROFILE_FIELDS}
        locked.phone = phone or None
        locked.email = email
        locked.address = address
        locked.full_clean(exclude=["password"])
        locked.save(update_fields=[*PROFILE_FIELDS])
        after = {f: getattr(locked, f) for f in PROFILE_FIELDS}
        if before != after:
            audit_record(
                action="accounts.profile_updated",
                actor=user,
                obj=locked,
                before=before,
                after=after,
            )
    return locked


def session_expired_record(*, user: User, reason: str) -> None:
    """An idle or absolute session timeout ended this user's session."""
    with transaction.atomic():
        audit_record(
            action="accounts.session_expired", actor=user, obj=user, after={"reason": reason}
        )


def password_changed_record(*, user: User, via_reset: bool) -> None:
    with transaction.atomic():
        audit_record(
            action="accounts.password_reset" if via_reset else "accounts.password_changed",
            actor=user,
            obj=user,
        )
        # A new password ends any lockout of the account.
        LoginThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=f"u{user.pk}").delete()


def password_reset_requested_record(*, email: str) -> None:
    with transaction.atomic():
        audit_record(
            action="accounts.password_reset_requested",
            actor=None,
            after={"email": mask_identifier(email)},
        )


# --- External identity (OIDC providers, accounts/identity.py) ------------------------


def external_login(*, provider: str, identity: Any) -> User:
    """Resolve an external identity to a local account: an existing link; else, when the
    provider vouches for the personal id (VNeID level 2), the citizen account with that
    id; else a new citizen account without a usable password."""
    now = timezone.now()
    with transaction.atomic():
        link = (
            ExternalAccount.objects.select_for_update()
            .select_related("user")
            .filter(provider=provider, subject=identity.subject)
            .first()
        )
        if link is not None:
            link.last_login_at = now
            link.save(update_fields=["last_login_at"])
            user = link.user
        else:
            user = _external_account_user(provider, identity)
            ExternalAccount.objects.create(
                user=user, provider=provider, subject=identity.subject, last_login_at=now
            )
            audit_record(
                action="accounts.external_linked",
                actor=user,
                obj=user,
                after={"provider": provider, "verified": identity.verified},
            )
        audit_record(
            action="accounts.login",
            actor=user,
            obj=user,
            after={"method": "external", "provider": provider},
        )
    return user


def citizen_for_verified_identity(*, provider: str, identity: Any) -> User:
    """The citizen account of a person whose identity another system has proofed (the
    national portal's dossiers are filed after a VNeID level-2 login, Decree 118/2025
    Art. 17(1)(a)): the account with that personal id, else a new one without a
    usable password — the citizen signs in later with VNeID and is linked by the same
    personal id (external_login). Staff accounts are never used."""
    with transaction.atomic():
        return _external_account_user(provider, identity)


def _external_account_user(provider: str, identity: Any) -> User:
    personal_id = identity.personal_id or None
    if identity.verified and personal_id:
        existing = User.objects.filter(personal_id=personal_id).first()
        if existing is not None:
            if existing.kind == AccountKind.STAFF:
                # Staff accounts are never taken over by a citizen identity.
                raise ValidationError(_("Không thể liên kết định danh này với tài khoản cán bộ."))
            return existing
    else:
        personal_id = None  # an unverified claim must not occupy someone's id
    phone = (
        identity.phone
        if identity.phone and not selectors.identifier_taken(identity.phone)
        else None
    )
    username = personal_id or f"{provider}-{identity.subject}"[:150]
    user = User(
        username=username,
        kind=AccountKind.CITIZEN,
        full_name=identity.full_name or username,
        personal_id=personal_id,
        phone=phone,
        email=identity.email or "",
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        action="accounts.registered",
        actor=user,
        obj=user,
        after={"kind": AccountKind.CITIZEN, "provider": provider},
    )
    return user


def login_throttles_purge(*, now: dt.datetime | None = None) -> int:
    """Delete counters whose window and lock are both over (run daily by the scheduler)."""
    now = now or timezone.now()
    window = max(conf.account_policy().window, conf.ip_policy().window)
    stale = LoginThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        window_started_at__lt=now - window,
    )
    deleted, _details = stale.delete()
    return deleted


# --- Hand-over of an account created by an officer ------------------------------------

# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
ACTIVATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACTIVATION_LENGTH = 8


def _activation_hash(code: str) -> str:
    normal = "".join(c for c in code.upper() if c.isalnum())
    return hmac.new(
        settings.SECRET_KEY.encode(), f"activation:{normal}".encode(), hashlib.sha256
    ).hexdigest()


def activation_issue(*, user: User, actor: Any, now: dt.datetime | None = None) -> tuple[str, Any]:
    """A new one-time activation code for an account created for a citizen by an
    officer (at the counter), valid MOTCUA_ACTIVATION_TTL_HOURS (default 72); earlier
    unused codes of the account are revoked. Sent by SMS/e-mail through the citizen's
    notification channels; returns (code, activation); Form 01 prints it."""
    import secrets

    from motcua.accounts.models import AccountActivation

    now = now or timezone.now()
    ttl = dt.timedelta(hours=int(getattr(settings, "MOTCUA_ACTIVATION_TTL_HOURS", 72)))
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_LENGTH))
    with transaction.atomic():
        AccountActivation.objects.filter(
            user=user, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now, code="")
        activation = AccountActivation.objects.create(
            user=user,
            code_hash=_activation_hash(code),
            code=code,
            issued_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            expires_at=now + ttl,
        )
        audit_record(
            action="accounts.activation_issued",
            actor=actor,
            obj=user,
            after={"expires_at": activation.expires_at},
        )

        def send() -> None:
            from django.urls import reverse

            from motcua.notifications.services import notify

            notify(
                recipient=user,
                event="account_activation",
                context={"code": code, "expires_at": activation.expires_at},
                url=reverse("accounts:activate"),
                now=now,
            )

        transaction.on_commit(send)
    return code, activation


def activation_claim(
    *, personal_id: str, code: str, password: str, ip: str | None, now: dt.datetime | None = None
) -> User:
    """Claim an account with its activation code and choose the password. Wrong codes
    count as failed logins of the identifier and the client IP (same lockout); a code
    works once and only until it expires. Audited either way."""
    from motcua.accounts.models import AccountActivation
    from motcua.accounts.passwords import validate_password

    now = now or timezone.now()
    user = selectors.user_by_identifier(personal_id)
    masked = mask_identifier(personal_id)
    locked_until = login_lock_status(identifier=personal_id, ip=ip, now=now)
    if locked_until is not None:
        raise ValidationError(
            _("Nhập sai quá nhiều lần. Vui lòng thử lại sau %(time)s.")
            % {"time": timezone.localtime(locked_until).strftime("%H:%M %d/%m/%Y")}
        )
    with transaction.atomic():
        activation = (
            AccountActivation.objects.select_for_update()
            .filter(
                user=user,
                code_hash=_activation_hash(code),
                used_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            )
            .first()
            if user is not None
            else None
        )
        if activation is None:
            _register_failure(personal_id, user, ip, now)
            audit_record(
                action="accounts.activation_failed",
                actor=None,
                obj=user,
                after={"identifier": masked},
            )
    if activation is None or user is None:
        raise ValidationError(
            _(
                "Mã kích hoạt không đúng, đã dùng hoặc đã hết hạn. "
                "Đề nghị cán bộ tiếp nhận cấp mã mới."
            )
        )
    validate_password(password, user)
    with transaction.atomic():
        claimed = AccountActivation.objects.filter(pk=activation.pk, used_at__isnull=True).update(
            used_at=now, code=""
        )
        if not claimed:  # claimed by a concurrent request meanwhile
            raise ValidationError(_("Mã kích hoạt đã được dùng."))
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        LoginThrottle.objects.filter(
            scope=ThrottleScope.ACCOUNT, key=_account_key(personal_id, locked)
        ).delete()
        audit_record(action="accounts.activation_claimed", actor=locked, obj=locked)
    return locked
