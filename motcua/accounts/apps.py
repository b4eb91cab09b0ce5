from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from motcua.accounts import (
            identity,  # noqa: F401  (registers the settings hook)
            session_timeout,  # noqa: F401  (login time stamp)
        )
