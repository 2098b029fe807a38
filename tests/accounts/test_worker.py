"""A real Celery worker (not eager mode) takes a task from the configured broker.

On the embedded default the broker is a SQLite file; in CI's second run it is Redis.
"""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from accounts.models import WorkerPing
from accounts.tasks import worker_ping
from config.celery import app


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("condition not met before the deadline")


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_task_and_writes_to_database():
    assert not app.conf.task_always_eager
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        worker_ping.delay("ping-token")
        ping = wait_for(lambda: WorkerPing.objects.filter(token="ping-token").first())
    assert ping.worker


@pytest.mark.skipif(not settings.REDIS_URL, reason="runs when REDIS_URL is set (CI's second run)")
def test_broker_is_redis_when_configured():
    assert app.conf.broker_url.startswith("redis://")
