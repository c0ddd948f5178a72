from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Renders every form field with the GOV.UK Frontend markup in templates/govuk/."""

    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"
