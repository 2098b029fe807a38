"""The candidate dashboard says every policy in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews.models import Contest
from tests.conftest import client_for
from tests.factories import AttemptFactory, CredentialFactory
from tests.interviews.policy_helpers import policy_domain, ready, scored_attempt

pytestmark = pytest.mark.django_db
RELEASED = datetime(2027, 2, 10, 14, 30, tzinfo=UTC)


def test_dashboard_shows_tier_validity_attempts_and_next_attempt(candidate, time_machine):
    ready(candidate)
    domain = policy_domain()
    policy_domain("prompt_engineering")
    attempt = scored_attempt(
        candidate,
        domain,
        at=RELEASED,
        value=60,
        evidence={"overall": {"hedges": ["i think", "maybe"]}},
        duration_s=150,
    )
    CredentialFactory(attempt=attempt, tier="expert", release_at=RELEASED)
    time_machine.move_to(RELEASED + timedelta(days=3), tick=False)

    page = client_for(candidate.user).get("/me/").content.decode()
    assert "Expert" in page
    assert "Valid until 9 August 2027" in page
    assert "2 of 3 attempts left in this cycle." in page
    assert "Your next attempt opens on 12 March 2027 at 14:30 UTC." in page
    assert "You can start now." in page  # the other domain
    assert "3 of 3 attempts left in this cycle." in page
    assert "What to work on in Machine Learning" in page
    assert "Answers often ran past two minutes." in page
    assert "Hedging phrases were frequent" in page
    assert "Contest it" in page
    assert "60" not in page.split("What to work on")[1]  # never a score


def test_dashboard_after_a_contest_and_without_a_resume(candidate, time_machine):
    domain = policy_domain()
    credential = CredentialFactory(
        attempt=AttemptFactory(candidate=candidate, domain=domain, created_at=RELEASED),
        release_at=RELEASED,
    )
    time_machine.move_to(RELEASED + timedelta(days=1), tick=False)
    Contest.objects.create(credential=credential, reason="x" * 40, tier_at_contest="expert")
    page = client_for(candidate.user).get("/me/").content.decode()
    assert "You contested this tier on 11 February 2027" in page
    assert "Contest it" not in page
    assert "Upload your resume" in page  # no resume yet: the start button waits for it
