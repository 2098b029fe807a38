from __future__ import annotations

from django import forms

from api.models import WebhookEvent


class APIKeyForm(forms.Form):
    name = forms.CharField(
        max_length=50, help_text="What will use it, e.g. “ATS sync (production)”."
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. The key stops working at the start of this day (UTC).",
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[e.value for e in WebhookEvent],
    )
