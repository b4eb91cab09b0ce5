"""Deployment checks (`motcua check --deploy`): never run the gateway with the demo
secret, nor serve the sandbox bank page outside demo mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from motcua.payments import conf


@register(Tags.security, deploy=True)
def paygate_secret_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    demo = bool(getattr(settings, "MOTCUA_DEMO", False))
    if demo:
        return errors
    if "sandbox_gateway" in conf.get("MOTCUA_PAYMENT_PROVIDERS") and (
        conf.get("MOTCUA_PAYGATE_SECRET") in (conf.DEMO_PAYGATE_SECRET, "")
    ):
        errors.append(
            Error(
                "MOTCUA_PAYGATE_SECRET is empty or the demo value.",
                hint="Set MOTCUA_PAYGATE_SECRET to the secret agreed with the gateway.",
                id="payments.E001",
            )
        )
    if conf.get("MOTCUA_PAYGATE_SANDBOX"):
        errors.append(
            Error(
                "The sandbox bank page is enabled outside demo mode.",
                hint="Unset MOTCUA_PAYGATE_SANDBOX in production.",
                id="payments.E002",
            )
        )
    return errors
