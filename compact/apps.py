from django.apps import AppConfig


class CompactConfig(AppConfig):
    name = "compact"
    verbose_name = "Contract follow-up and the local Compact"

    def ready(self):
        from . import reports, signals  # noqa: F401  (reports registers the report job kinds)

        signals.connect()
