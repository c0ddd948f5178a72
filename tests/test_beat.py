from importlib import import_module

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_registered():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        import_module(entry["task"].split(".")[0] + ".tasks")  # what the worker's autodiscovery imports
        assert entry["task"] in app.tasks, entry["task"]
