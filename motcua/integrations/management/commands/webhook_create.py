"""motcua webhook_create NAME URL [--action receive --action ...] [--unit CODE ...]"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.integrations.models import WebhookEndpoint
from motcua.org.models import OrgUnit


class Command(BaseCommand):
    help = "Register a webhook endpoint for dossier events; prints its signing secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("url")
        parser.add_argument("--action", action="append", default=[], help="workflow action")
        parser.add_argument("--unit", action="append", default=[], help="unit code (subtree)")

    def handle(self, *args: Any, **opts: Any) -> None:
        units = list(OrgUnit.objects.filter(code__in=opts["unit"]))
        if len(units) != len(set(opts["unit"])):
            raise CommandError("unknown unit code")
        secret = secrets.token_urlsafe(32)
        ep = WebhookEndpoint.objects.create(
            name=opts["name"], url=opts["url"], secret=secret, actions=opts["action"]
        )
        ep.units.set(units)
        self.stdout.write(f"webhook {ep.name} → {ep.url}\nsecret: {secret}")
