"""The local Compact page (/p/<authority>/compact/): the authority's Compact partners, its consultations and their
12-week compliance, the action checklist the partners keep, case examples and decommissioning assessments — each
section from its own selector, linking to the full page. And the staff Compact home (/a/<authority>/compact/)."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import public_authority

from .. import case_examples, checklist, decommissioning, partners, register


def _sections(authority) -> dict:
    return {
        "authority": authority,
        "partners": partners.partners_of(authority),
        "register_summary": register.public_summary(authority, timezone.localdate()),
        "checklist_summary": checklist.checklist_summary(authority),
        "case_examples": case_examples.case_examples_for_landing(authority),
        "public_assessments": decommissioning.public_assessments(authority),
    }


@require_GET
def compact_page(request, authority_slug):
    authority = public_authority(request)
    context = _sections(authority)
    context["is_partner_member"] = partners.is_partner_member(request.user, authority)
    return render(request, "compact/compact_page.html", context)


@authority_permission("compact.view")
@require_GET
def compact_home(request):
    context = _sections(request.authority)
    context |= {
        "can_manage": has_permission(request.roles, "compact.manage"),
        "can_choose_partners": has_permission(request.roles, "compact.partners"),
        "can_view_contracts": has_permission(request.roles, "contracts.view"),
    }
    return render(request, "compact/compact_home.html", context)


staff_urlpatterns = [path("compact/", compact_home, name="compact-home")]
public_urlpatterns = [path("compact/", compact_page, name="compact-page")]
platform_urlpatterns = []
