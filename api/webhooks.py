"""Signed webhooks (Standard Webhooks, https://www.standardwebhooks.com/).

Each message carries three headers::

    webhook-id: msg_2b0c...            (the event id: the same on every retry)
    webhook-timestamp: 1767225600      (seconds since the epoch, when this try was signed)
    webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>

The key is the base64-decoded part of the endpoint's secret after ``whsec_``. After a
rotation the message is signed with the new and the previous secret, space-separated,
until the overlap window ends; a receiver accepts the message if any signature matches.

Services call :func:`event_emit` inside their transaction: the delivery rows are written
with the change they report, and the sending is queued once that transaction commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

SECRET_PREFIX = "whsec_"


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    *, secrets_: list[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_
        ),
    }


def payload_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def event_emit(*, organization: Organization, type: str, data: dict[str, Any]) -> list[int]:
    """Record ``type`` for every active endpoint of the organization that wants it, and
    send each after the surrounding transaction commits. Returns the delivery ids."""
    from api.tasks import deliver_webhook

    event_type = WebhookEvent(type)
    event_id = f"msg_{uuid.uuid4().hex}"
    now = timezone.now()
    payload = {"type": event_type.value, "timestamp": now.isoformat(), "data": data}
    # Round-trip through JSON now so what is stored is exactly what is sent.
    payload = json.loads(payload_body(payload))
    endpoints = WebhookEndpoint.objects.with_scope(organization=organization).filter(
        organization=organization, is_active=True
    )
    deliveries = [
        WebhookDelivery(
            organization=organization,
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type.value,
            payload=payload,
            created_at=now,
        )
        for endpoint in endpoints
        if event_type.value in endpoint.events
    ]
    if not deliveries:
        return []
    created = WebhookDelivery.objects.with_scope(organization=organization).bulk_create(deliveries)
    ids = [d.pk for d in created]
    for delivery_id in ids:
        transaction.on_commit(partial(deliver_webhook.delay, delivery_id))
    return ids


# --- what the marketplace calls ----------------------------------------------------------


def _offer_data(offer: Any) -> dict[str, Any]:
    return {
        "offer": {
            "id": offer.pk,
            "project": offer.project_id,
            "candidate": offer.candidate_id,
            "status": offer.status,
            "source": offer.source,
            "sent_at": offer.sent_at,
            "expires_at": offer.expires_at,
            "responded_at": offer.responded_at,
        }
    }


def offers_event(*, offer_ids: list[int], type: str) -> None:
    """Emit ``type`` for each of these offers (any organizations), as they are now.

    Call it inside the transaction that changed them: the deliveries commit with the
    change, and go out only if it does.
    """
    from accounts.tenancy import scopes_disabled
    from marketplace.models import Offer

    if not offer_ids:
        return
    # Ids come from the calling service, which may sweep several organizations (expiry).
    with scopes_disabled():
        offers = list(Offer.objects.filter(pk__in=offer_ids).select_related("organization"))
    for offer in offers:
        event_emit(organization=offer.organization, type=type, data=_offer_data(offer))


def project_event(*, project: Any, type: str) -> None:
    event_emit(
        organization=project.organization,
        type=type,
        data={
            "project": {
                "id": project.pk,
                "title": project.title,
                "status": project.status,
                "seats": project.seats,
            }
        },
    )
