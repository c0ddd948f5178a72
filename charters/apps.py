from django.apps import AppConfig


class ChartersConfig(AppConfig):
    name = "charters"
    verbose_name = "Charters, measures and consultations"

    def ready(self):
        from . import documents  # noqa: F401  (registers the PDF job kinds and the adoption receiver)
