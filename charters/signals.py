"""Signals the charters app sends, so other modules react to its events without the service importing them."""

from django.dispatch import Signal

# Sent by `services.version_adopt` once the adoption has committed (from `transaction.on_commit`), with the keyword
# arguments `version` (the adopted CharterVersion) and `acting_user` (who adopted it). The charter PDF is made then.
version_adopted = Signal()
