"""Background tasks of the catalogue (scheduled in motcua/config/schedules.py)."""

from typing import Any

from django.tasks import task

from motcua.catalog.services import catalog_retire_expired


@task()
def retire_expired_versions(slot: str = "") -> dict[str, Any]:
    """Safe to run late or twice: it only flips statuses whose end date has passed."""
    return {"slot": slot, "retired": catalog_retire_expired()}
