"""Create an API client and print its bearer token once (only a hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.api.services import api_client_create


class Command(BaseCommand):
    help = "Create an API client: motcua api_client_create NAME --scopes a,b"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--scopes", default="", help="Comma-separated scopes, e.g. dossiers:read,reports:read"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            client, token = api_client_create(name=options["name"], scopes=scopes)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created API client {client.name!r} with scopes: {', '.join(client.scopes) or '-'}"
        )
        self.stdout.write("Token (shown only once, store it securely):")
        self.stdout.write(token)
