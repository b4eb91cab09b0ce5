from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.dossiers.appointments import DossierAppointments
        from motcua.workdays.recompute import register_provider

        # Issued appointments are only recomputed on an administrator's decision.
        register_provider(DossierAppointments())
