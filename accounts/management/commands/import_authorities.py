from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.authority_register import (
    SHIPPED_REGISTER,
    RegisterHeaderError,
    register_import,
    register_read,
)


class Command(BaseCommand):
    help = (
        "Create or update the current UK local authorities from the mySociety register (CSV). "
        "Safe to run again: authorities are matched on their GSS code, else their slug."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            default=SHIPPED_REGISTER,
            help="The register as CSV (default: the copy shipped in accounts/data/).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, and save nothing.")

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        try:
            with file.open(newline="", encoding="utf-8-sig") as lines:
                read = register_read(lines)
        except FileNotFoundError:
            raise CommandError(f"There is no file at {file}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text; save the register as a UTF-8 CSV file") from None
        except RegisterHeaderError as error:
            raise CommandError(f"{file}: {error}") from None

        result = register_import(entries=read.entries, dry_run=dry_run)

        for error in [*read.errors, *result.errors]:
            self.stderr.write(f"{file.name}: {error} (row skipped)")
        if verbosity >= 2:
            for authority in result.created:
                self.stdout.write(f"Created {authority.name} ({authority.slug})")
            for authority in result.updated:
                self.stdout.write(f"Updated {authority.name} ({authority.slug})")

        created, updated, unchanged = len(result.created), len(result.updated), len(result.unchanged)
        bad_rows = len(read.errors) + len(result.errors)
        summary = f"{created} created, {updated} updated, {unchanged} unchanged"
        summary += f"; skipped {read.ended} former authorities"
        summary += f" and {bad_rows} bad rows." if bad_rows else "."
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved. Authorities: {summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Authorities: {summary}"))
