from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class APIKeyRateThrottle(SimpleRateThrottle):
    """Requests per key (counted by the key's prefix) in Django's cache: Redis in production,
    so all web processes share one count; per process with the embedded default.

    A sliding window, estimated from two fixed-window counters: the count of this window
    plus the previous window's, weighted by how much of it still lies within the last
    ``duration`` seconds. Constant work per request (one read, one atomic ``incr``),
    where DRF's default keeps every request's timestamp of the last ``duration`` and
    rewrites that whole list on every request (for 1200/minute, up to 1200 floats read and
    written per request), and loses counts when two processes rewrite it at once. Refused
    requests are not counted, as in DRF's.
    """

    scope = "api_key"

    def get_rate(self) -> str:
        return settings.VETTA_API_RATE

    def get_cache_key(self, request: Request, view: object) -> str | None:
        api_key = getattr(request._request, "api_key", None)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.prefix}

    def allow_request(self, request: Request, view: object) -> bool:
        key = self.get_cache_key(request, view)
        limit, duration = self.parse_rate(self.get_rate())
        if key is None or limit is None or duration is None:
            return True
        now = time.time()
        window, elapsed = divmod(now, duration)
        current_key, previous_key = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        previous = cache.get(previous_key, 0)
        current = self._increment(current_key, timeout=2 * duration + 1)
        estimate = previous * (1 - elapsed / duration) + current
        if estimate <= limit:
            return True
        cache.decr(current_key)
        self._wait = self._seconds_until_allowed(limit, duration, previous, current - 1, elapsed)
        return False

    @staticmethod
    def _increment(key: str, timeout: int) -> int:
        try:
            return cache.incr(key)
        except ValueError:  # the first request of this window
            if cache.add(key, 1, timeout):
                return 1
            return cache.incr(key)  # another process added it first

    @staticmethod
    def _seconds_until_allowed(
        limit: int, duration: int, previous: int, current: int, elapsed: float
    ) -> float:
        if current + 1 <= limit:  # the previous window's weight must shrink enough
            return duration * (1 - (limit - current - 1) / max(previous, 1)) - elapsed
        # Only in the next window, once this one's count weighs little enough.
        return (duration - elapsed) + duration * (1 - (limit - 1) / max(current, 1))

    def wait(self) -> float | None:
        wait = getattr(self, "_wait", None)
        return None if wait is None else max(1, math.ceil(wait - 1e-6))  # float noise
