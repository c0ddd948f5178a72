"""The local Compact: the authority's Compact partners (staff), the 16-action checklist (staff, and on the public
pages for partners' members), and case examples for actions 14 and 15 (written by officers or partners, published
once a partner and an officer have approved them).

Staff pages live under /a/<authority_slug>/compact/, public ones under /p/<authority_slug>/compact/. Every form is a
plain POST that answers 303, or 422 with the error summary and what was typed kept. Someone who is neither a partner
member nor an officer gets a 403 page saying who can act.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, public_authority, see_other
from foundation.errors import DomainError

from .. import case_examples as cases
from .. import checklist, selectors
from .. import partners as partner_services
from ..forms.local_compact import (
    CaseExampleForm,
    ChecklistActionForm,
    EvidenceForm,
    PartnerApproveForm,
    PartnerSearchForm,
)
from ..partners import NotPartnerOrOfficer

PAGE_SIZE = 25


# Helpers ------------------------------------------------------------------------------------------------------------


def _row_or_404(authority, action_number, *, public=False):
    row = checklist.checklist_row(authority, action_number, public=public)
    if row is None:
        raise Http404("The checklist has actions 1 to 16")
    return row


def _forbidden(request, error: NotPartnerOrOfficer, back_url: str, back_text: str):
    return render(
        request,
        "compact/local_compact/not_partner.html",
        {"message": error.message, "back_url": back_url, "back_text": back_text, "authority": request.authority},
        status=403,
    )


def _staff_url(request, name, *args):
    return reverse(f"compact:{name}", args=[request.authority.slug, *args])


def _contracts(authority):
    return selectors.contracts_for_choice(authority)


# Staff: Compact partners ----------------------------------------------------------------------------------------


@authority_permission("compact.partners")
@require_GET
def partner_list(request):
    authority = request.authority
    form = PartnerSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page_obj = None
    if query:
        page_obj = Paginator(partner_services.community_group_search(query), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "compact/local_compact/partner_list.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "query_string": urlencode({"q": query}) if query else "",
            "partners": partner_services.partners_of(authority),
            "partner_ids": partner_services.partner_organisation_ids(authority),
        },
    )


@authority_permission("compact.partners")
@require_POST
def partner_add(request):
    organisation = account_selectors.community_group_get(request.POST.get("organisation"))
    back = _staff_url(request, "partner-list")
    if request.POST.get("q"):
        back += "?" + urlencode({"q": request.POST["q"][:100]})
    if organisation is None:
        messages.error(request, "Choose a community group to make a Compact partner")
        return see_other(back)
    try:
        partner_services.partner_add(authority=request.authority, acting_user=request.user, organisation=organisation)
    except DomainError as error:
        messages.error(request, error.message)
        return see_other(back)
    messages.success(request, f"{organisation.name} is now a Compact partner. Its admins have been told by email.")
    return see_other(_staff_url(request, "partner-list"))


@authority_permission("compact.partners")
@require_http_methods(["GET", "POST"])
def partner_remove(request, partner_id):
    partner = partner_services.partner_get(request.authority, partner_id)
    if partner is None:
        raise Http404("No such Compact partner")
    if request.method == "POST":
        partner_services.partner_remove(partner=partner, acting_user=request.user)
        messages.success(request, f"{partner.organisation.name} is no longer a Compact partner.")
        return see_other(_staff_url(request, "partner-list"))
    return render(
        request,
        "compact/local_compact/partner_remove.html",
        {"partner": partner, "back_url": _staff_url(request, "partner-list")},
    )


# The checklist (staff and public) -----------------------------------------------------------------------------------


@authority_permission("compact.view")
@require_GET
def checklist_staff(request):
    authority = request.authority
    return render(
        request,
        "compact/local_compact/checklist.html",
        {
            "authority": authority,
            "rows": checklist.checklist_rows(authority),
            "checklist_summary": checklist.checklist_summary(authority),
            "public": False,
            "can_edit": has_permission(request.roles, "compact.manage"),
            "edit_url_name": "compact:checklist-edit",
        },
    )


@require_GET
def checklist_public(request, authority_slug):
    authority = public_authority(request)
    return render(
        request,
        "compact/local_compact/checklist.html",
        {
            "authority": authority,
            "rows": checklist.checklist_rows(authority, public=True),
            "checklist_summary": checklist.checklist_summary(authority),
            "public": True,
            # The edit links are for partners' members; officers keep the checklist from the staff pages.
            "can_edit": partner_services.is_partner_member(request.user, authority),
            "edit_url_name": "compact:checklist-public-edit",
        },
    )


@require_GET
def checklist_print(request, authority_slug):
    authority = public_authority(request)
    return render(
        request,
        "compact/local_compact/checklist_print.html",
        {
            "authority": authority,
            "rows": checklist.checklist_rows(authority, public=True),
            "checklist_summary": checklist.checklist_summary(authority),
            "printed_at": timezone.localtime(),
        },
    )


def _checklist_urls(request, *, public: bool) -> dict:
    slug = request.authority.slug
    if public:
        return {
            "list_url": reverse("compact:checklist-public", args=[slug]),
            "edit_name": "compact:checklist-public-edit",
            "evidence_add_name": "compact:checklist-public-evidence-add",
            "evidence_remove_name": "compact:checklist-public-evidence-remove",
        }
    return {
        "list_url": reverse("compact:checklist-staff", args=[slug]),
        "edit_name": "compact:checklist-edit",
        "evidence_add_name": "compact:checklist-evidence-add",
        "evidence_remove_name": "compact:checklist-evidence-remove",
    }


def _render_checklist_edit(request, row, *, public, form, evidence_form, status=None):
    return render(
        request,
        "compact/local_compact/checklist_edit.html",
        {
            "authority": request.authority,
            "row": row,
            "form": form,
            "evidence_form": evidence_form,
            "public": public,
            "groups": partner_services.partner_organisations(request.user, request.authority),
            "page_has_errors": bool(evidence_form.errors),
            **_checklist_urls(request, public=public),
        },
        status=status or form_status(form, evidence_form),
    )


def _checklist_edit(request, action_number, *, public):
    authority = request.authority
    row = _row_or_404(authority, action_number)
    urls = _checklist_urls(request, public=public)
    if not checklist.can_update(authority, request.user):
        return _forbidden(
            request,
            NotPartnerOrOfficer(
                f"Only members of {authority.name}'s Compact partner groups and its officers can update the checklist"
            ),
            urls["list_url"],
            "Back to the checklist",
        )
    initial = {"status": row.status, "notes": row.notes, "owner": row.owner}
    form = ChecklistActionForm(request.POST or None, initial=initial)
    evidence_form = EvidenceForm(examples=cases.case_examples_choices(authority))
    if request.method == "POST" and form.is_valid():
        try:
            checklist.action_update(
                authority=authority,
                acting_user=request.user,
                number=row.number,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data["notes"],
                owner=form.cleaned_data["owner"],
            )
        except NotPartnerOrOfficer as error:
            return _forbidden(request, error, urls["list_url"], "Back to the checklist")
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Action {row.number} updated.")
            return see_other(f"{urls['list_url']}#action-{row.number}")
    return _render_checklist_edit(request, row, public=public, form=form, evidence_form=evidence_form)


def _evidence_add(request, action_number, *, public):
    authority = request.authority
    row = _row_or_404(authority, action_number)
    urls = _checklist_urls(request, public=public)
    edit_url = reverse(urls["edit_name"], args=[authority.slug, row.number])
    evidence_form = EvidenceForm(request.POST, examples=cases.case_examples_choices(authority))
    if evidence_form.is_valid():
        try:
            checklist.evidence_add(
                authority=authority,
                acting_user=request.user,
                number=row.number,
                label=evidence_form.cleaned_data["label"],
                url=evidence_form.cleaned_data["url"],
                case_example=evidence_form.chosen_example(),
            )
        except NotPartnerOrOfficer as error:
            return _forbidden(request, error, urls["list_url"], "Back to the checklist")
        except DomainError as error:
            add_domain_error(evidence_form, error)
        else:
            messages.success(request, f"Evidence added to action {row.number}.")
            return see_other(f"{edit_url}#evidence")
    elif not checklist.can_update(authority, request.user):
        return _forbidden(
            request,
            NotPartnerOrOfficer(
                f"Only members of {authority.name}'s Compact partner groups and its officers can update the checklist"
            ),
            urls["list_url"],
            "Back to the checklist",
        )
    form = ChecklistActionForm(initial={"status": row.status, "notes": row.notes, "owner": row.owner})
    return _render_checklist_edit(request, row, public=public, form=form, evidence_form=evidence_form, status=422)


def _evidence_remove(request, checklist_evidence_id, *, public):
    authority = request.authority
    evidence = checklist.evidence_get(authority, checklist_evidence_id)
    if evidence is None:
        raise Http404("No such evidence")
    urls = _checklist_urls(request, public=public)
    edit_url = reverse(urls["edit_name"], args=[authority.slug, evidence.action.number])
    if not checklist.can_update(authority, request.user):
        return _forbidden(
            request,
            NotPartnerOrOfficer(
                f"Only members of {authority.name}'s Compact partner groups and its officers can update the checklist"
            ),
            urls["list_url"],
            "Back to the checklist",
        )
    if request.method == "POST":
        checklist.evidence_remove(evidence=evidence, acting_user=request.user)
        messages.success(request, f"Evidence removed from action {evidence.action.number}.")
        return see_other(f"{edit_url}#evidence")
    return render(
        request,
        "compact/local_compact/evidence_remove.html",
        {
            "authority": authority,
            "evidence": evidence,
            "action": checklist.action_text(evidence.action.number),
            "back_url": edit_url,
        },
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def checklist_edit(request, action_number):
    return _checklist_edit(request, action_number, public=False)


@authority_permission("compact.manage")
@require_POST
def checklist_evidence_add(request, action_number):
    return _evidence_add(request, action_number, public=False)


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def checklist_evidence_remove(request, checklist_evidence_id):
    return _evidence_remove(request, checklist_evidence_id, public=False)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_public_edit(request, authority_slug, action_number):
    public_authority(request)
    return _checklist_edit(request, action_number, public=True)


@login_required
@require_POST
def checklist_public_evidence_add(request, authority_slug, action_number):
    public_authority(request)
    return _evidence_add(request, action_number, public=True)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_public_evidence_remove(request, authority_slug, checklist_evidence_id):
    public_authority(request)
    return _evidence_remove(request, checklist_evidence_id, public=True)


# Case examples: staff -------------------------------------------------------------------------------------------------


def _example_or_404(request, example_id):
    example = cases.case_example_get(request.authority, example_id)
    if example is None:
        raise Http404("No such case example")
    return example


@authority_permission("compact.view")
@require_GET
def case_list(request):
    authority = request.authority
    page_obj = Paginator(cases.case_examples_all(authority), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "compact/local_compact/case_list.html",
        {
            "page_obj": page_obj,
            "drafts": cases.case_examples_drafts(authority).count(),
            "can_manage": has_permission(request.roles, "compact.manage"),
        },
    )


def _case_form(request, *, example, public):
    """Writing (example None) or editing a case example, for staff (public=False) or partners' members."""
    authority = request.authority
    slug = authority.slug
    list_url = reverse("compact:case-public-list" if public else "compact:case-list", args=[slug])
    if example is not None:
        back_url = reverse("compact:case-public-detail" if public else "compact:case-detail", args=[slug, example.pk])
    else:
        back_url = list_url
    if not cases.can_write(authority, request.user):
        return _forbidden(
            request,
            NotPartnerOrOfficer(
                f"Only members of {authority.name}'s Compact partner groups and its officers can write case examples"
            ),
            back_url,
            "Back to the case examples" if example is None else "Back to the case example",
        )
    form = CaseExampleForm(
        request.POST or None,
        initial=CaseExampleForm.initial_for(example) if example is not None else None,
        contracts=None if public else _contracts(authority),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if example is None:
                saved = cases.case_example_create(
                    authority=authority, acting_user=request.user, **form.service_fields()
                )
                message = "Case example saved. It needs a Compact partner's and an officer's approval to be published."
            else:
                was_published = example.published_at is not None
                saved = cases.case_example_update(example=example, acting_user=request.user, **form.service_fields())
                message = "Case example saved. Its approvals have been cleared" + (
                    " and it has been taken off the public pages until it is approved and published again."
                    if was_published
                    else ": it needs a Compact partner's and an officer's approval again."
                )
        except NotPartnerOrOfficer as error:
            return _forbidden(request, error, back_url, "Back")
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, message)
            return see_other(
                reverse("compact:case-public-detail" if public else "compact:case-detail", args=[slug, saved.pk])
            )
    return render(
        request,
        "compact/local_compact/case_form.html",
        {"authority": authority, "form": form, "example": example, "public": public, "back_url": back_url},
        status=form_status(form),
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def case_create(request):
    return _case_form(request, example=None, public=False)


@authority_permission("compact.view")
def case_detail(request, example_id):
    example = _example_or_404(request, example_id)
    # Looked up first, so another authority's example answers 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(
        request,
        "compact/local_compact/case_detail.html",
        {
            "authority": request.authority,
            "example": example,
            "readiness": cases.readiness(example),
            "public": False,
            "can_manage": has_permission(request.roles, "compact.manage"),
        },
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def case_edit(request, example_id):
    return _case_form(request, example=_example_or_404(request, example_id), public=False)


def _case_action(request, example_id, action, success):
    example = _example_or_404(request, example_id)
    try:
        action(example=example, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return see_other(_staff_url(request, "case-detail", example.pk))


@authority_permission("compact.manage")
@require_POST
def case_approve(request, example_id):
    return _case_action(
        request, example_id, cases.case_example_approve_as_officer, "You have approved it as the officer."
    )


@authority_permission("compact.manage")
@require_POST
def case_publish(request, example_id):
    return _case_action(
        request, example_id, cases.case_example_publish, "The case example is published on the public pages."
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def case_unpublish(request, example_id):
    example = _example_or_404(request, example_id)
    if request.method == "POST":
        return _case_action(
            request,
            example_id,
            cases.case_example_unpublish,
            "The case example is no longer on the public pages. Its approvals are kept.",
        )
    return render(
        request,
        "compact/local_compact/case_unpublish.html",
        {"example": example, "back_url": _staff_url(request, "case-detail", example.pk)},
    )


# Case examples: public ----------------------------------------------------------------------------------------------


@require_GET
def case_public_list(request, authority_slug):
    authority = public_authority(request)
    groups = partner_services.partner_organisations(request.user, authority)
    page_obj = Paginator(cases.case_examples_published(authority), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "compact/local_compact/case_public_list.html",
        {
            "authority": authority,
            "page_obj": page_obj,
            "is_partner": bool(groups),
            # Partners' members see the drafts they are asked to approve; nobody else does.
            "drafts": list(cases.case_examples_drafts(authority)[:PAGE_SIZE]) if groups else [],
        },
    )


def _public_example_or_404(request, example_id):
    example = cases.case_example_get_public(request.authority, example_id, request.user)
    if example is None:
        raise Http404("No such case example")
    return example


@require_GET
def case_public_detail(request, authority_slug, example_id):
    authority = public_authority(request)
    example = _public_example_or_404(request, example_id)
    groups = partner_services.partner_organisations(request.user, authority)
    return render(
        request,
        "compact/local_compact/case_detail.html",
        {
            "authority": authority,
            "example": example,
            "readiness": cases.readiness(example),
            "public": True,
            "is_partner": bool(groups),
            "approve_form": PartnerApproveForm(groups=groups) if groups else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_public_create(request, authority_slug):
    public_authority(request)
    return _case_form(request, example=None, public=True)


@login_required
@require_http_methods(["GET", "POST"])
def case_public_edit(request, authority_slug, example_id):
    public_authority(request)
    return _case_form(request, example=_public_example_or_404(request, example_id), public=True)


@login_required
@require_POST
def case_public_approve(request, authority_slug, example_id):
    authority = public_authority(request)
    example = _public_example_or_404(request, example_id)
    detail_url = reverse("compact:case-public-detail", args=[authority.slug, example.pk])
    groups = partner_services.partner_organisations(request.user, authority)
    form = PartnerApproveForm(request.POST, groups=groups)
    try:
        if not form.is_valid():
            raise DomainError(
                form.errors.get("organisation", ["Choose the partner group you are approving for"])[0]
                if groups
                else f"Only members of {authority.name}'s Compact partner groups can approve a case example for a "
                "partner"
            )
        cases.case_example_approve_as_partner(
            example=example, acting_user=request.user, organisation=form.chosen_group()
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "You have approved it for your group. An officer publishes it once they approve.")
    return see_other(detail_url)


staff_urlpatterns = [
    path("compact/partners/", partner_list, name="partner-list"),
    path("compact/partners/add/", partner_add, name="partner-add"),
    path("compact/partners/<int:partner_id>/remove/", partner_remove, name="partner-remove"),
    path("compact/checklist/", checklist_staff, name="checklist-staff"),
    path("compact/checklist/<int:action_number>/", checklist_edit, name="checklist-edit"),
    path("compact/checklist/<int:action_number>/evidence/", checklist_evidence_add, name="checklist-evidence-add"),
    path(
        "compact/checklist/evidence/<int:checklist_evidence_id>/remove/",
        checklist_evidence_remove,
        name="checklist-evidence-remove",
    ),
    path("compact/case-examples/", case_list, name="case-list"),
    path("compact/case-examples/new/", case_create, name="case-create"),
    path("compact/case-examples/<int:example_id>/", case_detail, name="case-detail"),
    path("compact/case-examples/<int:example_id>/edit/", case_edit, name="case-edit"),
    path("compact/case-examples/<int:example_id>/approve/", case_approve, name="case-approve"),
    path("compact/case-examples/<int:example_id>/publish/", case_publish, name="case-publish"),
    path("compact/case-examples/<int:example_id>/unpublish/", case_unpublish, name="case-unpublish"),
]
public_urlpatterns = [
    path("compact/checklist/", checklist_public, name="checklist-public"),
    path("compact/checklist/print/", checklist_print, name="checklist-print"),
    path("compact/checklist/<int:action_number>/edit/", checklist_public_edit, name="checklist-public-edit"),
    path(
        "compact/checklist/<int:action_number>/evidence/",
        checklist_public_evidence_add,
        name="checklist-public-evidence-add",
    ),
    path(
        "compact/checklist/evidence/<int:checklist_evidence_id>/remove/",
        checklist_public_evidence_remove,
        name="checklist-public-evidence-remove",
    ),
    path("compact/case-examples/", case_public_list, name="case-public-list"),
    path("compact/case-examples/new/", case_public_create, name="case-public-create"),
    path("compact/case-examples/<int:example_id>/", case_public_detail, name="case-public-detail"),
    path("compact/case-examples/<int:example_id>/edit/", case_public_edit, name="case-public-edit"),
    path("compact/case-examples/<int:example_id>/approve/", case_public_approve, name="case-public-approve"),
]
platform_urlpatterns = []
