"""Tender intake for procurement officers: drafts, lots, relevant measures, questions, weightings, publication,
amendments and cancellation. Every other staff role reads the same pages.

Every change is a plain POST that redirects back (303) and works without JavaScript; invalid input answers 422 with
the GOV.UK error summary. htmx adds live summaries while typing (value including VAT, the CPV division roll-up, the
weightings' total) and the CPV picker; the pages work the same without them.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import sealing, selectors, services
from ..cpv import divisions_for, is_works, validate_cpv_codes
from ..forms.intake import (
    AmendmentForm,
    LotForm,
    PublishForm,
    QuestionForm,
    ReasonForm,
    RelevantMeasureForm,
    TenderForm,
    WeightingsForm,
    typed_decimal,
)
from ..models import Lot, Question, RelevantMeasure, Tender, TenderCategory, TenderStatus

PAGE_SIZE = 25
# Service error fields → the form field that shows them.
FIELD_MAP = {
    "publish_at": "publish_at_date",
    "clarification_deadline": "clarification_deadline_date",
    "submission_deadline": "submission_deadline_date",
    "weights": None,
}


def _data(request):
    """The submitted form data, or None for a GET (an empty POST is still a submission: never `POST or None`)."""
    return request.POST if request.method == "POST" else None


def _tender(request, tender_id) -> Tender:
    tender = selectors.tender_for_staff(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    return tender


def _tender_url(tender, anchor=""):
    url = reverse("tenders:tender-detail", args=[tender.authority.slug, tender.pk])
    return f"{url}#{anchor}" if anchor else url


def _locked(request, tender, *, status=200):
    """A page that changes a draft, asked for a tender that is no longer one."""
    return render(
        request,
        "tenders/intake/locked.html",
        {"tender": tender, "effective_status": selectors.effective_status(tender)},
        status=status,
    )


def _refuse_unless_draft(request, tender):
    if tender.status == TenderStatus.DRAFT:
        return None
    return _locked(request, tender, status=409 if request.method == "POST" else 200)


# The list ---------------------------------------------------------------------------------------------------

STATUS_TABS = [
    ("", "All"),
    ("draft", "Drafts"),
    ("published", "Published"),
    ("closed", "Closed"),
    ("awarded", "Awarded"),
    ("cancelled", "Cancelled"),
]


@authority_permission("tenders.view")
def tender_list(request):
    now = timezone.now()
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS:
        status = ""
    paginator = Paginator(selectors.tender_list(request.authority, status=status, now=now), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    for tender in page_obj:
        tender.effective_status = selectors.effective_status(tender, now)
    counts = selectors.status_counts(request.authority, now=now)
    tabs = [
        {"value": value, "label": label, "count": counts[value or "all"], "current": value == status}
        for value, label in STATUS_TABS
    ]
    return render(
        request,
        "tenders/intake/tender_list.html",
        {
            "page_obj": page_obj,
            "tabs": tabs,
            "status": status,
            "status_label": dict(STATUS_TABS)[status],
            "total": counts["all"],
            "can_manage": has_permission(request.roles, "tenders.manage"),
        },
    )


# Creating and editing a draft -------------------------------------------------------------------------------


def _summary(data) -> dict:
    """The live summary beside the details form: the value including VAT and the CPV division roll-up."""
    value = typed_decimal(data, "estimated_value")
    rate = typed_decimal(data, "vat_rate")
    rate = Decimal("20") if rate is None else rate
    including = None
    if value is not None and value > 0 and 0 <= rate <= 100:
        including = (value * (1 + rate / 100)).quantize(Decimal("0.01"))
    found, missing = validate_cpv_codes(services.split_cpv_codes(str(data.get("cpv_codes", "") or "")))
    works = is_works(found)
    return {
        "value": value if value is not None and value > 0 else None,
        "vat_rate": rate,
        "including": including,
        "cpv_found": found,
        "cpv_missing": missing,
        "divisions": divisions_for(found) if found else [],
        "works": works,
        "works_mismatch": works and data.get("category") not in (TenderCategory.WORKS, "", None),
    }


def _form_initial_data(tender) -> dict:
    if tender is None:
        return {"vat_rate": "20"}
    return {
        "estimated_value": str(tender.estimated_value),
        "vat_rate": str(tender.vat_rate),
        "cpv_codes": " ".join(cpv.code for cpv in tender.cpv_codes.all()),
        "category": tender.category,
    }


def _tender_form_page(request, form, tender):
    if request.htmx and request.POST.get("action") == "summary":
        # While typing: only the summary panel, never errors for half-typed values.
        return render(request, "tenders/intake/tender_form.html#summary", {"summary": _summary(request.POST)})
    summary = _summary(request.POST if form.is_bound else _form_initial_data(tender))
    return render(
        request,
        "tenders/intake/tender_form.html",
        {
            "form": form,
            "tender": tender,
            "summary": summary,
            "minimum_days": services.MINIMUM_TENDER_PERIOD_DAYS,
        },
        status=form_status(form),
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def tender_create(request):
    form = TenderForm(_data(request))
    if request.method == "POST" and request.POST.get("action") != "summary" and form.is_valid():
        fields = form.service_fields()
        cpv_codes = fields.pop("cpv_codes")
        try:
            tender = services.tender_create_draft(
                authority=request.authority, acting_user=request.user, cpv_codes=cpv_codes, **fields
            )
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"Draft tender {tender.reference} has been saved.")
            return see_other(_tender_url(tender))
    return _tender_form_page(request, form, None)


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def tender_edit(request, tender_id):
    tender = _tender(request, tender_id)
    if refused := _refuse_unless_draft(request, tender):
        return refused
    form = TenderForm(_data(request), tender=tender)
    if request.method == "POST" and request.POST.get("action") != "summary" and form.is_valid():
        fields = form.service_fields()
        cpv_codes = fields.pop("cpv_codes")
        try:
            services.tender_update_draft(tender=tender, acting_user=request.user, cpv_codes=cpv_codes, **fields)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, "The tender's details have been saved.")
            return see_other(_tender_url(tender, "details"))
    return _tender_form_page(request, form, tender)


# The tender page --------------------------------------------------------------------------------------------


@authority_permission("tenders.view")
def tender_detail(request, tender_id):
    tender = _tender(request, tender_id)
    detail = selectors.tender_detail(tender)
    can_manage = has_permission(request.roles, "tenders.manage")
    return render(
        request,
        "tenders/intake/tender_detail.html",
        {
            "tender": tender,
            "detail": detail,
            "can_manage": can_manage,
            "editable": can_manage and tender.status == TenderStatus.DRAFT,
            # How many offers and where the seal stands: never their content (tenders/sealing.py).
            "offers": sealing.offers_summary(tender),
            "can_open_offers": has_permission(request.roles, "offers.open"),
            "can_view_offers": has_permission(request.roles, "offers.view"),
            "evaluation": _evaluation_of(tender),
            "can_start_evaluation": has_permission(request.roles, "evaluation.manage"),
            "can_view_evaluation": has_permission(request.roles, "evaluation.view"),
        },
    )


def _evaluation_of(tender):
    # Through the reverse relation: tenders does not import evaluation (the dependency runs the other way).
    if tender.offers_opened_at is None:
        return None
    try:
        return tender.evaluation
    except ObjectDoesNotExist:
        return None


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def tender_weightings(request, tender_id):
    tender = _tender(request, tender_id)
    if request.htmx and request.POST.get("action") == "total":
        total = sum(
            (typed_decimal(request.POST, n) or 0 for n in ("price_weight", "quality_weight", "social_value_weight")),
            Decimal("0"),
        )
        sv = typed_decimal(request.POST, "social_value_weight")
        context = {
            "tender": tender,
            "total": total,
            "out_of_band": sv is not None and services.outside_band(request.authority, sv),
        }
        return render(request, "tenders/intake/weightings.html#total", context)
    if refused := _refuse_unless_draft(request, tender):
        return refused
    form = WeightingsForm(
        _data(request),
        authority=request.authority,
        initial={
            "price_weight": tender.price_weight,
            "quality_weight": tender.quality_weight,
            "social_value_weight": tender.social_value_weight,
            "weighting_justification": tender.weighting_justification,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_weightings_set(tender=tender, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, "Weightings saved.")
            return see_other(_tender_url(tender, "weightings"))
    source = request.POST if form.is_bound else form.initial
    total = sum(
        (typed_decimal(source, n) or 0 for n in ("price_weight", "quality_weight", "social_value_weight")),
        Decimal("0"),
    )
    sv = typed_decimal(source, "social_value_weight")
    return render(
        request,
        "tenders/intake/weightings.html",
        {
            "tender": tender,
            "form": form,
            "total": total,
            "out_of_band": sv is not None and services.outside_band(request.authority, sv),
        },
        status=form_status(form),
    )


# Relevant measures ------------------------------------------------------------------------------------------


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def relevant_measure_add(request, tender_id):
    """Without `measure`: the measures of the adopted charter to choose from (for the whole tender or `lot`).
    With `measure`: the form to say why it is relevant, its quantity and weight."""
    tender = _tender(request, tender_id)
    if refused := _refuse_unless_draft(request, tender):
        return refused
    params = request.POST if request.method == "POST" else request.GET
    lot = None
    if params.get("lot"):
        lot = selectors.lot_for_tender(tender, params["lot"])
        if lot is None:
            raise Http404("No such lot")
    measure = None
    if params.get("measure"):
        if not str(params["measure"]).isdigit():
            raise Http404("No such measure")
        measure = selectors.charter_measure_for_tender(tender, params["measure"])
        if measure is None:
            raise Http404("No such measure")
    if measure is None:
        return render(
            request,
            "tenders/intake/measure_choose.html",
            {
                "tender": tender,
                "lot": lot,
                "lots": selectors.lots_for_tender(tender),
                "groups": selectors.measure_choices(tender, lot=lot),
                "value": lot.estimated_value if lot else tender.estimated_value,
            },
        )
    form = RelevantMeasureForm(
        request.POST if request.method == "POST" else None, unit_label=measure.get_unit_display()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.relevant_measure_add(
                tender=tender, acting_user=request.user, charter_measure=measure, lot=lot, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            where = f"lot {lot.number}" if lot else "the tender"
            messages.success(request, f"{measure.code} has been added to {where}.")
            return see_other(_tender_url(tender, "relevant-measures"))
    return render(
        request,
        "tenders/intake/measure_form.html",
        {"tender": tender, "lot": lot, "measure": measure, "form": form, "relevant": None},
        status=form_status(form),
    )


@authority_permission("tenders.manage")
@require_POST
def relevant_measures_follow_charter(request, tender_id):
    tender = _tender(request, tender_id)
    try:
        moved = services.relevant_measures_follow_charter(tender=tender, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{moved} relevant measure{'s' if moved != 1 else ''} now follow the adopted charter."
        )
    return see_other(_tender_url(tender, "relevant-measures"))


def _relevant_measure(request, relevant_measure_id) -> RelevantMeasure:
    return get_object_or_404(
        RelevantMeasure.objects.select_related("tender__authority", "lot", "charter_measure"),
        pk=relevant_measure_id,
        authority=request.authority,
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def relevant_measure_edit(request, relevant_measure_id):
    relevant = _relevant_measure(request, relevant_measure_id)
    tender = relevant.tender
    if refused := _refuse_unless_draft(request, tender):
        return refused
    measure = relevant.charter_measure
    form = RelevantMeasureForm(
        _data(request),
        unit_label=measure.get_unit_display(),
        initial={
            "reason": relevant.reason,
            "quantity": relevant.quantity,
            "quantity_kind": relevant.quantity_kind,
            "weight": relevant.weight,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.relevant_measure_update(relevant_measure=relevant, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"{measure.code} has been saved.")
            return see_other(_tender_url(tender, "relevant-measures"))
    return render(
        request,
        "tenders/intake/measure_form.html",
        {"tender": tender, "lot": relevant.lot, "measure": measure, "form": form, "relevant": relevant},
        status=form_status(form),
    )


def _remove_page(request, tender, *, item, kind, remove, consequence=""):
    if refused := _refuse_unless_draft(request, tender):
        return refused
    error = None
    if request.method == "POST":
        try:
            remove()
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, f"The {kind} “{item}” has been removed.")
            return see_other(_tender_url(tender))
    return render(
        request,
        "tenders/intake/remove_confirm.html",
        {
            "tender": tender,
            "item": item,
            "kind": kind,
            "consequence": consequence,
            "error": error,
            "page_has_errors": bool(error),
        },
        status=422 if error else 200,
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def relevant_measure_remove(request, relevant_measure_id):
    relevant = _relevant_measure(request, relevant_measure_id)
    label = f"{relevant.charter_measure.code} {relevant.charter_measure.title}"
    return _remove_page(
        request,
        relevant.tender,
        item=label,
        kind="relevant measure",
        remove=lambda: services.relevant_measure_remove(relevant_measure=relevant, acting_user=request.user),
    )


# Questions --------------------------------------------------------------------------------------------------


def _question_page(request, tender, form, question):
    return render(
        request,
        "tenders/intake/question_form.html",
        {"tender": tender, "form": form, "question": question},
        status=form_status(form),
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def question_add(request, tender_id):
    tender = _tender(request, tender_id)
    if refused := _refuse_unless_draft(request, tender):
        return refused
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in ("quality", "social_value") else {}
    form = QuestionForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_add(tender=tender, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"The {question.get_kind_display().lower()} question has been added.")
            return see_other(_tender_url(tender, "questions"))
    return _question_page(request, tender, form, None)


def _question(request, question_id) -> Question:
    question = selectors.question_for_staff(request.authority, question_id)
    if question is None:
        raise Http404("No such question")
    return question


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def question_edit(request, question_id):
    question = _question(request, question_id)
    tender = question.tender
    if refused := _refuse_unless_draft(request, tender):
        return refused
    form = QuestionForm(_data(request), question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(question=question, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, "The question has been saved.")
            return see_other(_tender_url(tender, "questions"))
    return _question_page(request, tender, form, question)


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def question_remove(request, question_id):
    question = _question(request, question_id)
    return _remove_page(
        request,
        question.tender,
        item=str(question),
        kind="question",
        remove=lambda: services.question_remove(question=question, acting_user=request.user),
    )


# Lots -------------------------------------------------------------------------------------------------------


def _lot(request, lot_id) -> Lot:
    return get_object_or_404(Lot.objects.select_related("tender__authority"), pk=lot_id, authority=request.authority)


def _lot_page(request, tender, form, lot):
    return render(
        request,
        "tenders/intake/lot_form.html",
        {"tender": tender, "form": form, "lot": lot},
        status=form_status(form),
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def lot_add(request, tender_id):
    tender = _tender(request, tender_id)
    if refused := _refuse_unless_draft(request, tender):
        return refused
    form = LotForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.lot_add(tender=tender, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"Lot {lot.number} has been added.")
            return see_other(_tender_url(tender, "lots"))
    return _lot_page(request, tender, form, None)


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def lot_edit(request, lot_id):
    lot = _lot(request, lot_id)
    tender = lot.tender
    if refused := _refuse_unless_draft(request, tender):
        return refused
    form = LotForm(_data(request), initial={name: getattr(lot, name) for name in services.LOT_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_update(lot=lot, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"Lot {lot.number} has been saved.")
            return see_other(_tender_url(tender, "lots"))
    return _lot_page(request, tender, form, lot)


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def lot_remove(request, lot_id):
    lot = _lot(request, lot_id)
    return _remove_page(
        request,
        lot.tender,
        item=str(lot),
        kind="lot",
        remove=lambda: services.lot_remove(lot=lot, acting_user=request.user),
        consequence="Its own relevant measures are removed too, and later lots move up a number.",
    )


# Publication, cancellation, amendments ----------------------------------------------------------------------


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def tender_publish(request, tender_id):
    tender = _tender(request, tender_id)
    if refused := _refuse_unless_draft(request, tender):
        return refused
    now = timezone.now()
    form = PublishForm(_data(request))
    problems = services.tender_publish_blockers(tender, now=now)
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_publish(
                tender=tender,
                acting_user=request.user,
                confirm_short_period=form.cleaned_data["confirm_short_period"],
                now=now,
            )
        except services.TenderNotReady as error:
            problems = error.problems
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"Tender {tender.reference} has been published.")
            return see_other(_tender_url(tender))
    start = tender.procurement_start_date or timezone.localdate(now)
    refused = request.method == "POST" and bool(problems)
    return render(
        request,
        "tenders/intake/publish.html",
        {
            "tender": tender,
            "form": form,
            "problems": problems,
            "page_has_errors": refused,
            "planned_later": tender.publish_at is not None and tender.publish_at > now,
            "warning": services.short_period_warning(now, tender.submission_deadline),
            "threshold": services.threshold_assessment(tender, start_date=start) if not problems else None,
            "reporting": selectors.tender_reporting_level(tender),
        },
        status=422 if refused else form_status(form),
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def tender_cancel(request, tender_id):
    tender = _tender(request, tender_id)
    if tender.status == TenderStatus.CANCELLED:
        return _locked(request, tender, status=409 if request.method == "POST" else 200)
    form = ReasonForm(
        _data(request),
        label="Why is the tender being cancelled?",
        required_message="Enter why the tender is cancelled",
        help_text="Bidders who asked questions are told this." if tender.status != TenderStatus.DRAFT else "",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_cancel(tender=tender, acting_user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, f"Tender {tender.reference} has been cancelled.")
            return see_other(_tender_url(tender))
    return render(request, "tenders/intake/cancel.html", {"tender": tender, "form": form}, status=form_status(form))


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def tender_amend(request, tender_id):
    tender = _tender(request, tender_id)
    now = timezone.now()
    if selectors.effective_status(tender, now) != TenderStatus.PUBLISHED:
        return _locked(request, tender, status=409 if request.method == "POST" else 200)
    form = AmendmentForm(_data(request), tender=tender)
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_amend(
                tender=tender, acting_user=request.user, reason=form.cleaned_data["reason"], now=now, **form.changes()
            )
        except DomainError as error:
            add_domain_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, "The amendment has been published. Bidders who asked questions are told.")
            return see_other(_tender_url(tender, "amendments"))
    return render(request, "tenders/intake/amend.html", {"tender": tender, "form": form}, status=form_status(form))


staff_urlpatterns = [
    path("tenders/", tender_list, name="tender-list"),
    path("tenders/new/", tender_create, name="tender-create"),
    path("tenders/<int:tender_id>/", tender_detail, name="tender-detail"),
    path("tenders/<int:tender_id>/edit/", tender_edit, name="tender-edit"),
    path("tenders/<int:tender_id>/weightings/", tender_weightings, name="tender-weightings"),
    path("tenders/<int:tender_id>/measures/", relevant_measure_add, name="relevant-measure-add"),
    path(
        "tenders/<int:tender_id>/measures/follow-charter/",
        relevant_measures_follow_charter,
        name="relevant-measures-follow-charter",
    ),
    path("tenders/<int:tender_id>/questions/add/", question_add, name="question-add"),
    path("tenders/<int:tender_id>/lots/add/", lot_add, name="lot-add"),
    path("tenders/<int:tender_id>/publish/", tender_publish, name="tender-publish"),
    path("tenders/<int:tender_id>/cancel/", tender_cancel, name="tender-cancel"),
    path("tenders/<int:tender_id>/amend/", tender_amend, name="tender-amend"),
    path("tenders/relevant-measures/<int:relevant_measure_id>/", relevant_measure_edit, name="relevant-measure-edit"),
    path(
        "tenders/relevant-measures/<int:relevant_measure_id>/remove/",
        relevant_measure_remove,
        name="relevant-measure-remove",
    ),
    path("tenders/questions/<int:question_id>/", question_edit, name="question-edit"),
    path("tenders/questions/<int:question_id>/remove/", question_remove, name="question-remove"),
    path("tenders/lots/<int:lot_id>/", lot_edit, name="lot-edit"),
    path("tenders/lots/<int:lot_id>/remove/", lot_remove, name="lot-remove"),
]
public_urlpatterns = []
platform_urlpatterns = []
