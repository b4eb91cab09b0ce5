"""Cash at the counter: the receptionist records the payment and a receipt is issued
at once (Decree 61/2018 Art. 22: direct payment to the authority)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.payments.providers.base import PaymentProvider


class CashAtCounter(PaymentProvider):
    code = "cash"
    label = _("Tiền mặt tại Bộ phận Một cửa")
    online = False
    citizen_selectable = False
