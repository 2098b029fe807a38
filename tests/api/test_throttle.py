"""The per-key throttle: a sliding window estimated from two fixed-window counters."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from tests.api.conftest import client_with

URL = "/api/v1/projects/"
# 50 s into a minute-long window (the windows are aligned to the epoch).
START = datetime(2030, 1, 7, 12, 0, 50, tzinfo=UTC)


def at(seconds: float):
    return time_machine.travel(START.timestamp() + seconds, tick=False)


def test_the_limit_holds_across_a_window_boundary_and_retry_after_is_right(settings, key_a):
    settings.VETTA_API_RATE = "3/minute"
    client = client_with(key_a[1])
    with at(0):
        assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(URL)
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    # The window turns 10 s later; the three requests still weigh almost fully then.
    with at(11):
        assert client.get(URL).status_code == 429
    with at(retry_after - 1):
        assert client.get(URL).status_code == 429
    with at(retry_after):
        assert client.get(URL).status_code == 200
    with at(retry_after):
        assert client.get(URL).status_code == 429


def test_refused_requests_do_not_count(settings, key_a):
    settings.VETTA_API_RATE = "2/minute"
    client = client_with(key_a[1])
    with at(0):
        assert [client.get(URL).status_code for _ in range(10)] == [200, 200] + [429] * 8
    # 40 s on, halfway into the next window: 2 × 0.5 + 1 = 2, so one more fits, as if the
    # eight refused requests had never come.
    with at(40):
        assert [client.get(URL).status_code for _ in range(2)] == [200, 429]
