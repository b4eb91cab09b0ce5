from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "motcua.privacy"
    label = "privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")

    def ready(self) -> None:
        from motcua.documents.access import register_read_observer
        from motcua.privacy.readlog import file_read_note

        # The read log (law.md R32a): officers opening a dossier's files.
        register_read_observer(file_read_note)
