"""One middleware enters the tenant scope for every surface; nothing else does.

* client portal (URL namespace ``org``): the organization in the URL, if the user is a
  member of it; anyone else gets 404, exactly like a slug that does not exist;
* candidate portal (namespace ``candidate``): the organizations that sent this candidate
  an offer (candidates are global; their pages reach no other organization);
* partner API (URL namespace ``api``): the organization of the API key in the
  ``Authorization`` header (``api.auth.api_request``); no usable key is a 401 in the API's
  error format before any view runs;
* staff admin (``/admin/``): staff work across tenants, so scopes are disabled there;
* every other page: an empty scope, in which any organization-owned query raises.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.models import Organization
from accounts.selectors import membership_for
from accounts.tenancy import scope, scopes_disabled


class TenantScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            with scope():
                return self.get_response(request)

        if "api" in match.namespaces:
            from api.auth import api_request

            return api_request(request, self.get_response)
        if "org" in match.namespaces:
            return self._client_portal(request, match.kwargs.get("org_slug", ""))
        if "candidate" in match.namespaces:
            return self._candidate_portal(request)
        if "admin" in match.namespaces:
            # Staff review and export across organizations; the admin site itself allows
            # only staff in, and exports filter by organization explicitly.
            with scopes_disabled():
                return self.get_response(request)
        with scope():
            return self.get_response(request)

    def _candidate_portal(self, request: HttpRequest) -> HttpResponse:
        # Candidates are global, but their pages show offers, which organizations own: the
        # scope is exactly the organizations that offered this person something, so nothing
        # of any other organization is reachable from here. One small query.
        from marketplace.selectors import organizations_offering

        offering = (
            organizations_offering(user=request.user) if request.user.is_authenticated else []
        )
        with scope(organization=offering):
            return self.get_response(request)

    def _client_portal(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organization = Organization.objects.filter(slug=slug).first()
        membership = (
            membership_for(user=request.user, organization=organization) if organization else None
        )
        if membership is None:
            raise Http404("No such organization.")
        request.organization = organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        with scope(organization=organization):
            return self.get_response(request)


class StaffMFAMiddleware:
    """Staff must have TOTP set up before they reach the admin (candidates' audio is there)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.VETTA_STAFF_MFA_REQUIRED
            and user.is_authenticated
            and user.is_staff
            and request.path_info.startswith("/admin/")
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user):
                messages.warning(
                    request, "Staff accounts need two-factor authentication. Set it up to continue."
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)
