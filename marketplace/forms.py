from __future__ import annotations

from django import forms

from interviews.models import Domain, Skill
from marketplace.models import MinimumTier
from marketplace.services import ProjectInput, RequirementInput
from matching.engine import MAX_REQUIREMENTS


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=160)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    domain = forms.ModelChoiceField(queryset=Domain.objects.filter(active=True), empty_label=None)
    minimum_tier = forms.ChoiceField(choices=MinimumTier.choices, initial=MinimumTier.EXPERT)
    rate_min = forms.IntegerField(min_value=0, label="Lowest rate (USD/h)")
    rate_max = forms.IntegerField(min_value=0, label="Highest rate (USD/h)")
    hours_per_week = forms.IntegerField(min_value=1, max_value=80, initial=20)
    seats = forms.IntegerField(min_value=1, max_value=100, initial=1)
    instant_offers = forms.BooleanField(
        required=False,
        help_text="When the project opens, offer it to the top matches at once, and later "
        "to newly certified candidates who fit.",
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("rate_min"), data.get("rate_max")
        if low is not None and high is not None and low > high:
            self.add_error("rate_max", "The highest rate must be at least the lowest.")
        return data

    def to_input(self) -> ProjectInput:
        d = self.cleaned_data
        return ProjectInput(
            title=d["title"],
            description=d["description"],
            domain=d["domain"],
            minimum_tier=d["minimum_tier"],
            rate_min=d["rate_min"],
            rate_max=d["rate_max"],
            hours_per_week=d["hours_per_week"],
            seats=d["seats"],
            instant_offers=d["instant_offers"],
        )


class RequirementForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), required=False)
    weight = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(1, 6)], coerce=int, initial=3
    )
    must_have = forms.BooleanField(required=False)


class BaseRequirementFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            skill = form.cleaned_data.get("skill")
            if skill is None:
                continue
            if skill.pk in seen:
                raise forms.ValidationError(f"{skill.name} is listed twice.")
            seen.add(skill.pk)

    def to_inputs(self) -> list[RequirementInput]:
        return [
            RequirementInput(
                skill=f.cleaned_data["skill"],
                weight=f.cleaned_data["weight"],
                must_have=f.cleaned_data["must_have"],
            )
            for f in self.forms
            if f.cleaned_data.get("skill") is not None
        ]


RequirementFormSet = forms.formset_factory(
    RequirementForm,
    formset=BaseRequirementFormSet,
    extra=0,
    max_num=MAX_REQUIREMENTS,
    validate_max=True,
)


class OfferForm(forms.Form):
    candidate = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
