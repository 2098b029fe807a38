from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Organization
from api.models import OrganizationAPIKey, WebhookDelivery, WebhookEndpoint


def api_keys_of(*, organization: Organization) -> QuerySet[OrganizationAPIKey]:
    return OrganizationAPIKey.objects.filter(organization=organization).select_related("created_by")


def webhook_endpoints_of(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization=organization)


def recent_deliveries(*, endpoint: WebhookEndpoint, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(endpoint=endpoint)[:limit])
