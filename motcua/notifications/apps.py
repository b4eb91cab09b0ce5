from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"

    def ready(self) -> None:
        from motcua.notifications import receivers  # noqa: F401
