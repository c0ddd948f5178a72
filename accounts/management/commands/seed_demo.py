from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or leave as they are) the demo authorities, people and organisations, and print how to sign in."

    def handle(self, *args, **options):
        world = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/account/sign-in/"))
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}\n")
        for line in world.lines:
            self.stdout.write("  " + line)
