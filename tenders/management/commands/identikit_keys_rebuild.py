from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.scoping import dangerously_unscoped
from tenders.identikit_keys import keys_rebuild
from tenders.models import IdentikitKey, OfferSubmission


class Command(BaseCommand):
    help = (
        "Remake the identikit keys of every current offer submission (all authorities), as the migration that added "
        "them did. Run it after a change to tenders.identikit.FINGERPRINT_VERSION; safe to run twice."
    )

    def handle(self, *args, **options):
        # The operator's command over every authority's submissions; in one transaction, so checks never see a
        # half-built index.
        with dangerously_unscoped(), transaction.atomic():
            made = keys_rebuild(OfferSubmission, IdentikitKey)
        self.stdout.write(f"{made} identikit keys made.")
