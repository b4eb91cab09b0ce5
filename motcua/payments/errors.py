from __future__ import annotations


class PaymentError(Exception):
    """A business rule refused the operation; the message is for the user."""


class NotAllowed(PaymentError):
    pass
