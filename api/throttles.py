from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class APIKeyRateThrottle(SimpleRateThrottle):
    """Requests per key (counted by the key's prefix) in Django's cache: Redis in production,
    so all web processes share one count; per process with the embedded default."""

    scope = "api_key"

    def get_rate(self) -> str:
        return settings.VETTA_API_RATE

    def get_cache_key(self, request: Request, view: object) -> str | None:
        api_key = getattr(request._request, "api_key", None)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.prefix}
