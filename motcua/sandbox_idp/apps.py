from django.apps import AppConfig


class SandboxIdpConfig(AppConfig):
    name = "motcua.sandbox_idp"
    label = "sandbox_idp"
