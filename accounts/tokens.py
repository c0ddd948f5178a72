"""Personal API tokens: creating, revoking and recognising them, and the reads for the token pages.

A token's secret is `cvc_<prefix>_<random>`. Only its SHA-256 is stored, so a copy of the database gives no working
token; the secret is shown once, when the token is made. Recognising a token looks up that hash, so no secret is
ever compared character by character. Tokens belong to a person, not an authority: their actions are audited as
that person's own (outside any authority), like registering an organisation.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from foundation.errors import DomainError

from .audit import audit_record
from .models import ApiToken, User

SECRET_START = "cvc_"
NAME_MAX_LENGTH = 100
# How often `last_used_at` is written: once a minute is precise enough to spot an unused token, and a busy client
# does not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`, named by them. Returns the token and its secret, which is never shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter a name for the token", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(f"The name must be {NAME_MAX_LENGTH} characters or fewer", field="name")
    duplicate = DomainError("You already have a token with this name. Choose another name", field="name")
    if ApiToken.objects.filter(user=user, name__iexact=name, revoked_at__isnull=True).exists():
        raise duplicate
    prefix = _new_prefix()
    secret = f"{SECRET_START}{prefix}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, prefix=prefix, secret_hash=secret_hash(secret))
            audit_record(
                authority=None,
                actor=user,
                verb="api_token.created",
                obj=token,
                changes={"name": name, "prefix": prefix},
            )
    except IntegrityError:
        raise duplicate from None  # the same name, made at the same moment in another tab
    return token, secret


def token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    """Stops a token working, at once. Only its owner revokes it; the row stays so the audit trail can name it."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.user_id != acting_user.pk:
            raise DomainError("You can only revoke your own tokens")
        if token.revoked_at is not None:
            raise DomainError("This token has already been revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            authority=None,
            actor=acting_user,
            verb="api_token.revoked",
            obj=token,
            changes={"name": token.name, "prefix": token.prefix},
        )
    return token


def token_authenticate(secret: str, *, now=None) -> ApiToken | None:
    """The live token whose secret this is (with its active user), or None. Notes when it was used."""
    if not secret.startswith(SECRET_START) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=secret_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A bookkeeping write, not an action: not audited. The filter keeps concurrent requests to one write.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


# Reads --------------------------------------------------------------------------------------------------------


def tokens_live_for_user(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-id")


def token_get_for_user(user: User, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, pk=token_id).first()
