from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Authority
from accounts.scoping import authority_scope
from publication.ocds import record_package, release_package, to_json
from publication.ocds_schema import validate_package


class Command(BaseCommand):
    help = (
        "Export an authority's public tenders as an OCDS 1.1 release package (or, with --records, a record package) "
        "with the social value extension. The package is validated against the shipped OCDS 1.1.5 schemas and "
        "codelists first; nothing is written when it is not valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("--authority", metavar="SLUG", required=True, help="The authority whose tenders to export.")
        parser.add_argument(
            "--out", metavar="FILE", type=Path, help="Where to write the JSON (default: standard output)."
        )
        parser.add_argument("--records", action="store_true", help="A record package (one record per tender).")

    def handle(self, *args, authority: str, out: Path | None, records: bool, **options):
        target = Authority.objects.filter(slug=authority).first()
        if target is None:
            raise CommandError(f"There is no authority with the slug {authority!r}")
        with authority_scope(target):
            package = record_package(target) if records else release_package(target)
        items = package["records"] if records else package["releases"]
        if not items:
            raise CommandError(f"{target.name} has no public tenders to export.")
        errors = validate_package(package, kind="record" if records else "release")
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"The package is not valid OCDS ({len(errors)} errors); nothing was written.")
        text = to_json(package)
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {out}: {error.strerror}") from None
        kind = "records" if records else "releases"
        self.stderr.write(f"Wrote {len(items)} {kind} of {target.name} to {out}.")
