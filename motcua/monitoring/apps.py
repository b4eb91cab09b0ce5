from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "motcua.monitoring"
    label = "monitoring"
    verbose_name = _("Giám sát, đánh giá")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        from motcua.core.tasks import register_periodic_hook
        from motcua.dossiers.signals import dossier_transitioned
        from motcua.feedback.models import Feedback, SatisfactionRating
        from motcua.monitoring import feedback_feed, reports, services, updater

        dossier_transitioned.connect(
            updater.on_dossier_transitioned, dispatch_uid="monitoring.dossier_transitioned"
        )
        # Decision 766 group 5: feedback and ratings (monitoring/feedback_feed.py)
        uid = "monitoring.feedback_feed"
        pre_save.connect(feedback_feed.on_feedback_pre_save, Feedback, dispatch_uid=f"{uid}.pre")
        post_save.connect(feedback_feed.on_feedback_saved, Feedback, dispatch_uid=f"{uid}.save")
        post_delete.connect(
            feedback_feed.on_feedback_deleted, Feedback, dispatch_uid=f"{uid}.delete"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                feedback_feed.on_rating_changed,
                SatisfactionRating,
                dispatch_uid=f"{uid}.rating.{id(signal)}",
            )
        # Native facts of 1.4, 3.5/3.6, 4.1/4.2 and 4.5 (issue 19)
        from motcua.documents.models import IssuedDocument
        from motcua.integrations.models import DossierIdentityFlag, OutboxMessage
        from motcua.payments.models import PaymentRequest

        for model in (OutboxMessage, PaymentRequest, DossierIdentityFlag, IssuedDocument):
            post_save.connect(
                updater.on_native_fact_saved,
                model,
                dispatch_uid=f"monitoring.native.{model._meta.label_lower}",
            )
        from motcua.catalog.models import Competence, ProcedureVersion
        from motcua.monitoring import catalogue_state

        post_save.connect(
            updater.on_procedure_version_saved,
            ProcedureVersion,
            dispatch_uid="monitoring.announcement_rows",
        )
        # Reorganisations (law.md R31): history follows the successions that carry it
        from motcua.org.models import UnitSuccession

        for signal in (post_save, post_delete):
            signal.connect(
                updater.on_succession_saved,
                UnitSuccession,
                dispatch_uid=f"monitoring.succession.{id(signal)}",
            )
        # per-unit catalogue state of 1.3/3.1/3.2/3.5/4.5a (effective-dated)
        for catalogue_model in (ProcedureVersion, Competence):
            for signal in (post_save, post_delete):
                signal.connect(
                    catalogue_state.on_catalogue_saved,
                    catalogue_model,
                    dispatch_uid=f"monitoring.catalogue_spans.{catalogue_model._meta.label_lower}"
                    f".{id(signal)}",
                )
        register_periodic_hook("deadline-sweep", updater.contributions_sweep)
        register_periodic_hook("deadline-sweep", feedback_feed.feedback_sweep)
        # law.md §4.4: closed weeks/quarters/halves/9 months/years judged at their end
        register_periodic_hook("deadline-sweep", services.period_judgements_close)
        register_periodic_hook("deadline-sweep", services.snapshots_close)
        register_periodic_hook("weekly-report", reports.weekly_report_hook)
