"""Webhooks: Standard Webhooks signatures (checked by an independent verifier), retries
with growing pauses, secret rotation with an overlap window, and a dead receiver that
holds up nothing else."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from api import services as api_services
from api.models import DeliveryStatus, WebhookDelivery
from api.tasks import deliver_webhook
from api.webhooks import event_emit
from tests.api.receivers import closed_port_url, receiver


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """A receiver's check, written from the Standard Webhooks spec, not from our code."""
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > tolerance:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    for entry in headers["webhook-signature"].split(" "):
        version, _, sig = entry.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return True
    return False


def endpoint_for(org, url: str, events=("offer.sent",)):
    with scope(organization=org):
        return api_services.webhook_endpoint_create(organization=org, url=url, events=list(events))


def emit(org, django_capture_on_commit_callbacks, type="offer.sent", data=None) -> list[int]:
    with django_capture_on_commit_callbacks(execute=False):
        return event_emit(organization=org, type=type, data=data or {"offer": {"id": 1}})


def test_signature_verifies_with_the_documented_scheme(org_a, django_capture_on_commit_callbacks):
    with receiver() as (url, received):
        endpoint = endpoint_for(org_a, url)
        [delivery_id] = emit(org_a, django_capture_on_commit_callbacks)
        assert deliver_webhook.run(delivery_id) == "succeeded"
    [(headers, body)] = received.requests
    assert endpoint.secret.startswith("whsec_")
    assert verify(endpoint.secret, headers, body)
    assert not verify(endpoint.secret, headers, body + b" ")
    assert headers["content-type"] == "application/json"
    payload = json.loads(body)
    assert payload["type"] == "offer.sent" and payload["data"] == {"offer": {"id": 1}}
    with scopes_disabled():
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert headers["webhook-id"] == delivery.event_id
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 204)


def test_only_subscribed_active_endpoints_get_the_event(
    org_a, org_b, django_capture_on_commit_callbacks
):
    endpoint_for(org_a, "http://127.0.0.1:9/a", events=["offer.accepted"])
    wanted = endpoint_for(org_a, "http://127.0.0.1:9/b", events=["offer.sent", "offer.accepted"])
    endpoint_for(org_b, "http://127.0.0.1:9/c", events=["offer.sent"])
    ids = emit(org_a, django_capture_on_commit_callbacks)
    with scopes_disabled():
        assert [d.endpoint_id for d in WebhookDelivery.objects.filter(pk__in=ids)] == [wanted.pk]


def test_sending_is_queued_after_commit(org_a, django_capture_on_commit_callbacks):
    endpoint_for(org_a, "http://127.0.0.1:9/a")
    with (
        mock.patch.object(deliver_webhook, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        [delivery_id] = event_emit(organization=org_a, type="offer.sent", data={})
        delay.assert_not_called()
    delay.assert_called_once_with(delivery_id)


def test_retries_back_off_then_fail(settings, org_a, django_capture_on_commit_callbacks):
    settings.VETTA_WEBHOOK_MAX_ATTEMPTS = 6
    countdowns: list[int] = []
    with (
        receiver(status=500) as (url, received),
        mock.patch.object(
            deliver_webhook,
            "apply_async",
            side_effect=lambda args, countdown: countdowns.append(countdown),
        ),
    ):
        endpoint_for(org_a, url)
        [delivery_id] = emit(org_a, django_capture_on_commit_callbacks)
        outcomes = [deliver_webhook.run(delivery_id) for _ in range(6)]
    assert outcomes == ["retrying"] * 5 + ["failed"]
    assert len(received.requests) == 6
    assert len(countdowns) == 5
    assert all(b > a for a, b in itertools.pairwise(countdowns)), countdowns
    assert countdowns[0] >= settings.VETTA_WEBHOOK_RETRY_BASE_S
    assert countdowns[-1] >= 16 * settings.VETTA_WEBHOOK_RETRY_BASE_S
    with scopes_disabled():
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 6, 500)
    assert delivery.next_retry_at is None
    # Running it again changes nothing.
    assert deliver_webhook.run(delivery_id) == "skipped"


def test_a_retry_is_scheduled_with_its_time_recorded(org_a, django_capture_on_commit_callbacks):
    with mock.patch.object(deliver_webhook, "apply_async") as apply_async:
        endpoint_for(org_a, closed_port_url())
        [delivery_id] = emit(org_a, django_capture_on_commit_callbacks)
        assert deliver_webhook.run(delivery_id) == "retrying"
    countdown = apply_async.call_args.kwargs["countdown"]
    with scopes_disabled():
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.PENDING
    assert "ConnectionRefused" in delivery.last_error or "URLError" in delivery.last_error
    expected = timezone.now() + timedelta(seconds=countdown)
    assert abs((delivery.next_retry_at - expected).total_seconds()) < 5


def test_rotated_secret_signs_with_both_during_the_overlap(
    org_a, django_capture_on_commit_callbacks
):
    with receiver() as (url, received):
        endpoint = endpoint_for(org_a, url)
        old = endpoint.secret
        with scope(organization=org_a):
            rotated = api_services.webhook_endpoint_rotate_secret(endpoint=endpoint)
        assert rotated.secret != old and rotated.previous_secret == old
        [first] = emit(org_a, django_capture_on_commit_callbacks)
        deliver_webhook.run(first)
        # The overlap window ends: only the new secret signs.
        with scopes_disabled():
            type(rotated).objects.filter(pk=rotated.pk).update(
                previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
            )
        [second] = emit(org_a, django_capture_on_commit_callbacks)
        deliver_webhook.run(second)
    (h1, b1), (h2, b2) = received.requests
    assert len(h1["webhook-signature"].split(" ")) == 2
    assert verify(rotated.secret, h1, b1) and verify(old, h1, b1)
    assert len(h2["webhook-signature"].split(" ")) == 1
    assert verify(rotated.secret, h2, b2) and not verify(old, h2, b2)


def test_a_receiver_that_is_down_blocks_nothing_else(
    settings, celery_eager, org_a, django_capture_on_commit_callbacks
):
    settings.VETTA_WEBHOOK_TIMEOUT_S = 0.5
    real_apply_async = deliver_webhook.apply_async
    retries: list[int] = []

    def first_now_retries_later(args=None, kwargs=None, countdown=None, **options):
        if countdown is None:  # the first try, queued by event_emit: run it (eager)
            return real_apply_async(args, kwargs, **options)
        retries.append(countdown)
        return None

    with (
        receiver(status=204) as (good_url, good),
        receiver(status=500) as (failing_url, failing),
        receiver(status=204, delay=5) as (slow_url, _slow),
        mock.patch.object(deliver_webhook, "apply_async", side_effect=first_now_retries_later),
    ):
        endpoint_for(org_a, closed_port_url())
        endpoint_for(org_a, failing_url)
        endpoint_for(org_a, slow_url)
        endpoint_for(org_a, good_url)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            ids = event_emit(organization=org_a, type="offer.sent", data={"offer": {"id": 7}})
            ids += event_emit(organization=org_a, type="offer.sent", data={"offer": {"id": 8}})
        elapsed = time.monotonic() - started
    assert len(good.requests) == 2 and len(failing.requests) == 2
    assert elapsed < 4, "a slow receiver held up the others"
    with scopes_disabled():
        statuses = sorted(
            WebhookDelivery.objects.filter(pk__in=ids).values_list("status", flat=True)
        )
    assert statuses.count("succeeded") == 2
    assert statuses.count("pending") == 6  # refused, 500 and timed out: retried later
    assert len(retries) == 6


def test_production_refuses_plain_http_and_private_addresses(settings, org_a):
    from accounts.errors import DomainError
    from api.tasks import DeliveryRefusedError, _check_destination

    settings.VETTA_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(DomainError):
        endpoint_for(org_a, "http://example.com/hook")
    with pytest.raises(DeliveryRefusedError):
        _check_destination("https://127.0.0.1/hook")
