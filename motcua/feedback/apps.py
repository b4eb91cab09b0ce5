from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Phản ánh, kiến nghị và đánh giá")

    def ready(self) -> None:
        from motcua.core.tasks import register_periodic_hook
        from motcua.feedback.services import feedback_send_reminders

        # Deadline reminders (law.md §7.2) ride on the core 15-minute sweep.
        register_periodic_hook("deadline-sweep", feedback_send_reminders)
