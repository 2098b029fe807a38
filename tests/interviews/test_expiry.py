"""PRODUCT.md §4 expiry: a tier is valid 180 days from release; the candidate is told 14 days
before and on the day; expired tiers leave matching and a new cycle starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews import selectors, services, tasks
from interviews.models import CredentialStatus
from interviews.policies import start_eligibility
from tests.factories import AttemptFactory, CredentialFactory
from tests.interviews.policy_helpers import policy_domain, ready

RELEASED = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def domain():
    return policy_domain()


def matched_candidate_ids(now: datetime) -> set[int]:
    """What matching reads (its own selector once the matching app provides one)."""
    try:
        from matching.selectors import eligible_credentials  # type: ignore[import-not-found]
    except ImportError:
        return set(selectors.matchable_credentials(now=now).values_list("candidate_id", flat=True))
    return set(eligible_credentials(now=now).values_list("candidate_id", flat=True))


@pytest.fixture
def expert(candidate, domain):
    ready(candidate)
    attempts = [
        AttemptFactory(
            candidate=candidate,
            domain=domain,
            created_at=RELEASED - timedelta(days=days),
            state="released" if days == 0 else "submitted",
        )
        for days in (62, 31, 0)
    ]
    return CredentialFactory(attempt=attempts[-1], release_at=RELEASED, tier="expert")


def test_expiry_at_180_days_leaves_matching_and_opens_a_new_cycle(
    expert,
    candidate,
    domain,
    time_machine,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    expires = RELEASED + timedelta(days=180)
    assert expert.valid_until == expires
    time_machine.move_to(expires - timedelta(minutes=1), tick=False)
    before = start_eligibility(candidate=candidate, domain=domain)
    assert (before.cycle, before.attempts_used, before.attempts_left) == (1, 3, 0)
    assert before.reason.endswith("A new cycle opens on 28 August 2027.")
    assert services.credentials_expire() == 0
    assert candidate.pk in matched_candidate_ids(expires - timedelta(minutes=1))

    time_machine.move_to(expires, tick=False)
    # Matching stops reading the tier at its end even before the task has run.
    assert candidate.pk not in matched_candidate_ids(expires)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_credentials() == 1
    expert.refresh_from_db()
    assert expert.status == CredentialStatus.EXPIRED
    assert expert.expired_notice_sent_at == expires
    assert candidate.pk not in matched_candidate_ids(expires)

    after = start_eligibility(candidate=candidate, domain=domain)
    assert (after.cycle, after.attempts_used, after.attempts_left) == (2, 0, 3)
    assert after.allowed and after.opens_at is None
    attempt = services.attempt_start(candidate=candidate, domain=domain)
    assert attempt.cycle == 2

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [candidate.user.email]
    assert "tier has expired" in message.subject
    assert "new cycle of 3 attempts has begun, with no waiting period" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"


def test_expiry_runs_twice_expires_once(
    expert, time_machine, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    time_machine.move_to(RELEASED + timedelta(days=181), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.credentials_expire() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.credentials_expire() == 0
    assert len(mailoutbox) == 1


def test_reminder_fourteen_days_before_sent_once(
    expert, candidate, time_machine, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    reminder_at = expert.valid_until - timedelta(days=14)
    time_machine.move_to(reminder_at - timedelta(minutes=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_expiry_reminders() == 0
    time_machine.move_to(reminder_at, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_expiry_reminders() == 1
    time_machine.move_to(reminder_at + timedelta(hours=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_expiry_reminders() == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.endswith("Your Machine Learning tier expires on 28 August 2027")
    assert "expires on 28 August 2027" in message.body
    assert "expires on 28 August 2027" in message.alternatives[0][0]
    expert.refresh_from_db()
    assert expert.reminder_sent_at == reminder_at


def test_no_reminder_after_expiry_or_for_a_declined_result(
    candidate, domain, time_machine, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    declined = CredentialFactory(
        attempt=AttemptFactory(candidate=candidate, domain=domain, created_at=RELEASED),
        release_at=RELEASED,
        tier="declined",
    )
    time_machine.move_to(declined.valid_until - timedelta(days=3), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expiry_reminders_send() == 0
    time_machine.move_to(declined.valid_until, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expiry_reminders_send() == 0
        assert services.credentials_expire() == 1
    # The expiry of a Declined result is good news: a new cycle.
    assert [m.subject for m in mailoutbox] == ["[Vetta] A new Machine Learning cycle is open"]


def test_periodic_tasks_are_scheduled(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "interviews.tasks.expire_credentials",
        "interviews.tasks.send_expiry_reminders",
        "interviews.tasks.release_credentials",
    } <= tasks_scheduled
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
