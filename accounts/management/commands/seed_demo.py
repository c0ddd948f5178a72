from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or leave as they are) the demo authorities, people, charters and more, and print how to sign in."

    def handle(self, *args, **options):
        with transaction.atomic():
            world = seed_demo()
            # Each later app adds its demo data with a `demo.seed_demo(world)` of its own, in INSTALLED_APPS order,
            # so accounts never imports the apps that build on it.
            for config in apps.get_app_configs():
                if config.name == "accounts":
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                world.lines += module.seed_demo(world) or []
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/account/sign-in/"))
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}\n")
        for line in world.lines:
            self.stdout.write("  " + line)
