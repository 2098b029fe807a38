"""Webhook delivery: one task per (event, endpoint), so a slow or dead receiver holds up
nothing but its own retries."""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.tenancy import scopes_disabled
from api.models import DeliveryStatus, WebhookDelivery
from api.webhooks import payload_body, signed_headers

logger = logging.getLogger("api.webhooks")

USER_AGENT = "Vetta-Webhooks/1"


def retry_countdown(attempt: int) -> int:
    """Seconds before try ``attempt + 1``: exponential from the base, capped, with up to
    a fifth of jitter so endpoints that failed together do not retry together."""
    base = settings.VETTA_WEBHOOK_RETRY_BASE_S * 2 ** (attempt - 1)
    base = min(base, settings.VETTA_WEBHOOK_RETRY_MAX_S)
    return int(base + random.uniform(0, base / 5))


class DeliveryRefusedError(Exception):
    """The endpoint's address is one we will not send to (private network in production)."""


def _check_destination(url: str) -> None:
    if settings.VETTA_WEBHOOK_ALLOW_PRIVATE:
        return
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise DeliveryRefusedError("webhook URLs must use https")
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443)
    except socket.gaierror as error:
        raise DeliveryRefusedError(f"cannot resolve {parts.hostname}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DeliveryRefusedError(f"{parts.hostname} resolves to a non-public address")


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.VETTA_WEBHOOK_TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@shared_task(time_limit=60, soft_time_limit=45, acks_late=True)
def deliver_webhook(delivery_id: int) -> str:
    """Send one delivery once; on failure record it and schedule the next try.

    Idempotent: a delivery that already succeeded or finally failed is left alone. Secrets
    are read at send time, so a retry after a rotation is signed with the new secret.
    """
    # A task looks up its row by id; the row carries its organization.
    with scopes_disabled(), transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return "skipped"
        if not delivery.endpoint.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "endpoint disabled"
            delivery.next_retry_at = None
            delivery.save(update_fields=["status", "last_error", "next_retry_at"])
            return "failed"
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
        endpoint = delivery.endpoint
        body = payload_body(delivery.payload)
        now = timezone.now()
        headers = signed_headers(
            secrets_=endpoint.signing_secrets(now=now),
            msg_id=delivery.event_id,
            timestamp=int(now.timestamp()),
            body=body,
        )

    code: int | None = None
    error = ""
    try:
        _check_destination(endpoint.url)
        code = _post(endpoint.url, body, headers)
    except DeliveryRefusedError as refused:
        error = str(refused)
    except (OSError, ValueError) as failure:  # refused, reset, timeout, bad URL
        error = f"{type(failure).__name__}: {failure}"[:300]

    fields = ["status", "response_code", "last_error", "next_retry_at", "delivered_at"]
    with scopes_disabled():
        delivery.response_code = code
        if code is not None and 200 <= code < 300:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.next_retry_at = None
            delivery.save(update_fields=fields)
            return "succeeded"
        delivery.last_error = error or f"HTTP {code}"
        if delivery.attempts >= settings.VETTA_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_retry_at = None
            delivery.save(update_fields=fields)
            logger.warning("Webhook delivery %s failed for good: %s", delivery.pk, error)
            return "failed"
        countdown = retry_countdown(delivery.attempts)
        delivery.next_retry_at = timezone.now() + timedelta(seconds=countdown)
        delivery.save(update_fields=fields)
    deliver_webhook.apply_async((delivery_id,), countdown=countdown)
    return "retrying"


@shared_task(time_limit=120, soft_time_limit=100)
def purge_idempotency_records() -> int:
    from api.idempotency import idempotency_records_purge

    return idempotency_records_purge()
