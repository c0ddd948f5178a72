from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Authority
from charters.library import measure_import


class Command(BaseCommand):
    help = (
        "Create or update measures from a CSV file (columns: code,title,unit,theme,outcome,proxy_value_gbp,"
        "proxy_source,proxy_year,deadweight_pct,attribution_pct,displacement_pct,dropoff_pct,evidence). "
        "Into the platform library, or with --authority into that authority's local measures. "
        "All or nothing: a file with any error imports nothing. Safe to run again: measures are matched on code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The measures as a UTF-8 CSV file.")
        parser.add_argument(
            "--authority",
            metavar="SLUG",
            help="Import as this authority's local measures instead of the platform library.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")

    def handle(self, *args, file: Path, authority: str | None, dry_run: bool, verbosity: int, **options):
        target = None
        if authority:
            target = Authority.objects.filter(slug=authority).first()
            if target is None:
                raise CommandError(f"There is no authority with the slug {authority!r}")
        try:
            with file.open("rb") as data:
                result = measure_import(authority=target, file=data, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"There is no file at {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a folder, not a CSV file") from None

        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{file.name}: {error}")
            count = len(result.errors)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''} in {file.name}; nothing was imported.")

        where = f"local measures of {target.name}" if target else "the platform library"
        if verbosity >= 2:
            for label, codes in (("Created", result.created), ("Updated", result.updated)):
                for code in codes:
                    self.stdout.write(f"{label} {code}")
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved. Importing into {where} would make: {result.summary()}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported into {where}: {result.summary()}."))
