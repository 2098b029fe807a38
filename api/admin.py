from django.contrib import admin

from api.models import OrganizationAPIKey, WebhookDelivery, WebhookEndpoint


@admin.register(OrganizationAPIKey)
class OrganizationAPIKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "organization", "created", "last_used_at", "revoked"]
    list_filter = ["revoked", "organization"]
    search_fields = ["name", "prefix", "organization__name"]
    readonly_fields = ["prefix", "organization", "created_by", "created", "last_used_at"]
    exclude = ["hashed_key"]

    def has_add_permission(self, request) -> bool:
        return False  # keys are created by organization admins, shown once to them


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "is_active", "created_at"]
    list_filter = ["is_active", "organization"]
    exclude = ["secret", "previous_secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, for staff helping an organization debug its receiver."""

    list_display = [
        "event_type",
        "event_id",
        "organization",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "next_retry_at",
        "created_at",
    ]
    list_filter = ["status", "event_type", "organization"]
    search_fields = ["event_id", "endpoint__url"]
    list_select_related = ["organization", "endpoint"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
