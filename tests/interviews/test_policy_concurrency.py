"""Policies hold under concurrent requests (PRODUCT.md §4): real PostgreSQL, threads on
separate connections, all released at once by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection

from accounts.errors import DomainError
from interviews import services
from interviews.models import Attempt, Credential, CredentialStatus
from tests.factories import AttemptFactory, CandidateFactory, CredentialFactory
from tests.interviews.policy_helpers import policy_domain, ready

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.USING_POSTGRES,
        reason="row locks and concurrent transactions need PostgreSQL (set DATABASE_URL)",
    ),
]
NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


def run_at_once(n: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in n threads released together; each thread closes its connection."""
    barrier = threading.Barrier(n, timeout=30)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # recorded for the assertions
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_simultaneous_starts_give_one_attempt():
    candidate = ready(CandidateFactory())
    domain = policy_domain()
    results = run_at_once(
        8, lambda i: services.attempt_start(candidate=candidate, domain=domain, now=NOW)
    )
    assert all(isinstance(r, Attempt) for r in results), results
    assert len({r.pk for r in results if isinstance(r, Attempt)}) == 1
    assert Attempt.objects.filter(candidate=candidate).count() == 1


def test_simultaneous_starts_in_different_domains_give_one_attempt():
    candidate = ready(CandidateFactory())
    domains = [
        policy_domain(slug)
        for slug in (
            "machine_learning",
            "prompt_engineering",
            "ai_evaluation",
            "software_engineering",
        )
    ]
    results = run_at_once(
        4, lambda i: services.attempt_start(candidate=candidate, domain=domains[i], now=NOW)
    )
    started = [r for r in results if isinstance(r, Attempt)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(started) == 1 and len(refused) == 3, results
    assert Attempt.objects.filter(candidate=candidate).count() == 1


def test_last_attempt_of_a_cycle_cannot_be_taken_twice():
    """Two tabs, one attempt left: the count is checked under the lock."""
    candidate = ready(CandidateFactory())
    domain = policy_domain()
    for days in (90, 60):
        AttemptFactory(
            candidate=candidate,
            domain=domain,
            created_at=NOW - timedelta(days=days),
            state="abandoned",
        )
    results = run_at_once(
        6, lambda i: services.attempt_start(candidate=candidate, domain=domain, now=NOW)
    )
    assert len({r.pk for r in results if isinstance(r, Attempt)}) == 1
    assert Attempt.objects.filter(candidate=candidate, domain=domain).count() == 3


def test_expiry_task_run_twice_concurrently_expires_each_tier_once(mailoutbox, celery_eager):
    domain = policy_domain()
    released = NOW - timedelta(days=181)
    credentials = [
        CredentialFactory(
            attempt=AttemptFactory(domain=domain, created_at=released, state="released"),
            release_at=released,
        )
        for _ in range(12)
    ]
    counts = run_at_once(2, lambda i: services.credentials_expire(now=NOW))
    assert all(isinstance(c, int) for c in counts), counts
    assert sum(counts) == 12  # type: ignore[arg-type]
    assert Credential.objects.filter(status=CredentialStatus.EXPIRED).count() == 12
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        c.candidate.user.email for c in credentials
    )


def test_reminder_task_run_twice_concurrently_sends_each_once(mailoutbox, celery_eager):
    domain = policy_domain()
    released = NOW - timedelta(days=170)
    for _ in range(10):
        CredentialFactory(
            attempt=AttemptFactory(domain=domain, created_at=released, state="released"),
            release_at=released,
        )
    counts = run_at_once(3, lambda i: services.expiry_reminders_send(now=NOW))
    assert sum(counts) == 10  # type: ignore[arg-type]
    assert len(mailoutbox) == 10
