from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People, authorities and roles"

    def ready(self):
        from . import exports  # noqa: F401  (registers the audit export job kinds)
