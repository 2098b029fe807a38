from django import forms

from accounts.models import Candidate, Role


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=120, label="Organization name")


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RECRUITER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class CandidateProfileForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["headline", "hourly_rate", "hours_per_week", "available"]
