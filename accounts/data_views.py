"""Candidate-portal pages for data rights: overview, JSON download, account deletion."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.data_rights import candidate_account_delete, candidate_data_export
from accounts.errors import DomainError
from accounts.http import AuthenticatedRequest
from accounts.services import candidate_profile_ensure


@login_required
def data_overview(request: AuthenticatedRequest) -> HttpResponse:
    candidate_profile_ensure(user=request.user)
    return render(request, "accounts/data_overview.html")


@login_required
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    payload = candidate_data_export(candidate=candidate)
    response = HttpResponse(
        json.dumps(payload, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"vetta-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        typed = (request.POST.get("confirm_email") or "").strip().lower()
        if typed != request.user.email.lower():
            error = "Type your e-mail address exactly to confirm."
        else:
            try:
                candidate_account_delete(user=request.user)
            except DomainError as refusal:
                error = refusal.message
            else:
                logout(request)
                messages.success(
                    request, "Your account, recordings, transcripts and resumes are deleted."
                )
                return redirect("home")
    status = 400 if error else 200
    return render(request, "accounts/data_delete.html", {"error": error}, status=status)
