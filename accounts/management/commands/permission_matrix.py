from django.core.management.base import BaseCommand

from accounts.roles import render_matrix_markdown


class Command(BaseCommand):
    help = "Print the permission matrix as markdown (docs/permissions.md is this output)."

    def handle(self, *args, **options):
        self.stdout.write(render_matrix_markdown(), ending="")
