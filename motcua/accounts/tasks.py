"""Background tasks of the accounts app (scheduled in motcua/config/schedules.py)."""

from typing import Any

from django.tasks import task

from motcua.accounts.services import login_throttles_purge


@task()
def purge_login_throttles(slot: str = "") -> dict[str, Any]:
    return {"slot": slot, "deleted": login_throttles_purge()}
