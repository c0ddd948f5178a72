"""What the generated route tests need to know: how to make an object of each URL keyword in a given authority.

Every `/a/<authority_slug>/...` route's keywords must be listed in OBJECT_MAKERS (a meta-test fails otherwise), so
each new route is automatically requested with another authority's objects. Later stages add their keywords here.
"""

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.jobs import job_execute
from accounts.models import Invitation, Job
from accounts.roles import Role
from accounts.scoping import authority_scope
from accounts.services import invitation_create, job_start


def _member_user(world, authority):
    # Someone who holds a role in this authority only: the contract manager.
    return world.user(authority, Role.CONTRACT_MANAGER).pk


def _invitation(world, authority):
    with authority_scope(authority):
        existing = Invitation.objects.filter(email=f"invitee@{authority.slug}.example.org").first()
        if existing:
            return existing.pk
        return invitation_create(
            authority=authority,
            acting_user=world.user(authority, Role.ADMIN),
            email=f"invitee@{authority.slug}.example.org",
            roles=["evaluator"],
        ).pk


def _job(world, authority):
    with authority_scope(authority):
        existing = Job.objects.filter(kind="audit_export_csv").first()
        if existing:
            return existing.pk
        job = job_start(authority=authority, acting_user=world.user(authority, Role.ADMIN), kind="audit_export_csv")
        job_execute(job)  # finished, so its download route answers
        return job.pk


OBJECT_MAKERS = {
    "user_id": _member_user,
    "invitation_id": _invitation,
    "job_id": _job,
}

# Routes whose object carries its own permission on top of the view's: jobs need the permission of their kind.
OBJECT_PERMISSIONS = {"job_id": "audit.export"}


def authority_routes():
    """(route string, url name, view) for every route under /a/<authority_slug>/, found by walking the URL conf."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("a/<slug:authority_slug>/"):
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found.append((route, name, pattern.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


def route_keywords(route: str) -> list[str]:
    import re

    return [name for name in re.findall(r"<(?:\w+:)?(\w+)>", route) if name != "authority_slug"]


def view_permission(view) -> str | None:
    return getattr(view, "authority_permission", None)
