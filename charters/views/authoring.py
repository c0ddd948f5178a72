"""Charter authoring for commissioners: charters, versions, places, themes, outcomes, measures, weights, and the
version lifecycle (consultation, adoption, revision, withdrawal).

Every change is a plain POST that redirects back (303) and works without JavaScript. With htmx, the structure
forms on the version page swap just the structure panel instead.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import selectors, services
from ..diff import versions_diff
from ..forms.authoring import (
    AdoptForm,
    CharterCreateForm,
    CharterMeasureForm,
    ConsultationOpenForm,
    OutcomeForm,
    PlaceForm,
    ReasonForm,
    ThemeForm,
    VersionDetailsForm,
    weights_form_class,
)
from ..models import (
    Charter,
    CharterMeasure,
    CharterVersion,
    LocalMeasure,
    Measure,
    Outcome,
    PriorityPlace,
    Theme,
    VersionStatus,
)
from ..selectors import consultation as consultation_selectors

LIBRARY_PAGE_SIZE = 25


def _version(request, version_id) -> CharterVersion:
    return get_object_or_404(
        CharterVersion.objects.select_related("charter"), pk=version_id, authority=request.authority
    )


def _version_url(version, anchor=""):
    url = reverse("charters:version-edit", args=[version.authority.slug, version.pk])
    return f"{url}#{anchor}" if anchor else url


def _add_validation_error(form, error: ValidationError):
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


# Charters ---------------------------------------------------------------------------------------------------


@authority_permission("charters.view")
def charter_list(request):
    return render(
        request,
        "charters/authoring/charter_list.html",
        {
            "charters": selectors.charters_for_authority(request.authority),
            "can_edit": has_permission(request.roles, "charters.edit"),
        },
    )


def _copy_choices(authority):
    return [
        (version.pk, f"{version.authority.name}: {version.title} (version {version.number})")
        for version in selectors.public_adopted_versions()
    ]


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def charter_create(request):
    form = CharterCreateForm(request.POST or None, copy_choices=_copy_choices(request.authority))
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.charter_create(
                authority=request.authority,
                acting_user=request.user,
                title=form.cleaned_data["title"],
                start=form.cleaned_data["start"],
                source_version_id=form.cleaned_data.get("source_version"),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"“{charter.title}” has been created. Its first draft is ready to edit.")
            return see_other(_version_url(charter.versions.get()))
    return render(request, "charters/authoring/charter_create.html", {"form": form}, status=form_status(form))


@authority_permission("charters.view")
def charter_detail(request, charter_id):
    charter = get_object_or_404(Charter, pk=charter_id, authority=request.authority)
    versions = selectors.charter_versions(charter)
    in_progress = any(v.status in (VersionStatus.DRAFT, VersionStatus.CONSULTATION) for v in versions)
    return render(
        request,
        "charters/authoring/charter_detail.html",
        {
            "charter": charter,
            "versions": versions,
            "can_revise": has_permission(request.roles, "charters.edit")
            and not in_progress
            and any(v.status == VersionStatus.ADOPTED for v in versions),
        },
    )


@authority_permission("charters.edit")
@require_POST
def charter_revise(request, charter_id):
    charter = get_object_or_404(Charter, pk=charter_id, authority=request.authority)
    try:
        draft = services.version_revise(charter=charter, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return see_other("charters:charter-detail", request.authority.slug, charter.pk)
    messages.success(request, f"Version {draft.number} has been started as a copy of the adopted version.")
    return see_other(_version_url(draft))


@authority_permission("charters.view")
def charter_compare(request, charter_id):
    charter = get_object_or_404(Charter, pk=charter_id, authority=request.authority)
    versions = selectors.charter_versions(charter)
    by_id = {str(v.pk): v for v in versions}
    old, new = by_id.get(request.GET.get("from", "")), by_id.get(request.GET.get("to", ""))
    if old is None and new is None and len(versions) >= 2:
        new, old = versions[0], versions[1]
    changes = versions_diff(old, new) if old and new else None
    return render(
        request,
        "charters/authoring/charter_compare.html",
        {
            "charter": charter,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
        },
    )


# The version page -------------------------------------------------------------------------------------------


def _structure_context(request, version, **extra):
    content = selectors.version_content(version)
    return {
        "version": version,
        "content": content,
        "editable": version.is_editable and has_permission(request.roles, "charters.edit"),
        "theme_form": ThemeForm(prefix="theme"),
        "place_form": PlaceForm(prefix="place"),
        **extra,
    }


@authority_permission("charters.view")
def version_edit(request, version_id):
    version = _version(request, version_id)
    consultation = consultation_selectors.consultation_for_version(version)
    context = _structure_context(
        request,
        version,
        consultation=consultation,
        can_edit=has_permission(request.roles, "charters.edit"),
        can_export=has_permission(request.roles, "charters.export"),
    )
    return render(request, "charters/authoring/version_edit.html", context)


def _after_change(request, version, anchor="structure", status=200, **extra):
    """htmx asks for the structure panel only; a plain browser gets a redirect back to the page."""
    if request.htmx:
        context = _structure_context(request, version, **extra)
        return render(request, "charters/authoring/version_edit.html#structure", context, status=status)
    return see_other(_version_url(version, anchor))


@authority_permission("charters.view")
def version_preview(request, version_id):
    version = _version(request, version_id)
    return render(
        request,
        "charters/authoring/version_preview.html",
        {
            "version": version,
            "content": selectors.version_content(version),
        },
    )


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def version_details(request, version_id):
    version = _version(request, version_id)
    form = VersionDetailsForm(
        request.POST or None,
        initial={"title": version.title, "vision": version.vision, "local_context": version.local_context},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.version_details_update(version=version, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Title, vision and local context saved.")
            return see_other(_version_url(version, "details"))
    return render(
        request, "charters/authoring/version_details.html", {"version": version, "form": form}, status=form_status(form)
    )


def _typed_total(data, themes) -> Decimal:
    """The total of what has been typed so far; half-typed numbers count as 0."""
    total = Decimal("0")
    for theme in themes:
        try:
            total += Decimal(str(data.get(f"weight_{theme.pk}", "")).strip() or "0")
        except InvalidOperation:
            continue
    return total


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def version_weights(request, version_id):
    version = _version(request, version_id)
    themes = selectors.version_themes(version)
    if request.htmx and request.POST.get("action") == "total":
        # The live total while typing: only the total panel, never errors for half-typed numbers.
        context = {"version": version, "total": _typed_total(request.POST, themes)}
        return render(request, "charters/authoring/version_weights.html#total", context)
    form = weights_form_class(themes)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.weights_set(version=version, acting_user=request.user, weights=form.weights())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Theme weights saved.")
            return see_other(_version_url(version, "structure"))
    total = _typed_total(request.POST, themes) if form.is_bound else sum((t.weight for t in themes), Decimal("0"))
    context = {"version": version, "form": form, "themes": themes, "total": total}
    return render(request, "charters/authoring/version_weights.html", context, status=form_status(form))


# Places, themes, outcomes, measures -------------------------------------------------------------------------


def _item_or_404(model, request, pk):
    return get_object_or_404(model.objects.select_related("version"), pk=pk, authority=request.authority)


@authority_permission("charters.edit")
@require_POST
def place_add(request, version_id):
    version = _version(request, version_id)
    form = PlaceForm(request.POST, prefix="place")
    if form.is_valid():
        try:
            services.place_add(version=version, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _after_change(request, version, "places")
    return _form_failed(request, version, "place_form", form)


@authority_permission("charters.edit")
@require_POST
def theme_add(request, version_id):
    version = _version(request, version_id)
    form = ThemeForm(request.POST, prefix="theme")
    if form.is_valid():
        try:
            services.theme_add(version=version, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Theme added. Set its weight so the weights total 100%.")
            return _after_change(request, version, "structure")
    return _form_failed(request, version, "theme_form", form)


def _form_failed(request, version, name, form):
    """An inline add form with errors: the structure panel (htmx) or the whole page (no JavaScript), as 422."""
    if request.htmx:
        return _after_change(request, version, status=422, **{name: form})
    consultation = consultation_selectors.consultation_for_version(version)
    context = _structure_context(
        request,
        version,
        consultation=consultation,
        can_edit=True,
        **{name: form},
        can_export=has_permission(request.roles, "charters.export"),
        page_has_errors=True,
    )
    return render(request, "charters/authoring/version_edit.html", context, status=422)


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def outcome_add(request, theme_id):
    theme = _item_or_404(Theme, request, theme_id)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_add(theme=theme, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Outcome added to {theme.title}.")
            return see_other(_version_url(theme.version, f"outcome-{outcome.pk}"))
    return render(
        request,
        "charters/authoring/item_form.html",
        {
            "version": theme.version,
            "form": form,
            "heading": f"Add an outcome to {theme.title}",
            "button": "Add outcome",
        },
        status=form_status(form),
    )


ITEM_FORMS = {PriorityPlace: PlaceForm, Theme: ThemeForm, Outcome: OutcomeForm, CharterMeasure: CharterMeasureForm}
ITEM_NAMES = {PriorityPlace: "place", Theme: "theme", Outcome: "outcome", CharterMeasure: "measure"}


def _item_edit(request, model, pk):
    item = _item_or_404(model, request, pk)
    form_class = ITEM_FORMS[model]
    form = form_class(request.POST or None, initial={name: getattr(item, name) for name in form_class.base_fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item=item, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        except ValidationError as error:
            _add_validation_error(form, error)
        else:
            messages.success(request, f"The {ITEM_NAMES[model]} has been saved.")
            return see_other(_version_url(item.version, f"{ITEM_NAMES[model]}-{item.pk}"))
    return render(
        request,
        "charters/authoring/item_form.html",
        {
            "version": item.version,
            "form": form,
            "heading": f"Change the {ITEM_NAMES[model]}: {item}",
            "button": "Save changes",
        },
        status=form_status(form),
    )


def _item_remove(request, model, pk):
    item = _item_or_404(model, request, pk)
    error = None
    if request.method == "POST":
        try:
            services.item_remove(item=item, acting_user=request.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            if not request.htmx:
                messages.success(request, f"The {ITEM_NAMES[model]} “{item}” has been removed.")
            return _after_change(request, item.version, "structure")
    return render(
        request,
        "charters/authoring/item_remove.html",
        {
            "version": item.version,
            "item": item,
            "kind": ITEM_NAMES[model],
            "error": error,
            "page_has_errors": bool(error),
            "consequence": {
                Theme: "Its outcomes and measures are removed too.",
                Outcome: "Its measures are removed too.",
            }.get(model, ""),
        },
        status=422 if error else 200,
    )


def _item_move(request, model, pk):
    item = _item_or_404(model, request, pk)
    try:
        services.item_move(item=item, acting_user=request.user, direction=request.POST.get("direction", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return _after_change(request, item.version, f"{ITEM_NAMES[model]}-{item.pk}")


def _item_views(model, keyword):
    @authority_permission("charters.edit")
    @require_http_methods(["GET", "POST"])
    def edit(request, **kwargs):
        return _item_edit(request, model, kwargs[keyword])

    @authority_permission("charters.edit")
    @require_http_methods(["GET", "POST"])
    def remove(request, **kwargs):
        return _item_remove(request, model, kwargs[keyword])

    @authority_permission("charters.edit")
    @require_POST
    def move(request, **kwargs):
        return _item_move(request, model, kwargs[keyword])

    return edit, remove, move


place_edit, place_remove, place_move = _item_views(PriorityPlace, "place_id")
theme_edit, theme_remove, theme_move = _item_views(Theme, "theme_id")
outcome_edit, outcome_remove, outcome_move = _item_views(Outcome, "outcome_id")
measure_edit, measure_remove, measure_move = _item_views(CharterMeasure, "charter_measure_id")


@authority_permission("charters.edit")
def measure_choose(request, outcome_id):
    """Step one of adding a measure: pick one from the library (platform and local), or write a new one."""
    outcome = _item_or_404(Outcome, request, outcome_id)
    query = request.GET.get("q", "").strip()[:100]
    local, platform = selectors.library_measures_to_choose(request.authority, query, limit=LIBRARY_PAGE_SIZE)
    used = selectors.version_measure_codes(outcome.version_id)
    return render(
        request,
        "charters/authoring/measure_choose.html",
        {
            "version": outcome.version,
            "outcome": outcome,
            "q": query,
            "used": used,
            "local_measures": local,
            "platform_measures": platform,
        },
    )


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def measure_add(request, outcome_id):
    """Adds a measure from the library (POST with measure or local_measure) or from the form (a new one)."""
    outcome = _item_or_404(Outcome, request, outcome_id)
    library = local = None
    if request.POST.get("measure"):
        library = get_object_or_404(Measure, pk=request.POST["measure"], is_active=True)
    elif request.POST.get("local_measure"):
        local = get_object_or_404(LocalMeasure, pk=request.POST["local_measure"], authority=request.authority)
    if library or local:
        try:
            measure = services.measure_add(
                outcome=outcome, acting_user=request.user, library_measure=library, local_measure=local
            )
        except (DomainError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
            return see_other(reverse("charters:charter-measure-choose", args=[request.authority.slug, outcome.pk]))
        messages.success(request, f"{measure.code} added. Adapt it to the place below if you need to.")
        return see_other(reverse("charters:charter-measure-edit", args=[request.authority.slug, measure.pk]))
    form = CharterMeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_add(outcome=outcome, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        except ValidationError as error:
            _add_validation_error(form, error)
        else:
            messages.success(request, f"{measure.code} added to {outcome.title}.")
            return see_other(_version_url(outcome.version, f"measure-{measure.pk}"))
    return render(
        request,
        "charters/authoring/item_form.html",
        {
            "version": outcome.version,
            "form": form,
            "heading": f"Write a new measure for {outcome.title}",
            "button": "Add measure",
        },
        status=form_status(form),
    )


# Lifecycle --------------------------------------------------------------------------------------------------


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def consultation_open(request, version_id):
    version = _version(request, version_id)
    today = timezone.localdate()
    form = ConsultationOpenForm(
        request.POST or None,
        initial={"opens_on": today, "closes_on": services.consultation_default_close(request.authority, today)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_open(version=version, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"The consultation is open until {consultation.closes_on:%-d %B %Y}.")
            return see_other(_version_url(version))
    return render(
        request,
        "charters/authoring/consultation_open.html",
        {
            "version": version,
            "form": form,
            "weeks": request.authority.consultation_weeks,
        },
        status=form_status(form),
    )


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def version_adopt(request, version_id):
    version = _version(request, version_id)
    consultation = consultation_selectors.consultation_for_version(version)
    form = AdoptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_adopt(version=version, acting_user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Version {version.number} has been adopted and published.")
            return see_other(_version_url(version))
    return render(
        request,
        "charters/authoring/version_adopt.html",
        {
            "version": version,
            "form": form,
            "consultation": consultation,
            "blockers": services.adoption_blockers(version),
            "weights_total": services.weights_total(version),
        },
        status=form_status(form),
    )


@authority_permission("charters.edit")
@require_http_methods(["GET", "POST"])
def version_withdraw(request, version_id):
    version = _version(request, version_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_withdraw(version=version, acting_user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Version {version.number} has been withdrawn.")
            return see_other("charters:charter-detail", request.authority.slug, version.charter_id)
    return render(
        request,
        "charters/authoring/version_withdraw.html",
        {"version": version, "form": form},
        status=form_status(form),
    )


staff_urlpatterns = [
    path("charters/", charter_list, name="charter-list"),
    path("charters/new/", charter_create, name="charter-create"),
    path("charters/<int:charter_id>/", charter_detail, name="charter-detail"),
    path("charters/<int:charter_id>/revise/", charter_revise, name="charter-revise"),
    path("charters/<int:charter_id>/compare/", charter_compare, name="charter-compare"),
    path("versions/<int:version_id>/", version_edit, name="version-edit"),
    path("versions/<int:version_id>/preview/", version_preview, name="version-preview"),
    path("versions/<int:version_id>/details/", version_details, name="version-details"),
    path("versions/<int:version_id>/weights/", version_weights, name="version-weights"),
    path("versions/<int:version_id>/places/add/", place_add, name="place-add"),
    path("versions/<int:version_id>/themes/add/", theme_add, name="theme-add"),
    path("versions/<int:version_id>/consultation/open/", consultation_open, name="consultation-open"),
    path("versions/<int:version_id>/adopt/", version_adopt, name="version-adopt"),
    path("versions/<int:version_id>/withdraw/", version_withdraw, name="version-withdraw"),
    path("places/<int:place_id>/", place_edit, name="place-edit"),
    path("places/<int:place_id>/remove/", place_remove, name="place-remove"),
    path("places/<int:place_id>/move/", place_move, name="place-move"),
    path("themes/<int:theme_id>/", theme_edit, name="theme-edit"),
    path("themes/<int:theme_id>/remove/", theme_remove, name="theme-remove"),
    path("themes/<int:theme_id>/move/", theme_move, name="theme-move"),
    path("themes/<int:theme_id>/outcomes/add/", outcome_add, name="outcome-add"),
    path("outcomes/<int:outcome_id>/", outcome_edit, name="outcome-edit"),
    path("outcomes/<int:outcome_id>/remove/", outcome_remove, name="outcome-remove"),
    path("outcomes/<int:outcome_id>/move/", outcome_move, name="outcome-move"),
    path("outcomes/<int:outcome_id>/measures/choose/", measure_choose, name="charter-measure-choose"),
    path("outcomes/<int:outcome_id>/measures/add/", measure_add, name="charter-measure-add"),
    path("charter-measures/<int:charter_measure_id>/", measure_edit, name="charter-measure-edit"),
    path("charter-measures/<int:charter_measure_id>/remove/", measure_remove, name="charter-measure-remove"),
    path("charter-measures/<int:charter_measure_id>/move/", measure_move, name="charter-measure-move"),
]
public_urlpatterns = []
