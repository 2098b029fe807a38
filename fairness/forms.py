from __future__ import annotations

from django import forms

from fairness.models import RaceEthnicity, Sex
from interviews.models import Domain


class DemographicForm(forms.Form):
    sex = forms.ChoiceField(
        label="Sex", choices=[("", "I'd rather not answer"), *Sex.choices], required=False
    )
    race_ethnicity = forms.ChoiceField(
        label="Race or ethnicity",
        choices=[("", "I'd rather not answer"), *RaceEthnicity.choices],
        required=False,
    )


class ReportForm(forms.Form):
    domain = forms.ModelChoiceField(queryset=Domain.objects.order_by("name"), empty_label=None)
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="To (inclusive)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The period must start before it ends.")
        return data
