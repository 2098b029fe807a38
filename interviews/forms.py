from django import forms


class ResumeUploadForm(forms.Form):
    file = forms.FileField(
        label="Resume (PDF)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text="PDF with a text layer, at most 10 MB and 20 pages.",
    )
