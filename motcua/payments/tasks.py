"""Background and periodic tasks (django.tasks). Add to motcua/config/schedules.py:

("payments-expire", "every 5 minutes", "motcua.payments.tasks.expire_stale"),
("payments-reconcile", "daily at 03:00", "motcua.payments.tasks.reconcile_daily"),
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.tasks import task


@task()
def receipt_render(receipt_id: int) -> int:
    from motcua.payments.models import Receipt
    from motcua.payments.receipts import receipt_ensure_pdf

    receipt = Receipt.objects.get(pk=receipt_id)
    return int(receipt_ensure_pdf(receipt=receipt).pk)


@task()
def expire_stale(slot: str = "") -> dict[str, Any]:
    from motcua.payments.services import attempts_expire_stale

    return {"checked": attempts_expire_stale()}


@task()
def reconcile_daily(slot: str = "") -> dict[str, Any]:
    from django.utils import timezone

    from motcua.payments.reconciliation import reconcile_daily as run

    moment = dt.datetime.fromisoformat(slot) if slot else timezone.now()
    day = timezone.localdate(moment) - dt.timedelta(days=1)
    return {"runs": [r.pk for r in run(day=day)]}
