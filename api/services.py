"""Writes for API keys and webhook endpoints. Guard, lock, act."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.errors import DomainError, PermissionDeniedError
from accounts.models import Membership, Organization, Role, User
from api.auth import forget_api_key
from api.models import KEY_GENERATOR, OrganizationAPIKey, WebhookEndpoint, WebhookEvent
from api.webhooks import secret_generate


def _require_admin(actor: Membership, what: str) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDeniedError(f"Only an organization admin or owner can {what}.")


def api_key_create(
    *, actor: Membership, name: str, expires_at=None
) -> tuple[OrganizationAPIKey, str]:
    """A new key; the second value is the key itself, which is never shown again."""
    _require_admin(actor, "create API keys")
    name = name.strip()
    if not name:
        raise DomainError("Give the key a name, e.g. the system that will use it.")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("The expiry date must be in the future.")
    raw, prefix, hashed = KEY_GENERATOR.generate()
    api_key = OrganizationAPIKey(
        organization=actor.organization,
        name=name[:50],
        created_by=actor.user,
        expiry_date=expires_at,
    )
    api_key.id = f"{prefix}.{hashed}"
    api_key.prefix = prefix
    api_key.hashed_key = hashed
    api_key.save()
    return api_key, raw


def api_key_revoke(*, actor: Membership, api_key: OrganizationAPIKey) -> None:
    _require_admin(actor, "revoke API keys")
    OrganizationAPIKey.objects.filter(pk=api_key.pk, revoked=False).update(
        revoked=True, revoked_at=timezone.now()
    )
    forget_api_key(api_key.prefix)


def _clean_events(events: list[str]) -> list[str]:
    valid = {e.value for e in WebhookEvent}
    unknown = sorted(set(events) - valid)
    if unknown:
        raise DomainError(f"Unknown event types: {', '.join(unknown)}.", code="invalid")
    if not events:
        raise DomainError("Choose at least one event.", code="invalid")
    return [e.value for e in WebhookEvent if e.value in set(events)]


def _clean_url(url: str) -> str:
    if not settings.VETTA_WEBHOOK_ALLOW_PRIVATE and not url.startswith("https://"):
        raise DomainError("Webhook URLs must use https.", code="invalid")
    return url


def webhook_endpoint_create(
    *,
    organization: Organization,
    url: str,
    events: list[str],
    description: str = "",
    created_by: User | None = None,
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=_clean_url(url),
        events=_clean_events(events),
        description=description,
        secret=secret_generate(),
        created_by=created_by,
    )


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing next to it for the overlap window."""
    overlap = timedelta(seconds=settings.VETTA_WEBHOOK_SECRET_OVERLAP_S)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update(of=("self",)).get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + overlap
        locked.secret = secret_generate()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return locked
