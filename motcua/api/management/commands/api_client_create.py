"""Create an API client and print its bearer token once (only a hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.api.services import api_client_create, resolve_acting_user, resolve_units


class Command(BaseCommand):
    help = (
        "Create an API client: motcua api_client_create NAME --scopes a,b [--units X,Y] "
        "[--acting-user USERNAME]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--scopes", default="", help="Comma-separated scopes, e.g. dossiers:read,reports:read"
        )
        parser.add_argument(
            "--units",
            default="",
            help="Comma-separated unit codes the client is bound to (and their descendants); "
            "empty: province-wide",
        )
        parser.add_argument("--rate-limit", type=int, default=None, help="calls per window")
        parser.add_argument(
            "--acting-user",
            default="",
            help="Username of the officer account on whose behalf the client changes dossier "
            "status (its roles in units decide the permitted actions); needed for "
            "dossiers:write",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            units = resolve_units(options["units"].split(","))
            acting_user = resolve_acting_user(options["acting_user"])
            client, token = api_client_create(
                name=options["name"],
                scopes=scopes,
                units=units,
                rate_limit=options["rate_limit"],
                acting_user=acting_user,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created API client {client.name!r} with scopes: {', '.join(client.scopes) or '-'}; "
            f"units: {', '.join(u.code for u in units) or 'all'}; "
            f"acting user: {acting_user.get_username() if acting_user else '-'}"
        )
        self.stdout.write("Token (shown only once, store it securely):")
        self.stdout.write(token)
