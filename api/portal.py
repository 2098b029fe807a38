"""Client-portal pages for API keys and webhooks. Organization admins and owners only:
a key acts for the whole organization, and the delivery log shows what was sent."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import DomainError
from accounts.http import OrganizationRequest
from accounts.models import Role
from api import selectors, services
from api.forms import APIKeyForm, WebhookEndpointForm
from api.models import OrganizationAPIKey, WebhookEndpoint


def _require_admin(request: OrganizationRequest) -> None:
    if not request.membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only organization admins and owners manage the API.")


def api_keys(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    _require_admin(request)
    form = APIKeyForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            expires_on = form.cleaned_data["expires_on"]
            expires_at = datetime.combine(expires_on, time.min, tzinfo=UTC) if expires_on else None
            try:
                _api_key, new_key = services.api_key_create(
                    actor=request.membership, name=form.cleaned_data["name"], expires_at=expires_at
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                form = APIKeyForm()
        else:
            status = 400
    context = {
        "organization": request.organization,
        "keys": selectors.api_keys_of(organization=request.organization),
        "form": form,
        "new_key": new_key,
    }
    # The new key is rendered in this response and never again: no redirect, no storage.
    response = render(request, "api/keys.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def api_key_revoke(request: OrganizationRequest, org_slug: str, key_prefix: str) -> HttpResponse:
    _require_admin(request)
    api_key = get_object_or_404(OrganizationAPIKey, prefix=key_prefix)
    services.api_key_revoke(actor=request.membership, api_key=api_key)
    messages.success(request, f"The key “{api_key.name}” ({api_key.prefix}…) is revoked.")
    return redirect("org:api_keys", org_slug=org_slug)


def webhooks(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    _require_admin(request)
    form = WebhookEndpointForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.webhook_endpoint_create(
                    organization=request.organization,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                    created_by=request.user,
                )
            except DomainError as error:
                form.add_error("url", error.message)
                status = 400
            else:
                form = WebhookEndpointForm()
        else:
            status = 400
    context = {
        "organization": request.organization,
        "endpoints": selectors.webhook_endpoints_of(organization=request.organization),
        "form": form,
        "created": created,
    }
    response = render(request, "api/webhooks.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def webhook_detail(request: OrganizationRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    context = {
        "organization": request.organization,
        "endpoint": endpoint,
        "deliveries": selectors.recent_deliveries(endpoint=endpoint),
        "rotated": None,
    }
    return render(request, "api/webhook_detail.html", context)


@require_POST
def webhook_rotate(request: OrganizationRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    endpoint = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
    context = {
        "organization": request.organization,
        "endpoint": endpoint,
        "deliveries": selectors.recent_deliveries(endpoint=endpoint),
        "rotated": endpoint.secret,
    }
    response = render(request, "api/webhook_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def webhook_delete(request: OrganizationRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    services.webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, f"The endpoint {endpoint.url} is deleted.")
    return redirect("org:webhooks", org_slug=org_slug)
