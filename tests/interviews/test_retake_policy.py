"""PRODUCT.md §4 attempts: three per cycle, a 30-day wait after any finished attempt, the
latest finished attempt stands. Time is frozen for every rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.errors import DomainError
from interviews import services
from interviews.models import Attempt, AttemptState, Credential, CredentialStatus
from interviews.policies import start_eligibility
from tests.interviews.policy_helpers import finish, policy_domain, ready, score_and_release

T0 = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def domain():
    return policy_domain()


@pytest.fixture
def ready_candidate(candidate):
    return ready(candidate)


def start_and_finish(candidate, domain, at: datetime, time_machine) -> Attempt:
    time_machine.move_to(at, tick=False)
    attempt = services.attempt_start(candidate=candidate, domain=domain)
    return finish(attempt, at=at + timedelta(minutes=20))


def test_third_attempt_allowed_fourth_refused(ready_candidate, domain, time_machine):
    at = T0
    for _ in range(3):
        start_and_finish(ready_candidate, domain, at, time_machine)
        at += timedelta(days=31)
    time_machine.move_to(at, tick=False)
    eligibility = start_eligibility(candidate=ready_candidate, domain=domain)
    assert (eligibility.attempts_used, eligibility.attempts_left) == (3, 0)
    assert not eligibility.allowed
    assert "You have used all 3 attempts of this certification cycle." in eligibility.reason
    with pytest.raises(DomainError) as refused:
        services.attempt_start(candidate=ready_candidate, domain=domain)
    assert refused.value.code == "not_eligible"
    assert Attempt.objects.filter(candidate=ready_candidate).count() == 3


def test_second_attempt_waits_thirty_days_to_the_minute(ready_candidate, domain, time_machine):
    first = start_and_finish(ready_candidate, domain, T0, time_machine)
    opens = first.finished_at + timedelta(days=30)

    time_machine.move_to(opens - timedelta(minutes=1), tick=False)  # 29 days 23:59 later
    eligibility = start_eligibility(candidate=ready_candidate, domain=domain)
    assert not eligibility.allowed
    assert eligibility.opens_at == opens
    assert eligibility.reason == "Your next attempt opens on 9 February 2027 at 09:50 UTC."
    with pytest.raises(DomainError, match="Your next attempt opens on 9 February 2027"):
        services.attempt_start(candidate=ready_candidate, domain=domain)

    time_machine.move_to(opens, tick=False)  # 30 days to the minute
    second = services.attempt_start(candidate=ready_candidate, domain=domain)
    assert second.cycle == 1
    assert start_eligibility(candidate=ready_candidate, domain=domain).attempts_left == 1


def test_leaving_midway_counts_and_opens_the_wait(ready_candidate, domain, time_machine):
    time_machine.move_to(T0, tick=False)
    attempt = services.attempt_start(candidate=ready_candidate, domain=domain)
    # The candidate closed the tab before the countdown ended: the sweep abandons it.
    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    services.attempts_sweep()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.ABANDONED
    eligibility = start_eligibility(candidate=ready_candidate, domain=domain)
    assert eligibility.attempts_used == 1
    assert not eligibility.allowed
    assert eligibility.opens_at == attempt.finished_at + timedelta(days=30)


def test_one_open_attempt_and_a_second_tab_resumes_it(ready_candidate, domain, time_machine):
    time_machine.move_to(T0, tick=False)
    first = services.attempt_start(candidate=ready_candidate, domain=domain)
    again = services.attempt_start(candidate=ready_candidate, domain=domain)
    assert again.pk == first.pk
    other = policy_domain("prompt_engineering")
    with pytest.raises(DomainError, match="Finish your interview in Machine Learning"):
        services.attempt_start(candidate=ready_candidate, domain=other)
    assert Attempt.objects.filter(candidate=ready_candidate).count() == 1


def test_retake_after_wait_replaces_earlier_tier_even_when_lower(
    ready_candidate, domain, time_machine
):
    first = start_and_finish(ready_candidate, domain, T0, time_machine)
    expert = score_and_release(first, tier="expert", score=78, at=first.finished_at)
    assert expert.status == CredentialStatus.ACTIVE

    second = start_and_finish(
        ready_candidate, domain, first.finished_at + timedelta(days=30), time_machine
    )
    qualified = score_and_release(second, tier="qualified", score=61, at=second.finished_at)

    expert.refresh_from_db()
    assert expert.status == CredentialStatus.SUPERSEDED
    assert qualified.status == CredentialStatus.ACTIVE
    assert qualified.valid_until == second.finished_at + timedelta(days=180)
    standing = Credential.objects.get(
        candidate=ready_candidate, domain=domain, status=CredentialStatus.ACTIVE
    )
    assert standing.tier == "qualified"


def test_earlier_tier_stands_while_retake_awaits_review(ready_candidate, domain, time_machine):
    first = start_and_finish(ready_candidate, domain, T0, time_machine)
    expert = score_and_release(first, tier="expert", score=78, at=first.finished_at)
    second = start_and_finish(ready_candidate, domain, T0 + timedelta(days=40), time_machine)
    release_at = second.finished_at + timedelta(hours=24)
    Attempt.objects.filter(pk=second.pk).update(state=AttemptState.SCORED)
    pending = services.credential_stage(
        attempt_id=second.pk, tier="declined", score=30, release_at=release_at
    )
    assert pending.status == CredentialStatus.PENDING
    expert.refresh_from_db()
    assert expert.status == CredentialStatus.ACTIVE  # still matched until the retake is released

    assert services.credentials_release_due(now=release_at - timedelta(minutes=1)) == 0
    assert services.credentials_release_due(now=release_at) == 1
    assert services.credentials_release_due(now=release_at) == 0  # twice changes nothing
    expert.refresh_from_db()
    pending.refresh_from_db()
    assert (expert.status, pending.status) == (CredentialStatus.SUPERSEDED, CredentialStatus.ACTIVE)


def test_a_late_result_of_an_earlier_attempt_never_replaces_a_later_one(
    ready_candidate, domain, time_machine
):
    first = start_and_finish(ready_candidate, domain, T0, time_machine)
    second = start_and_finish(ready_candidate, domain, T0 + timedelta(days=31), time_machine)
    later = score_and_release(second, tier="expert", score=80, at=second.finished_at)
    # The first attempt's scoring was stuck and finishes only now.
    Attempt.objects.filter(pk=first.pk).update(state=AttemptState.SCORED)
    late = services.credential_stage(
        attempt_id=first.pk, tier="declined", score=20, release_at=second.finished_at
    )
    assert late.status == CredentialStatus.SUPERSEDED
    assert not services.credential_release(credential_id=late.pk)
    later.refresh_from_db()
    assert later.status == CredentialStatus.ACTIVE


def test_policy_numbers_come_from_the_domain_policy(ready_candidate, time_machine):
    domain = policy_domain("ai_evaluation", attempts_per_cycle=1, wait_days=7)
    start_and_finish(ready_candidate, domain, T0, time_machine)
    time_machine.move_to(T0 + timedelta(days=8), tick=False)
    eligibility = start_eligibility(candidate=ready_candidate, domain=domain)
    assert (eligibility.attempts_per_cycle, eligibility.attempts_left) == (1, 0)
    assert "all 1 attempt of this certification cycle" in eligibility.reason


def test_a_cycle_without_a_tier_ends_after_the_validity_period(
    ready_candidate, domain, time_machine
):
    """Three attempts abandoned before they began: locked out until 180 days after the last."""
    at = T0
    for _ in range(3):
        time_machine.move_to(at, tick=False)
        attempt = services.attempt_start(candidate=ready_candidate, domain=domain)
        services.attempt_abandon(attempt=attempt)
        at += timedelta(days=30)
    last_end = at - timedelta(days=30)
    time_machine.move_to(last_end + timedelta(days=180) - timedelta(minutes=1), tick=False)
    eligibility = start_eligibility(candidate=ready_candidate, domain=domain)
    assert not eligibility.allowed
    assert eligibility.opens_at == last_end + timedelta(days=180)
    time_machine.move_to(last_end + timedelta(days=180), tick=False)
    eligibility = start_eligibility(candidate=ready_candidate, domain=domain)
    assert eligibility.allowed
    assert (eligibility.cycle, eligibility.attempts_used) == (2, 0)


def _policy_post(domain, **changes) -> dict:
    from interviews.models import DomainPolicy
    from interviews.services import POLICY_FIELDS

    policy = DomainPolicy.objects.get(domain=domain)
    data = {
        "name": domain.name,
        "slug": domain.slug,
        "description": domain.description,
        "active": "on",
        "policy-TOTAL_FORMS": "1",
        "policy-INITIAL_FORMS": "1",
        "policy-MIN_NUM_FORMS": "0",
        "policy-MAX_NUM_FORMS": "1",
        "policy-0-id": str(policy.pk),
        "policy-0-domain": str(domain.pk),
    }
    for name in POLICY_FIELDS:
        data[f"policy-0-{name}"] = str(getattr(policy, name))
    data.update({f"policy-0-{k}": str(v) for k, v in changes.items()})
    return data


def test_policy_change_in_admin_needs_a_reason_and_is_audited(domain, staff):
    from interviews.models import AuditEntry, DomainPolicy
    from tests.conftest import client_for

    client = client_for(staff)
    url = f"/admin/interviews/domain/{domain.pk}/change/"
    assert client.get(url).status_code == 200
    refused = client.post(url, _policy_post(domain, wait_days=21))
    assert refused.status_code == 200
    assert "Say why the policy changes." in refused.content.decode()
    assert DomainPolicy.objects.get(domain=domain).wait_days == 30
    assert not AuditEntry.objects.exists()

    saved = client.post(
        url, _policy_post(domain, wait_days=21, change_reason="Pilot: shorter wait for ML.")
    )
    assert saved.status_code == 302
    assert DomainPolicy.objects.get(domain=domain).wait_days == 21
    audit = AuditEntry.objects.get()
    assert (audit.actor, audit.action, audit.object_type) == (
        staff,
        "policy_changed",
        "DomainPolicy",
    )
    assert audit.before == {"domain": domain.slug, "wait_days": 30}
    assert audit.after == {"domain": domain.slug, "wait_days": 21}
    assert audit.reason == "Pilot: shorter wait for ML."

    # Saving the domain without touching the policy writes nothing.
    assert client.post(url, _policy_post(domain)).status_code == 302
    assert AuditEntry.objects.count() == 1
