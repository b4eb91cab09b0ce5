"""Labels and colours of the derived deadline status (R16), in one map: templates use
`level` as the CSS class suffix (badge level-green/yellow/red/grey) and never hard-code
a colour."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.workdays.calendar import Status

STATUS_DISPLAY: dict[str, tuple[str | Promise, str]] = {
    Status.WITHIN: (_("Trong hạn"), "green"),
    Status.DUE_SOON: (_("Sắp đến hạn (còn không quá 1 ngày làm việc)"), "yellow"),
    Status.OVERDUE: (_("Quá hạn"), "red"),
    Status.PAUSED: (_("Tạm dừng — chờ bổ sung"), "grey"),
}


def status_label(status: str) -> str | Promise:
    return STATUS_DISPLAY[status][0]


def status_level(status: str) -> str:
    return STATUS_DISPLAY[status][1]
