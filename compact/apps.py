from django.apps import AppConfig


class CompactConfig(AppConfig):
    name = "compact"
    verbose_name = "Contract follow-up and the local Compact"

    def ready(self):
        from . import reports  # noqa: F401  (registers the report job kinds)
