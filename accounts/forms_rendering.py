"""GOV.UK Frontend rendering for every Django form: the renderer, and a bound field that knows the GOV.UK ids.

Field templates live in templates/govuk/. Ids follow GOV.UK Frontend: for a field whose input has the id
`id_email`, the hint is `id_email-hint`, the error message `id_email-error` and a character count's message
`id_email-info`. Error summary links point at `govuk_target_id`: the input itself, the first radio or
checkbox, or the first part of a date that is wrong.
"""

import functools

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

from .widgets import GovukDateInput

# Widget attrs read by the field templates rather than rendered on the element. Setting a key to False in the
# attrs passed to the widget makes Django's attrs template leave it out.
TEMPLATE_ONLY_ATTRS = ("govuk_prefix", "govuk_suffix")


@functools.cache
def _django_form_templates():
    return DjangoTemplates()


class GovukBoundField(BoundField):
    """A BoundField with the ids, classes and attributes the GOV.UK templates need.

    Only adds `govuk_*` members: `{{ field }}`, `label_tag` and the rest keep Django's behaviour, so the admin
    (which shares the form renderer) is unaffected.
    """

    @cached_property
    def govuk_kind(self) -> str:
        return govuk_kind(self)

    @property
    def govuk_template(self) -> str:
        return f"govuk/fields/{self.govuk_kind}.html"

    @property
    def govuk_id(self) -> str:
        return self.field.widget.attrs.get("id") or self.auto_id

    @property
    def govuk_hint_id(self) -> str:
        return f"{self.govuk_id}-hint"

    @property
    def govuk_error_id(self) -> str:
        return f"{self.govuk_id}-error"

    @property
    def govuk_info_id(self) -> str:
        return f"{self.govuk_id}-info"

    @property
    def govuk_target_id(self) -> str:
        """The element the label points at and the error summary links to."""
        return govuk_target_id(self)

    @property
    def govuk_maxlength(self):
        return self.field.widget.attrs.get("maxlength")

    @property
    def govuk_prefix(self):
        return self.field.widget.attrs.get("govuk_prefix")

    @property
    def govuk_suffix(self):
        return self.field.widget.attrs.get("govuk_suffix")

    @property
    def govuk_container_class(self) -> str:
        """For radios and checkboxes, the widget's class attr styles the group (govuk-radios--inline...)."""
        return self.field.widget.attrs.get("class", "")

    @property
    def govuk_describedby(self) -> str:
        ids = []
        if given := self.field.widget.attrs.get("aria-describedby"):
            ids.append(given)
        if self.govuk_kind == "character_count":
            ids.append(self.govuk_info_id)
        if self.help_text:
            ids.append(self.govuk_hint_id)
        if self.errors:
            ids.append(self.govuk_error_id)
        return " ".join(ids)

    @cached_property
    def govuk_error_parts(self) -> list[str]:
        """The parts of a date input the errors name (GovukDateField puts them in the error's params)."""
        parts = []
        for error in self.form.errors.as_data().get(self.name, []):
            for part in (error.params or {}).get("fields", ()):
                if part not in parts:
                    parts.append(part)
        return parts

    def govuk_widget(self):
        """The widget's HTML with the GOV.UK classes and aria-describedby."""
        kind = self.govuk_kind
        widget_attrs = self.field.widget.attrs
        attrs = {name: False for name in TEMPLATE_ONLY_ATTRS if name in widget_attrs}
        if kind == "date":
            attrs["govuk_error_parts"] = self.govuk_error_parts
            return self.as_widget(attrs=attrs)
        if kind in FIELDSET_KINDS or kind == "hidden":
            return self.as_widget(attrs=attrs or None)
        if kind == "generic":
            if describedby := self.govuk_describedby:
                attrs["aria-describedby"] = describedby
            return self.as_widget(attrs=attrs or None)
        base, error = INPUT_CLASSES[kind]
        # A single checkbox's own class styles its group (govuk_container_class), not the input.
        classes = [base] if kind == "checkbox" else [base, widget_attrs.get("class", "")]
        if self.errors and error:
            classes.append(error)
        attrs["class"] = " ".join(c for c in classes if c)
        if describedby := self.govuk_describedby:
            attrs["aria-describedby"] = describedby
        if kind == "character_count":
            # The count lets people type past the limit and tells them by how much; a maxlength attribute
            # would cut their text off silently. The form field still enforces the limit.
            attrs["maxlength"] = False
        if kind == "password":
            attrs.setdefault("spellcheck", "false")
            attrs.setdefault("autocapitalize", "none")
        return self.as_widget(attrs=attrs)

    @cached_property
    def govuk_options(self) -> list[dict]:
        """Radios and checkboxes: one dict per choice with the rendered input, its id, label and hint."""
        widget = self.field.widget
        input_class = "govuk-radios__input" if self.govuk_kind == "radios" else "govuk-checkboxes__input"
        attrs = self.build_widget_attrs({"id": self.govuk_id} if self.govuk_id else {})
        attrs["class"] = input_class
        attrs.update({name: False for name in TEMPLATE_ONLY_ATTRS if name in widget.attrs})
        hints = getattr(widget, "option_hints", None) or getattr(self.field, "option_hints", None) or {}
        options = []
        for data in widget.subwidgets(self.html_name, self.value(), attrs=attrs):
            data = {**data, "attrs": dict(data["attrs"])}
            option_id = data["attrs"].get("id", "")
            hint = hints.get(str(data["value"]), "")
            if hint and option_id:
                data["attrs"]["aria-describedby"] = f"{option_id}-item-hint"
            options.append(
                {
                    "tag": BoundWidget(widget, data, self.form.renderer).tag(),
                    "id": option_id,
                    "label": data["label"],
                    "hint": hint,
                    "hint_id": f"{option_id}-item-hint",
                }
            )
        return options


# kind -> (the element's GOV.UK class, its error modifier)
INPUT_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "password": (
        "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "govuk-input--error",
    ),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "character_count": ("govuk-textarea govuk-js-character-count", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
}
FIELDSET_KINDS = ("radios", "checkboxes", "date", "fieldset")


def govuk_kind(bound_field) -> str:
    """Which template in templates/govuk/fields/ renders this field, from its widget's class."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, GovukDateInput):
        return "date"
    # CheckboxSelectMultiple subclasses RadioSelect, so it is checked first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "character_count" if widget.attrs.get("maxlength") else "textarea"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.widgets.Input):
        return "input"
    if isinstance(widget, forms.MultiWidget) or widget.use_fieldset:
        return "fieldset"
    return "generic"


def govuk_target_id(bound_field) -> str:
    """The id the error summary links to; works for any BoundField, GOV.UK or not."""
    widget = bound_field.field.widget
    id_ = widget.attrs.get("id") or bound_field.auto_id
    if not id_:
        return ""
    if isinstance(widget, GovukDateInput):
        parts = getattr(bound_field, "govuk_error_parts", None) or [GovukDateInput.parts[0]]
        first = next(part for part in GovukDateInput.parts if part in parts)
        return f"{id_}_{first}"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        options = getattr(bound_field, "govuk_options", None)
        if options is None:
            options = [{"id": w.id_for_label} for w in bound_field.subwidgets]
        return options[0]["id"] if options and options[0]["id"] else id_
    return widget.id_for_label(id_) or id_


class GovukFormRenderer(TemplatesSetting):
    """Renders every form field with the GOV.UK Frontend markup in templates/govuk/."""

    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"
    bound_field_class = GovukBoundField

    def get_template(self, template_name):
        # Project templates first (so templates/ can override anything), then Django's own form templates,
        # which TemplatesSetting only finds when "django.forms" is in INSTALLED_APPS.
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return _django_form_templates().get_template(template_name)
