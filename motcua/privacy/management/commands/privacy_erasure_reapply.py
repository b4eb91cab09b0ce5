"""Re-apply an erasure after restoring a backup taken before it was executed:
`motcua privacy_erasure_reapply --user-id 42 --actor quantri --reference 17`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.privacy.services import erasure_reapply


class Command(BaseCommand):
    help = "Execute again an erasure request that a restored backup predates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user-id", type=int, required=True, help="the data subject's id")
        parser.add_argument("--actor", required=True, help="username of an administrator")
        parser.add_argument("--reference", required=True, help="the earlier request's number")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            subject = User.objects.get(pk=options["user_id"])
            actor = User.objects.get(username=options["actor"])
        except User.DoesNotExist as exc:
            raise CommandError("unknown user") from exc
        try:
            req = erasure_reapply(subject=subject, actor=actor, reference=options["reference"])
        except PermissionDenied as exc:
            raise CommandError("the actor is not an administrator") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"executed request #{req.pk}: {req.report}")
