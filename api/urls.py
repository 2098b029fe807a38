from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api import portal, views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")

# /api/v1/…, namespace "api": TenantScopeMiddleware checks the key for every one of these.
urlpatterns = [*router.urls, re_path(r"^.*$", views.not_found, name="not_found")]

# Public: the schema and its interactive docs (no key needed to read how to use a key).
docs_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Client-portal pages (namespace "org", under /o/<org_slug>/).
org_patterns = [
    path("api/keys/", portal.api_keys, name="api_keys"),
    path("api/keys/<str:key_prefix>/revoke/", portal.api_key_revoke, name="api_key_revoke"),
    path("api/webhooks/", portal.webhooks, name="webhooks"),
    path("api/webhooks/<int:endpoint_id>/", portal.webhook_detail, name="webhook_detail"),
    path("api/webhooks/<int:endpoint_id>/rotate/", portal.webhook_rotate, name="webhook_rotate"),
    path("api/webhooks/<int:endpoint_id>/delete/", portal.webhook_delete, name="webhook_delete"),
]
