from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from motcua.accounts.models import User


def normalise_identifier(identifier: str) -> str:
    return "".join(identifier.split())


class IdentifierBackend(ModelBackend):
    """Authenticate with username, 12-digit personal id, phone number or tax code."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        ident = normalise_identifier(username)
        user = (
            User.objects.filter(
                Q(username=ident) | Q(personal_id=ident) | Q(phone=ident) | Q(tax_code=ident)
            )
            .order_by("id")
            .first()
        )
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
