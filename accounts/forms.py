import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from . import tokens
from .models import Authority, OrganisationKind
from .roles import Role
from .widgets import GovukCheckboxSelectMultiple, GovukRadioSelect

POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter your email address"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Passwords are case-sensitive.",
        "inactive": "This account has been deactivated.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class RegisterForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 10 characters. Avoid common words and passwords you use elsewhere.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        elif password1:
            try:
                from .models import User

                password_validation.validate_password(
                    password1, User(email=data.get("email", ""), full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class GovukPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class GovukSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 10 characters."
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class GovukPasswordChangeForm(PasswordChangeForm):
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 10 characters."
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"


ROLE_CHOICES = [(role.value, role.label) for role in Role]
ROLE_HINTS = {
    Role.ADMIN: "Manages members, roles and settings, and reads the audit log",
    Role.COMMISSIONER: "Writes the charter and runs consultations",
    Role.PROCUREMENT_OFFICER: "Creates tenders, opens bids, runs evaluations and awards contracts",
    Role.EVALUATOR: "Scores offers on the tenders they are assigned to",
    Role.CONTRACT_MANAGER: "Follows up contracts and verifies delivery reports",
}


class RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=ROLE_CHOICES,
            label="Roles",
            help_text="Select all that apply.",
            widget=GovukCheckboxSelectMultiple(option_hints={role.value: hint for role, hint in ROLE_HINTS.items()}),
            error_messages={"required": "Select at least one role", "invalid_choice": "Select a role from the list"},
            **kwargs,
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text=(
            "We will send an invitation link to this address. "
            f"It expires after {settings.INVITATION_MAX_AGE_DAYS} days."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address of the person to invite",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    roles = RolesField()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MemberRolesForm(forms.Form):
    roles = RolesField()


class AuthoritySettingsForm(forms.ModelForm):
    class Meta:
        model = Authority
        fields = ["consultation_weeks", "sv_weighting_min", "sv_weighting_max", "light_touch_below"]
        help_texts = {
            "consultation_weeks": "The local Compact expects 12 weeks. Shorter consultations need a recorded reason.",
            "sv_weighting_min": "Tenders weighting social value below this need a written justification.",
            "sv_weighting_max": "Tenders weighting social value above this need a written justification.",
            "light_touch_below": "Contracts below this value report with a simple milestone tracker, half-yearly.",
        }
        error_messages = {
            "consultation_weeks": {
                "required": "Enter the default consultation length in weeks",
                "min_value": "The consultation length must be at least 1 week",
                "max_value": "The consultation length must be 52 weeks or fewer",
                "invalid": "The consultation length must be a whole number of weeks",
            },
            "sv_weighting_min": {
                "required": "Enter the lowest social value weighting",
                "max_value": "The weighting must be 100% or less",
                "invalid": "The weighting must be a whole number",
            },
            "sv_weighting_max": {
                "required": "Enter the highest social value weighting",
                "max_value": "The weighting must be 100% or less",
                "invalid": "The weighting must be a whole number",
            },
            "light_touch_below": {
                "required": "Enter the contract value below which reporting is light-touch",
                "min_value": "The value must be £0 or more",
                "invalid": "Enter the value as a number, like 100000",
            },
        }
        widgets = {
            "consultation_weeks": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "sv_weighting_min": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "sv_weighting_max": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "light_touch_below": forms.NumberInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        }

    def clean(self):
        data = super().clean()
        low, high = data.get("sv_weighting_min"), data.get("sv_weighting_max")
        if low is not None and high is not None and low > high:
            self.add_error("sv_weighting_min", "The lowest weighting must not be more than the highest weighting")
        return data


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you registering?",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you are registering a supplier or a community group"},
    )
    name = forms.CharField(
        label="Organisation name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter the organisation's name"},
    )
    company_number = forms.CharField(
        label="Company number (optional)",
        required=False,
        max_length=8,
        help_text="8 characters from Companies House, like 01234567 or SC123456",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    charity_number = forms.CharField(
        label="Charity number (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=8,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
        error_messages={"required": "Enter a postcode"},
    )
    is_sme = forms.BooleanField(label="We are a small or medium-sized enterprise (SME)", required=False)
    is_vcse = forms.BooleanField(label="We are a voluntary, community or social enterprise (VCSE)", required=False)
    description = forms.CharField(
        label="What does your organisation do? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_company_number(self):
        value = self.cleaned_data["company_number"].strip().upper().replace(" ", "")
        if value and not re.fullmatch(r"(\d{8}|[A-Z]{2}\d{6})", value):
            raise forms.ValidationError("Enter a company number in the correct format, like 01234567 or SC123456")
        return value

    def clean_charity_number(self):
        value = self.cleaned_data["charity_number"].strip().upper().replace(" ", "")
        if value and not re.fullmatch(r"(\d{6,8}(-\d{1,2})?|SC\d{6})", value):
            raise forms.ValidationError("Enter a charity number in the correct format, like 1234567 or SC012345")
        return value

    def clean_postcode(self):
        value = " ".join(self.cleaned_data["postcode"].upper().split())
        compact = value.replace(" ", "")
        if len(compact) >= 5:
            value = compact[:-3] + " " + compact[-3:]
        if not POSTCODE_RE.match(value):
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA")
        return value


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the group's admins (optional)",
        required=False,
        max_length=500,
        help_text="For example, how you are involved with the group.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganisationMemberAddForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to add",
        help_text="They need an account already.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class DateRangeFilterForm(forms.Form):
    """A filter's optional from and to dates, both inclusive; a range that ends before it starts is refused at the
    to date. Subclasses add their own fields (and list them, dates included, in `field_order`)."""

    date_from = forms.DateField(
        label="From (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the from date as a real date"},
    )
    date_to = forms.DateField(
        label="To (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the to date as a real date"},
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


class AuditFilterForm(DateRangeFilterForm):
    verb = forms.ChoiceField(label="Action", required=False)
    object_type = forms.ChoiceField(label="Object type", required=False)
    actor = forms.CharField(label="Who (email contains)", required=False, max_length=100)
    field_order = ("verb", "object_type", "actor", "date_from", "date_to")

    def __init__(self, *args, verbs=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verb"].choices = [("", "Any action")] + [(verb, verb) for verb in verbs]
        self.fields["object_type"].choices = [("", "Any type")] + [(t, t) for t in object_types]


class ActingForGroupForm(forms.Form):
    """A form a community group member submits for one of their groups, in the subclass's `organisation` choice
    field: with one group there is nothing to choose, so it goes with the form hidden and the page names it; with
    several, radios."""

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(group.pk): group for group in groups}
        field = self.fields["organisation"]
        field.choices = [(key, group.name) for key, group in self.groups.items()]
        if len(self.groups) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.groups))
        else:
            field.widget = GovukRadioSelect(choices=field.choices)

    def chosen_group(self):
        return self.groups.get(self.cleaned_data.get("organisation", ""))


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="So you can tell your tokens apart, like “Monthly report script”.",
        max_length=tokens.NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": "Enter a name for the token",
            "max_length": f"The name must be {tokens.NAME_MAX_LENGTH} characters or fewer",
        },
    )
