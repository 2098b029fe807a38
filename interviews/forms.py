from django import forms


class ResumeUploadForm(forms.Form):
    file = forms.FileField(
        label="Resume (PDF)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text="PDF with a text layer, at most 10 MB and 20 pages.",
    )


class ContestForm(forms.Form):
    reason = forms.CharField(
        label="Why do you believe the tier is wrong?",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        min_length=30,
        max_length=5000,
        help_text=(
            "Be specific: which part of the interview, and what you think was missed."
            " You can contest a tier once."
        ),
    )
