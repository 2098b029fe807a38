"""API keys: how a request proves which organization it acts for.

``Authorization: Api-Key <prefix>.<secret>``. :class:`accounts.middleware.TenantScopeMiddleware`
calls :func:`api_request` for every URL in the ``api`` namespace: it checks the key,
sets ``request.api_key`` and ``request.organization`` and enters that organization's
scope, so every view and serializer below it sees only that organization's rows. A
missing, malformed, revoked or expired key gets 401 before any view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, permissions
from rest_framework.request import Request

from accounts.tenancy import scope, scopes_disabled
from api.errors import error_response
from api.models import KEY_GENERATOR, OrganizationAPIKey

KEYWORD = "Api-Key"
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_CHALLENGE = {"WWW-Authenticate": f'{KEYWORD} realm="api"'}


def key_from_header(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    keyword, _, raw = header.strip().partition(" ")
    if keyword.lower() != KEYWORD.lower():
        return None
    return raw.strip() or None


def api_key_authenticate(raw: str) -> OrganizationAPIKey | None:
    """The usable key that ``raw`` is, or None. Compares hashes in constant time."""
    prefix, dot, secret = raw.partition(".")
    if not dot or not prefix or not secret or len(raw) > 200:
        return None
    # The key names its organization: no scope can exist before we know which one.
    with scopes_disabled():
        api_key = (
            OrganizationAPIKey.objects.select_related("organization").filter(prefix=prefix).first()
        )
    if api_key is None or not api_key.is_usable:
        return None
    if not KEY_GENERATOR.verify(raw, api_key.hashed_key):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        with scopes_disabled():  # same key, looked up above by its own prefix
            OrganizationAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_request(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """The partner-API branch of the tenant middleware."""
    raw = key_from_header(request)
    if raw is None:
        return error_response(
            401,
            "not_authenticated",
            f"Send your API key in the Authorization header: '{KEYWORD} <key>'.",
            headers=_CHALLENGE,
        )
    api_key = api_key_authenticate(raw)
    if api_key is None:
        return error_response(
            401,
            "authentication_failed",
            "The API key is not valid: it is malformed, revoked or expired.",
            headers=_CHALLENGE,
        )
    request.api_key = api_key  # type: ignore[attr-defined]
    request.organization = api_key.organization  # type: ignore[attr-defined]
    with scope(organization=api_key.organization):
        return get_response(request)


class OrganizationAPIKeyAuthentication(authentication.BaseAuthentication):
    """Hands DRF the key the middleware already checked; ``request.auth`` is the key."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, OrganizationAPIKey] | None:
        api_key = getattr(request._request, "api_key", None)
        if api_key is None:
            return None
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class HasOrganizationAPIKey(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.auth, OrganizationAPIKey)


class OrganizationAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.OrganizationAPIKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key of your organization, created by an "
            "organization admin on the API keys page of the client portal.",
        }
