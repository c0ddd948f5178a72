from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Authority
from tenders.ocds import ImportReport, ocds_import


class Command(BaseCommand):
    help = (
        "Create draft tenders from a published notice in OCDS 1.1 JSON: a release package, a single release or a "
        "record package (its compiled releases). Each release with a usable tender becomes a draft of the "
        "authority; problems are reported per field. Nothing is published. Exits non-zero when the file cannot be "
        "read or nothing in it could be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The OCDS JSON file (UTF-8, up to 5 MB).")
        parser.add_argument("--authority", metavar="SLUG", required=True, help="The authority the drafts belong to.")
        parser.add_argument("--dry-run", action="store_true", help="Read the file and report; create nothing.")

    def handle(self, *args, file: Path, authority: str, dry_run: bool, **options):
        target = Authority.objects.filter(slug=authority).first()
        if target is None:
            raise CommandError(f"There is no authority with the slug {authority!r}")
        try:
            with file.open("rb") as data:
                report = ocds_import(authority=target, acting_user=None, file=data, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"There is no file at {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a folder, not a JSON file") from None

        if report.file_errors:
            for error in report.file_errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{file.name} could not be read; nothing was imported.")

        self._write_report(report, file.name, target)
        if not report.ok:
            raise CommandError(f"Nothing in {file.name} could be imported.")

    def _write_report(self, report: ImportReport, name: str, authority: Authority) -> None:
        releases = len(report.releases)
        self.stdout.write(f"{name}: an OCDS {report.file_kind} with {releases} release{'s' if releases != 1 else ''}.")
        verb = "Would create" if report.dry_run else "Created"
        for release in report.created:
            fields = release.fields
            where = f" (id {release.tender.pk})" if release.tender else ""
            self.stdout.write(f"{verb} draft tender {fields['reference']}{where}: {fields['title']} [{release.label}]")
        for release in report.skipped:
            self.stdout.write(release.skipped_line)
        for release in report.without_tender:
            self.stdout.write(f"{release.label} has no tender section: nothing to import.")
        if report.error_lines:
            self.stdout.write("Problems (these values were left out):")
            for line in report.error_lines:
                self.stdout.write(f"  {line}")
        if report.note_lines:
            self.stdout.write("Notes (check these in the drafts before publishing):")
            for line in report.note_lines:
                self.stdout.write(f"  {line}")
        summary = f"{authority.name}: {report.summary()}."
        if report.dry_run:
            self.stdout.write(f"Dry run, nothing saved. {summary}")
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(f"Imported into {summary}"))
        else:
            self.stdout.write(summary)
