"""Pages for people, authorities, members, organisations, the audit log and jobs. Thin: forms in, services out."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from foundation.errors import DomainError

from . import selectors, services
from .decorators import authority_permission
from .errors import InvitationInvalid
from .forms import (
    ROLE_HINTS,
    AuditFilterForm,
    AuthoritySettingsForm,
    GovukPasswordChangeForm,
    GovukPasswordResetForm,
    GovukSetPasswordForm,
    InvitationForm,
    JoinRequestForm,
    MemberRolesForm,
    OrganisationForm,
    OrganisationMemberAddForm,
    RegisterForm,
    SignInForm,
)
from .jobs import job_download_record, job_kind
from .models import (
    Invitation,
    Job,
    JobStatus,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    OrganisationRole,
)
from .roles import Role, has_permission

AUDIT_PAGE_SIZE = 50


def public_authority(request):
    """The authority of a public /p/<authority>/ page, resolved by the middleware; 404 for an unknown slug."""
    if request.authority is None:
        raise Http404("No such authority")
    return request.authority


def see_other(to, *args, **kwargs) -> HttpResponseRedirect:
    """After a POST, 303 makes the browser GET the next page (and never re-POST on refresh)."""
    return HttpResponseRedirect(resolve_url(to, *args, **kwargs), status=303)


def add_domain_error(form, error: DomainError, *, field_map: dict | None = None) -> None:
    """Shows a refused action's message next to the field it names, or at the top when the form has no such field."""
    field = (field_map or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


def form_status(*forms) -> int:
    """Invalid input answers 422 so htmx and tests can tell a rejected form from a fresh one."""
    return 422 if any(form.is_bound and form.errors for form in forms) else 200


def safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


# Home and static pages --------------------------------------------------------------------------------------


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    return render(
        request,
        "home.html",
        {
            "authorities": selectors.authorities_for_user(request.user),
            "organisation_memberships": list(selectors.organisation_memberships_for_user(request.user)),
        },
    )


def accessibility(request):
    return render(request, "pages/accessibility.html")


def privacy(request):
    return render(request, "pages/privacy.html")


# Signing in and out, registration, passwords ---------------------------------------------------------------


class Status422Mixin:
    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class SignInView(Status422Mixin, auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    # LoginView puts the request's host in `site_name`; the service's own name belongs in the title and header.
    extra_context = {"site_name": settings.SITE_NAME}


class PasswordResetView(Status422Mixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = GovukPasswordResetForm
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetConfirmView(Status422Mixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = GovukSetPasswordForm
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordChangeView(Status422Mixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = GovukPasswordChangeForm
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return see_other("home")
    form = RegisterForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account has been created.")
            return see_other(safe_next(request, reverse("home")))
    return render(
        request,
        "accounts/register.html",
        {"form": form, "next": safe_next(request, "")},
        status=form_status(form),
    )


@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "authorities": selectors.authorities_for_user(request.user),
            "organisation_memberships": list(selectors.organisation_memberships_for_user(request.user)),
        },
    )


# Invitations ----------------------------------------------------------------------------------------------


def _invitation_invalid(request, reason, *, status):
    context = {"reason": reason, "max_age_days": settings.INVITATION_MAX_AGE_DAYS}
    return render(request, "accounts/invitation_invalid.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = services.dangerously_invitation_from_token(token)
        services.invitation_check_usable(invitation)
    except InvitationInvalid as error:
        return _invitation_invalid(request, error.message, status=410)
    context = {"invitation": invitation, "authority": invitation.authority, "token": token}
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation_sign_in.html", context)
    if request.user.email.lower() != invitation.email.lower():
        context["reason"] = (
            f"This invitation was sent to {invitation.email}, but you are signed in as {request.user.email}. "
            "Sign out, then open the link again and sign in with the invited address."
        )
        return _invitation_invalid(request, context["reason"], status=403)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, acting_user=request.user)
        except InvitationInvalid as error:
            return _invitation_invalid(request, error.message, status=410)
        messages.success(request, f"You have joined {invitation.authority.name}.")
        return see_other("accounts:authority-home", authority_slug=invitation.authority.slug)
    return render(request, "accounts/invitation_accept.html", context)


# Authority staff pages ------------------------------------------------------------------------------------


@authority_permission("authority.view")
def authority_home(request):
    authority = request.authority
    context = {
        "roles": sorted((Role(role) for role in request.roles), key=list(Role).index),
        "role_hints": ROLE_HINTS,
        "jobs": selectors.jobs_recent(authority, user=request.user),
    }
    if has_permission(request.roles, "audit.view"):
        context["recent_events"] = list(selectors.audit_events(authority)[:10])
    if has_permission(request.roles, "members.view"):
        context["member_count"] = len(selectors.authority_members(authority))
        context["pending_invitations"] = len(selectors.invitations_pending(authority))
    return render(request, "accounts/authority_home.html", context)


@authority_permission("members.view")
def member_list(request):
    authority = request.authority
    return render(
        request,
        "accounts/member_list.html",
        {
            "members": selectors.authority_members(authority),
            "invitations": selectors.invitations_pending(authority),
            "can_manage": has_permission(request.roles, "members.manage"),
        },
    )


@authority_permission("members.manage")
@require_http_methods(["GET", "POST"])
def member_invite(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                authority=request.authority,
                acting_user=request.user,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return see_other("accounts:member-list", authority_slug=request.authority.slug)
    return render(
        request,
        "accounts/member_invite.html",
        {"form": form},
        status=form_status(form),
    )


def _member_or_404(authority, user_id):
    member = selectors.authority_member_get(authority, user_id)
    if member is None:
        raise Http404("No such member")
    return member


@authority_permission("members.manage")
@require_http_methods(["GET", "POST"])
def member_edit(request, user_id):
    member = _member_or_404(request.authority, user_id)
    form = MemberRolesForm(request.POST or None, initial={"roles": [role.value for role in member.roles]})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_roles_set(
                authority=request.authority,
                acting_user=request.user,
                user=member.user,
                roles=form.cleaned_data["roles"],
            )
        except DomainError as error:
            form.add_error("roles", error.message)
        else:
            messages.success(request, f"Roles updated for {member.user}.")
            return see_other("accounts:member-list", authority_slug=request.authority.slug)
    return render(request, "accounts/member_edit.html", {"form": form, "member": member}, status=form_status(form))


@authority_permission("members.manage")
@require_http_methods(["GET", "POST"])
def member_remove(request, user_id):
    member = _member_or_404(request.authority, user_id)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(authority=request.authority, acting_user=request.user, user=member.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, f"{member.user} has been removed from {request.authority.name}.")
            return see_other("accounts:member-list", authority_slug=request.authority.slug)
    return render(
        request,
        "accounts/member_remove.html",
        {"member": member, "error": error, "page_has_errors": bool(error)},
        status=422 if error else 200,
    )


@authority_permission("members.manage")
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, authority=request.authority)
    error = None
    if request.method == "POST":
        try:
            services.invitation_revoke(authority=request.authority, acting_user=request.user, invitation=invitation)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
            return see_other("accounts:member-list", authority_slug=request.authority.slug)
    return render(
        request,
        "accounts/invitation_revoke.html",
        {"invitation": invitation, "error": error, "page_has_errors": bool(error)},
        status=422 if error else 200,
    )


@authority_permission("settings.manage")
@require_http_methods(["GET", "POST"])
def authority_settings(request):
    authority = request.authority
    form = AuthoritySettingsForm(request.POST or None, instance=authority)
    if request.method == "POST" and form.is_valid():
        try:
            services.authority_settings_update(
                authority=authority,
                acting_user=request.user,
                **{field: form.cleaned_data[field] for field in form.Meta.fields},
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Settings saved.")
            return see_other("accounts:authority-settings", authority_slug=authority.slug)
    # A failed POST left the instance changed in memory; the page shows what was saved, the form what was typed.
    authority.refresh_from_db()
    return render(request, "accounts/authority_settings.html", {"form": form}, status=form_status(form))


AUDIT_FILTER_FIELDS = ("verb", "object_type", "actor", "date_from", "date_to")


@authority_permission("audit.view")
def audit_log(request):
    authority = request.authority
    verbs, object_types = selectors.audit_filter_choices(authority)
    form = AuditFilterForm(request.GET or None, verbs=verbs, object_types=object_types)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    events = selectors.audit_events(authority, **filters)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: request.GET[key] for key in AUDIT_FILTER_FIELDS if request.GET.get(key)}
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": form,
            "page_obj": page,
            "events": page.object_list,
            "query_string": urlencode(query),
            "export_params": {key: str(value) for key, value in filters.items()},
            "can_export": has_permission(request.roles, "audit.export"),
        },
        status=form_status(form),
    )


@authority_permission("audit.export")
@require_POST
def audit_export(request):
    export_format = request.POST.get("format")
    if export_format not in {"csv", "xlsx"}:
        raise Http404("Unknown export format")
    params = {key: request.POST.get(key, "") for key in AUDIT_FILTER_FIELDS if request.POST.get(key)}
    job = services.job_start(
        authority=request.authority,
        acting_user=request.user,
        kind=f"audit_export_{export_format}",
        params=params,
    )
    return see_other("accounts:job-detail", authority_slug=request.authority.slug, job_id=job.pk)


# Jobs -----------------------------------------------------------------------------------------------------


def _job_for_user(request, job_id) -> Job:
    """A job is visible to members whose role may run its kind; another authority's job is simply not found."""
    job = selectors.job_get_visible(request.authority, job_id, roles=request.roles)
    if job is None:
        raise Http404("No such job")
    return job


@authority_permission("authority.view")
def job_detail(request, job_id):
    job = _job_for_user(request, job_id)
    return render(request, "accounts/job_detail.html", {"job": job, "kind": job_kind(job.kind)})


@authority_permission("authority.view")
def job_status(request, job_id):
    job = _job_for_user(request, job_id)
    response = render(request, "accounts/job_detail.html#status", {"job": job, "kind": job_kind(job.kind)})
    if job.is_finished:
        response.status_code = 286  # tells htmx to stop polling
    return response


@authority_permission("authority.view")
def job_download(request, job_id):
    job = _job_for_user(request, job_id)
    if job.status != JobStatus.SUCCEEDED or not job.file:
        raise Http404("The file is not ready")
    job_download_record(job=job, acting_user=request.user)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


# Public authority page --------------------------------------------------------------------------------------


def authority_public(request, authority_slug):
    return render(request, "accounts/authority_public.html", {"authority": request.authority})


# Organisations --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    initial_kind = request.GET.get("kind")
    form = OrganisationForm(
        request.POST or None,
        initial={"kind": initial_kind} if initial_kind in OrganisationKind.values else None,
    )
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_register(acting_user=request.user, **form.cleaned_data)
        messages.success(request, f"{organisation.name} has been registered. You are its admin.")
        return see_other("accounts:organisation-detail", pk=organisation.pk)
    return render(request, "accounts/organisation_create.html", {"form": form}, status=form_status(form))


def _organisation_context(request, organisation):
    my_membership = None
    if request.user.is_authenticated:
        my_membership = selectors.organisation_membership_get(organisation, request.user)
    is_admin = bool(
        my_membership
        and my_membership.role == OrganisationRole.ADMIN
        and my_membership.status == OrganisationMemberStatus.APPROVED
    )
    is_member = bool(my_membership and my_membership.status == OrganisationMemberStatus.APPROVED)
    return {
        "organisation": organisation,
        "my_membership": my_membership,
        "is_admin": is_admin,
        "members": selectors.organisation_members(organisation) if is_member else {},
    }


@login_required
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    context = _organisation_context(request, organisation)
    # Suppliers are private to their members; community groups are listed so residents can ask to join.
    if organisation.kind == OrganisationKind.SUPPLIER and not context["my_membership"]:
        raise Http404("No such organisation")
    context["join_form"] = JoinRequestForm()
    context["add_form"] = OrganisationMemberAddForm()
    return render(request, "accounts/organisation_detail.html", context)


@login_required
@require_POST
def organisation_join(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk, kind=OrganisationKind.COMMUNITY_GROUP)
    form = JoinRequestForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_join_request(
                organisation=organisation, acting_user=request.user, message=form.cleaned_data["message"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Your request to join {organisation.name} has been sent to its admins.")
        return see_other("accounts:organisation-detail", pk=organisation.pk)
    context = _organisation_context(request, organisation) | {
        "join_form": form,
        "add_form": OrganisationMemberAddForm(),
    }
    return render(request, "accounts/organisation_detail.html", context, status=422)


@login_required
@require_POST
def organisation_request_decide(request, pk, membership_id):
    organisation = get_object_or_404(Organisation, pk=pk)
    membership = get_object_or_404(OrganisationMembership, pk=membership_id, organisation=organisation)
    if not _organisation_context(request, organisation)["is_admin"]:
        raise Http404("No such request")
    approve = request.POST.get("decision") == "approve"
    try:
        services.organisation_join_decide(membership=membership, acting_user=request.user, approve=approve)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        verb = "approved" if approve else "declined"
        messages.success(request, f"You have {verb} {membership.user}'s request.")
    return see_other("accounts:organisation-detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_member_add(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    context = _organisation_context(request, organisation)
    if not context["is_admin"]:
        raise Http404("No such organisation")
    form = OrganisationMemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.organisation_member_add(
                organisation=organisation, acting_user=request.user, email=form.cleaned_data["email"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{membership.user} has been added to {organisation.name}.")
            return see_other("accounts:organisation-detail", pk=organisation.pk)
    context |= {"join_form": JoinRequestForm(), "add_form": form}
    return render(request, "accounts/organisation_detail.html", context, status=422)


def community_group_list(request):
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.community_groups(query), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/community_group_list.html",
        {
            "page_obj": page,
            "groups": page.object_list,
            "q": query,
            "query_string": urlencode({"q": query}) if query else "",
        },
    )
