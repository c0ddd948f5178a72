from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation and award"

    def ready(self):
        # Registers the job kinds (the evaluation packs, the assessment summary PDFs) and the check that keeps
        # offers from evaluators who are not cleared to read them.
        from tenders.sealing import register_reader_check

        from . import packs, summaries  # noqa: F401
        from .access import evaluator_cleared

        register_reader_check(evaluator_cleared)
