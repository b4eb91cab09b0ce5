"""Plugin point for external identity providers (OIDC), e.g. VNeID through the national
public-service portal (Decree 69/2024/NĐ-CP: VNeID level-2 accounts carry the citizen's
electronic identity; law.md §12.3).

A provider is a subclass of `IdentityProvider`, listed by dotted path in the setting
`MOTCUA_IDENTITY_PROVIDERS`. The login page shows one button per provider; the views in
accounts/views/external.py create and check the `state` value, and `services.external_login`
links the returned subject to a local account. No real provider ships yet.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.module_loading import import_string


class IdentityError(Exception):
    """The provider refused or could not complete the login; the message is for users."""


@dataclass(frozen=True)
class ExternalIdentity:
    """What a provider tells us about the person who logged in there."""

    subject: str  # stable id of the person at the provider (OIDC `sub`)
    full_name: str = ""
    personal_id: str | None = None  # 12-digit số định danh cá nhân, when released
    phone: str | None = None
    email: str | None = None
    # True when the provider has proofed the identity (e.g. VNeID level 2), so the
    # personal id may be matched to an existing citizen account.
    verified: bool = False
    claims: dict[str, Any] = field(default_factory=dict)


class IdentityProvider(ABC):
    name: ClassVar[str]  # short slug used in URLs and in ExternalAccount.provider
    label: ClassVar[str | Promise]  # button text, e.g. _("Đăng nhập bằng VNeID")

    @abstractmethod
    def authorization_url(self, request: HttpRequest, state: str) -> str:
        """Where to send the browser to log in; the provider must echo `state` back to
        the callback URL (reverse("accounts:external_callback", args=[self.name]))."""

    @abstractmethod
    def complete(self, request: HttpRequest) -> ExternalIdentity:
        """Finish the login on the callback request (exchange the code, check the ID
        token) and return the identity; raise IdentityError on failure."""


@lru_cache(maxsize=1)
def _load() -> dict[str, IdentityProvider]:
    providers: dict[str, IdentityProvider] = {}
    for path in getattr(settings, "MOTCUA_IDENTITY_PROVIDERS", []):
        cls = import_string(path)
        if not (isinstance(cls, type) and issubclass(cls, IdentityProvider)):
            raise ImproperlyConfigured(f"{path} is not an IdentityProvider subclass")
        provider = cls()
        if provider.name in providers:
            raise ImproperlyConfigured(f"Two identity providers are named {provider.name!r}")
        providers[provider.name] = provider
    return providers


def get_providers() -> list[IdentityProvider]:
    return list(_load().values())


def get_provider(name: str) -> IdentityProvider | None:
    return _load().get(name)


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "MOTCUA_IDENTITY_PROVIDERS":
        _load.cache_clear()
