"""`motcua admin_create <username> --unit <code> --full-name "…"`: the first administrator
of a new installation (docs/operations/deploy.md step 6). The password is asked twice on
the terminal, or read from standard input with --password-stdin (for scripts); it must
pass the password validators. The administrator then creates the other staff accounts and
roles in the back office and enrols an authenticator app at the first login."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.services import assignment_create


class Command(BaseCommand):
    help = "Creates an administrator account assigned to a unit (the first one of a province)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="code of the unit administered")
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"an account named {username!r} already exists")
        unit = OrgUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit with code {options['unit']!r} (motcua org_import first)")
        password = self._password(options["password_stdin"])
        user = User(username=username, kind=AccountKind.STAFF, full_name=options["full_name"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        with transaction.atomic():
            user = User.objects.create_user(
                username,
                password,
                kind=AccountKind.STAFF,
                full_name=options["full_name"].strip(),
                email=options["email"].strip(),
            )
            assignment_create(
                user=user,
                unit=unit,
                role=Role.ADMINISTRATOR,
                valid_from=timezone.localdate(),
            )
            audit_record(
                action="accounts.admin_created",
                obj=user,
                unit_code=unit.code,
                role=Role.ADMINISTRATOR,
                after={"username": username, "unit": unit.code, "via": "admin_create"},
            )
        self.stdout.write(
            f"Administrator {username} created for {unit.code} {unit.name}. "
            "Log in at /tai-khoan/dang-nhap/ and enrol an authenticator app."
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("the two passwords differ")
        if not password:
            raise CommandError("empty password")
        return password
