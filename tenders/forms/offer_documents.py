"""The upload form for an offer's supporting documents (the file is judged by tenders/documents.py)."""

from django import forms

from .. import documents


class DocumentUploadForm(forms.Form):
    # Not `required`: a file dropped for its size arrives as no file, and needs its own message (clean_file).
    file = forms.FileField(
        label="Upload a file",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="For example, ‘Letter of support from Moor End Community Trust’.",
        required=False,
        max_length=documents.DESCRIPTION_MAX_LENGTH,
        error_messages={
            "max_length": f"The description must be {documents.DESCRIPTION_MAX_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        # Read when the form is made, so a changed setting shows at once.
        hint = f"A PDF, DOCX or XLSX file, {documents.max_size_label()} or smaller. Files with macros are not accepted."
        self.fields["file"].help_text = hint

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large:
            raise forms.ValidationError(f"The selected file must be {documents.max_size_label()} or smaller")
        if not upload:
            raise forms.ValidationError("Select a file to upload")
        return upload
