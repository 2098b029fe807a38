"""The partner API's own rows: keys, webhook endpoints and their delivery log, idempotency.

Every row belongs to one organization and is scoped to it (django-scopes), like the
projects and offers that the API exposes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from rest_framework_api_key.crypto import KeyGenerator
from rest_framework_api_key.models import AbstractAPIKey

from accounts.models import Organization
from accounts.tenancy import OrganizationScopedManager

KEY_GENERATOR = KeyGenerator()


class OrganizationAPIKey(AbstractAPIKey):
    """An API key of one organization. The key is shown once; only its hash is stored.

    ``prefix`` (the part before the dot) is stored in clear so people can tell keys apart
    and so the throttle can count requests per key without the secret.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()  # type: ignore[assignment, misc]

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "organization API key"
        verbose_name_plural = "organization API keys"

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not self.has_expired


class WebhookEvent(models.TextChoices):
    OFFER_SENT = "offer.sent", "An offer was sent"
    OFFER_ACCEPTED = "offer.accepted", "An offer was accepted"
    OFFER_DECLINED = "offer.declined", "An offer was declined"
    OFFER_EXPIRED = "offer.expired", "An offer expired"
    OFFER_WITHDRAWN = "offer.withdrawn", "An offer was withdrawn"
    PROJECT_FILLED = "project.filled", "A project's seats are all filled"


class WebhookEndpoint(models.Model):
    """Where an organization wants its events POSTed, signed per Standard Webhooks.

    After a rotation the previous secret keeps signing (next to the new one) until
    ``previous_secret_expires_at``, so a receiver can switch without losing a message.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event types sent to this endpoint.")
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, *, now=None) -> list[str]:
        """The secrets that sign a message sent now: current first, then the previous one
        while its overlap window lasts."""
        now = now or timezone.now()
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            secrets.append(self.previous_secret)
        return secrets


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint, and what happened when we sent it (the delivery log)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=64, db_index=True, help_text="The webhook-id header.")
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="one_delivery_per_event_and_endpoint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``, replayed on retries.

    A row without ``response_status`` is a request still in flight: a duplicate arriving
    then gets 409. The unique constraint is what makes two concurrent first tries safe.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(OrganizationAPIKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key"], name="one_idempotency_key_per_api_key"
            )
        ]

    def __str__(self) -> str:
        return f"Idempotency-Key {self.key}"
