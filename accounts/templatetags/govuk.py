"""GOV.UK template tags, available in every template (a builtin in settings.TEMPLATES).

{% govuk_error_summary form %}             the error summary for one or more forms (or formsets)
{% govuk_error_summary form address_form %}
{{ form.email|govuk_field_id }}            the id the summary links to for a field
{{ page_obj|govuk_page_items }}            page numbers and gaps for govuk/pagination.html
{{ request.GET|govuk_without_page }}       the query string without "page"
"""

from django import template
from django.utils.http import urlencode

from accounts.forms_rendering import govuk_target_id

register = template.Library()


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms):
    """Every error of the given forms, each linking to its field; renders nothing when there are none."""
    items = []
    for form in forms:
        for each in _forms_in(form):
            items.extend(_error_items(each))
    return {"errors": items}


def _forms_in(form_or_formset):
    if form_or_formset is None or form_or_formset == "":
        return []
    if hasattr(form_or_formset, "forms") and hasattr(form_or_formset, "non_form_errors"):
        return [form_or_formset, *form_or_formset.forms]
    return [form_or_formset]


def _error_items(form):
    if not form.is_bound:
        return []
    if hasattr(form, "non_form_errors"):  # a formset's own errors (too many forms, and so on)
        return [{"message": message, "href": ""} for message in form.non_form_errors()]
    items = []
    visible = form.visible_fields()
    first_href = ""
    if visible and (first_id := govuk_target_id(visible[0])):
        first_href = f"#{first_id}"
    # Errors about the form as a whole link to its first field, where someone would start correcting it.
    for message in form.non_field_errors():
        items.append({"message": message, "href": first_href})
    for field in form.hidden_fields():  # nothing to link to; worded as Django's form template words them
        for message in field.errors:
            items.append({"message": f"(Hidden field {field.name}) {message}", "href": ""})
    for field in visible:
        target = govuk_target_id(field)
        for message in field.errors:
            items.append({"message": message, "href": f"#{target}" if target else ""})
    return items


@register.filter
def govuk_field_id(bound_field):
    """The id of the element a field's label points at and its error summary link targets."""
    return govuk_target_id(bound_field)


@register.filter
def govuk_page_items(page_obj, on_each_side=2):
    """Items for GOV.UK pagination: {"number", "current"} or {"ellipsis": True} for a gap."""
    paginator = page_obj.paginator
    items = []
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=int(on_each_side), on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "current": number == page_obj.number})
    return items


@register.filter
def govuk_without_page(query_dict):
    """A QueryDict (request.GET) as a query string, without the page parameter."""
    if not query_dict:
        return ""
    return urlencode([(key, value) for key, value in query_dict.lists() if key != "page"], doseq=True)
