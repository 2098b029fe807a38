"""API keys: how a request proves which organization it acts for.

``Authorization: Api-Key <prefix>.<secret>``. :class:`accounts.middleware.TenantScopeMiddleware`
calls :func:`api_request` for every URL in the ``api`` namespace: it checks the key,
sets ``request.api_key`` and ``request.organization`` and enters that organization's
scope, so every view and serializer below it sees only that organization's rows. A
missing, malformed, revoked or expired key gets 401 before any view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Model, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, permissions
from rest_framework.request import Request

from accounts.models import Organization
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


KEY_CACHE_SECONDS = 10


def _key_cache_key(prefix: str) -> str:
    return f"api:key:{prefix}"


def _fields(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _freeze(api_key: OrganizationAPIKey) -> dict[str, Any]:
    """Plain values, not a pickled model (safe across deploys that change the models)."""
    return {
        "key": {f: getattr(api_key, f) for f in _fields(OrganizationAPIKey)},
        "organization": {f: getattr(api_key.organization, f) for f in _fields(Organization)},
    }


def _thaw(frozen: Any) -> OrganizationAPIKey | None:
    try:
        key_fields, org_fields = _fields(OrganizationAPIKey), _fields(Organization)
        if list(frozen["key"]) != key_fields or list(frozen["organization"]) != org_fields:
            return None  # written by another version of the models
        api_key = OrganizationAPIKey.from_db(
            DEFAULT_DB_ALIAS, key_fields, list(frozen["key"].values())
        )
        api_key.organization = Organization.from_db(
            DEFAULT_DB_ALIAS, org_fields, list(frozen["organization"].values())
        )
    except (KeyError, TypeError):
        return None
    return api_key


def forget_api_key(prefix: str) -> None:
    """Drop a key from the lookup cache: call it whenever a key is revoked or changed.

    Now and again after the transaction commits, so that a request that read the old row
    meanwhile cannot leave it cached."""
    cache_key = _key_cache_key(prefix)
    cache.delete(cache_key)
    transaction.on_commit(lambda: cache.delete(cache_key))


def _lookup(prefix: str) -> OrganizationAPIKey | None:
    """The key row with its organization: from Django's cache for KEY_CACHE_SECONDS.

    A revoke (api.services.api_key_revoke) and any save or delete of a key (admin) drop
    the entry. With a shared cache (Redis, production) that takes effect at once in every
    process; with the embedded per-process default, another process may accept a revoked
    key for at most KEY_CACHE_SECONDS. Expiry is checked on every request, cached or not.
    Unknown prefixes are not cached (they would let anyone fill the cache).
    """
    cache_key = _key_cache_key(prefix)
    api_key = _thaw(cached) if (cached := cache.get(cache_key)) is not None else None
    if api_key is not None:
        return api_key
    # The key names its organization: no scope can exist before we know which one.
    with scopes_disabled():
        # prefix is unique: no ORDER BY (first() would add one, and it costs compile time).
        found = list(
            OrganizationAPIKey.objects.select_related("organization")
            .filter(prefix=prefix)
            .order_by()[:1]
        )
    if not found:
        return None
    cache.set(cache_key, _freeze(found[0]), KEY_CACHE_SECONDS)
    return found[0]


# When this process last recorded a key's use: the conditional UPDATE below runs at most
# once per LAST_USED_RESOLUTION per key and process, whatever the cache holds.
# Keyed by prefix (unique, random: never reused the way a rolled-back id can be).
_last_used_written: dict[str, datetime] = {}


def _record_use(api_key: OrganizationAPIKey, now: datetime) -> None:
    written = _last_used_written.get(api_key.prefix)
    if written is not None and now - written < LAST_USED_RESOLUTION:
        return
    if len(_last_used_written) > 10_000:
        _last_used_written.clear()
    _last_used_written[api_key.prefix] = now
    with scopes_disabled():  # the key looked up by its own prefix
        OrganizationAPIKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
            pk=api_key.pk,
        ).update(last_used_at=now)


def api_key_authenticate(raw: str) -> OrganizationAPIKey | None:
    """The usable key that ``raw`` is, or None. Compares hashes in constant time."""
    prefix, dot, secret = raw.partition(".")
    if not dot or not prefix or not secret or len(raw) > 200:
        return None
    api_key = _lookup(prefix)
    if api_key is None or not api_key.is_usable:
        return None
    if not KEY_GENERATOR.verify(raw, api_key.hashed_key):
        return None
    _record_use(api_key, timezone.now())
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


@receiver(post_save, sender=OrganizationAPIKey, dispatch_uid="api_key_cache_save")
@receiver(post_delete, sender=OrganizationAPIKey, dispatch_uid="api_key_cache_delete")
def _key_changed(sender: type, instance: OrganizationAPIKey, **kwargs: Any) -> None:
    forget_api_key(instance.prefix)
