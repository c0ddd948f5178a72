"""Writing the audit trail. Services call `audit_record` inside their transaction."""

from contextvars import ContextVar

from .models import AuditEvent

# Set per request by AuditContextMiddleware, so services need not take the request to record the IP.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


SEALED_ACTOR_LABEL = "a bidder (not named: offers are sealed)"


def audit_record(
    *,
    authority,
    actor,
    verb: str,
    obj=None,
    object_type: str = "",
    object_id="",
    object_repr: str = "",
    changes: dict | None = None,
    sealed_actor: bool = False,
) -> AuditEvent:
    """Appends an event to the trail. `sealed_actor` is for bidders acting on sealed offers: the authority's staff
    read this log, and who is bidding is itself sealed until the offers are opened, so the event keeps the user
    (for the platform's operators) but shows no name or address."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id if object_id != "" else obj.pk
        object_repr = object_repr or str(obj)
    event = AuditEvent(
        authority=authority,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=SEALED_ACTOR_LABEL
        if sealed_actor
        else (actor.email if actor is not None and actor.is_authenticated else "system"),
        verb=verb,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        object_repr=str(object_repr)[:200],
        changes=changes or {},
        ip_address=None if sealed_actor else current_ip.get(),
    )
    # Model.save() inserts through the base manager, so platform events (no authority) need no scope.
    event.save()
    return event


def diff(before: dict, after: dict) -> dict:
    """The fields that changed, as {"field": {"before": ..., "after": ...}}."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
