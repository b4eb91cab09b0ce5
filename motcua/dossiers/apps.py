from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.backoffice.views import register_work_source
        from motcua.documents.access import register_access_policy
        from motcua.dossiers.appointments import DossierAppointments
        from motcua.dossiers.selectors import home_work, officer_file_policy
        from motcua.dossiers.services.linked import on_child_finished
        from motcua.dossiers.signals import dossier_transitioned
        from motcua.workdays.recompute import register_provider

        # Issued appointments are only recomputed on an administrator's decision.
        register_provider(DossierAppointments())
        # Officers who may see a dossier may open its files (after a transfer, the new
        # competent unit; consulted bodies while consulted).
        register_access_policy(officer_file_policy)
        # The back-office home shows the worklists' counts.
        register_work_source(home_work)
        # A linked application returning results together releases them when its last
        # child finishes (law.md R40).
        dossier_transitioned.connect(on_child_finished, dispatch_uid="dossiers.linked_release")
