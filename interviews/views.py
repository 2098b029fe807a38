"""The candidate portal: dashboard, resume intake and feedback."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.errors import DomainError
from accounts.http import AuthenticatedRequest
from accounts.services import candidate_profile_ensure
from interviews import selectors, services
from interviews.forms import ContestForm, ResumeUploadForm
from interviews.models import Contest, Resume
from interviews.policies import contest_closes_at, policy_for


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    context = {
        "candidate": candidate,
        "resume": selectors.current_resume(candidate=candidate),
        "domains": selectors.dashboard_domains(candidate=candidate, now=timezone.now()),
    }
    return render(request, "interviews/dashboard.html", context)


@login_required
def contest_create(request: AuthenticatedRequest, credential_id: int) -> HttpResponse:
    """Contest a released tier, once, with a written reason."""
    candidate = candidate_profile_ensure(user=request.user)
    credential = (
        selectors.released_credentials(candidate=candidate).filter(pk=credential_id).first()
    )
    existing = Contest.objects.filter(
        credential_id=credential_id, credential__candidate=candidate
    ).first()
    if credential is None and existing is None:
        raise Http404("No such tier.")
    if existing is not None:
        return render(request, "interviews/contest.html", {"contest": existing})
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contest_open(
                candidate=candidate, credential_id=credential_id, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(
                request, "Your contest is with our staff. We will e-mail you the decision."
            )
            return redirect("candidate:dashboard")
    assert credential is not None  # no contest yet, so the 404 above let only a tier through
    policy = policy_for(credential.domain)
    context = {
        "form": form,
        "credential": credential,
        "contest_until": contest_closes_at(credential=credential, policy=policy),
    }
    return render(request, "interviews/contest.html", context, status=400 if form.errors else 200)


@login_required
def resume_upload(request: AuthenticatedRequest) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    form = ResumeUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte past the limit so an oversized file is refused without reading it all.
        data = upload.read(settings.VETTA_RESUME_MAX_BYTES + 1)
        try:
            resume = services.resume_upload(
                candidate=candidate, data=data, filename=upload.name or "resume.pdf"
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request, f"Resume version {resume.version} is now your current resume."
            )
            return redirect("candidate:resume_feedback", version=resume.version)
    resumes = Resume.objects.filter(candidate=candidate).order_by("-version")
    status = 400 if form.errors else 200
    return render(
        request, "interviews/resume_upload.html", {"form": form, "resumes": resumes}, status=status
    )


@login_required
def resume_feedback(request: AuthenticatedRequest, version: int) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    resume = Resume.objects.filter(candidate=candidate, version=version).first()
    if resume is None:
        raise Http404("No such resume version.")
    parsed = resume.parsed or {}
    bullets = parsed.get("bullets", [])
    with_number = [b for b in bullets if b.get("has_number")]
    facts = services.resume_facts(resume)
    topics = [
        f"your work as {r.title} at {r.employer}" for r in facts.roles if r.title and r.employer
    ][:3]
    skill_names = [s["name"] for s in parsed.get("skills", [])]
    context = {
        "resume": resume,
        "skills": parsed.get("skills", []),
        "roles": parsed.get("roles", []),
        "vague_bullets": parsed.get("vague_bullets", []),
        "quantified_bullets": parsed.get("quantified_bullets", []),
        "bullet_count": len(bullets),
        "with_number_count": len(with_number),
        "interview_topics": topics,
        "probe_skills": skill_names[:6],
    }
    return render(request, "interviews/resume_feedback.html", context)
