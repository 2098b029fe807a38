"""The candidate portal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedRequest
from accounts.services import candidate_profile_ensure


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    return render(request, "interviews/dashboard.html", {"candidate": candidate})
