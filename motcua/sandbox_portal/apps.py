from django.apps import AppConfig


class SandboxPortalConfig(AppConfig):
    name = "motcua.sandbox_portal"
    label = "sandbox_portal"
