from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "motcua.monitoring"
    label = "monitoring"
    verbose_name = _("Giám sát, đánh giá")

    def ready(self) -> None:
        from motcua.core.tasks import register_periodic_hook
        from motcua.dossiers.signals import dossier_transitioned
        from motcua.monitoring import reports, services, updater

        dossier_transitioned.connect(
            updater.on_dossier_transitioned, dispatch_uid="monitoring.dossier_transitioned"
        )
        register_periodic_hook("deadline-sweep", updater.contributions_sweep)
        register_periodic_hook("deadline-sweep", services.snapshots_close)
        register_periodic_hook("weekly-report", reports.weekly_report_hook)
