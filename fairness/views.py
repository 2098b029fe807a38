"""Candidate-portal pages: the voluntary demographic form and how a tier is decided."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthenticatedRequest
from accounts.services import candidate_profile_ensure
from fairness import services
from fairness.forms import DemographicForm
from interviews.models import Domain
from interviews.policies import policy_for


@login_required
def demographics(request: AuthenticatedRequest) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    answer = services.demographic_answer_of(candidate=candidate)
    if request.method == "POST" and request.POST.get("withdraw"):
        services.demographic_answer_withdraw(candidate=candidate)
        messages.success(request, "Your answers are deleted.")
        return redirect("candidate:demographics")
    initial = {"sex": answer.sex, "race_ethnicity": answer.race_ethnicity} if answer else {}
    form = DemographicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.demographic_answer_save(
            candidate=candidate,
            sex=form.cleaned_data["sex"],
            race_ethnicity=form.cleaned_data["race_ethnicity"],
        )
        messages.success(request, "Thank you. Your answers are saved apart from your profile.")
        return redirect("candidate:demographics")
    return render(
        request, "fairness/demographics.html", {"form": form, "answered": answer is not None}
    )


@login_required
def assessment_explanation(request: AuthenticatedRequest) -> HttpResponse:
    from interviews.engine.grader import PENALTY_AFTER_SECONDS, TARGET_SECONDS, WEIGHTS

    candidate_profile_ensure(user=request.user)
    domains = [
        {"domain": domain, "policy": policy_for(domain)}
        for domain in Domain.objects.filter(active=True).select_related("policy")
    ]
    weights = {key: round(value * 100) for key, value in WEIGHTS.items()}
    return render(
        request,
        "fairness/assessment.html",
        {
            "domains": domains,
            "weights": weights,
            "target_s": int(TARGET_SECONDS),
            "penalty_after_s": int(PENALTY_AFTER_SECONDS),
        },
    )
