"""A candidate edits rate, hours or availability: their match profiles follow on commit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from matching.models import MatchProfile
from matching.services import match_profile_refresh
from tests.factories import UserFactory
from tests.marketplace.factories import MarketCredentialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def standing():
    """A candidate with a released Expert credential and its match profile."""
    credential = MarketCredentialFactory()
    match_profile_refresh(candidate_id=credential.candidate_id)
    return credential.candidate


def form(candidate, **changes) -> dict:
    data = {
        "headline": candidate.headline,
        "hourly_rate": candidate.hourly_rate,
        "hours_per_week": candidate.hours_per_week,
        "available": "on" if candidate.available else "",
    }
    return {k: "" if v is None else v for k, v in {**data, **changes}.items()}


def client_of(client, candidate):
    client.force_login(candidate.user)
    return client


def test_rate_edit_reaches_the_match_profile(client, standing, django_capture_on_commit_callbacks):
    assert MatchProfile.objects.get(candidate=standing).rate == 80
    client = client_of(client, standing)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("candidate:profile"), form(standing, hourly_rate=95))
    assert response.status_code == 302
    assert len(callbacks) == 1
    standing.refresh_from_db()
    assert standing.hourly_rate == 95
    assert MatchProfile.objects.get(candidate=standing).rate == 95


def test_unavailable_candidate_leaves_matching_on_commit(
    client, standing, django_capture_on_commit_callbacks
):
    client = client_of(client, standing)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidate:profile"), form(standing, available="", hours_per_week=10))
    profile = MatchProfile.objects.get(candidate=standing)
    assert (profile.available, profile.hours) == (False, 10)


def test_headline_only_edit_does_not_refresh(standing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.candidate_profile_update(candidate=standing, headline="Vision engineer")
    assert callbacks == []
    standing.refresh_from_db()
    assert standing.headline == "Vision engineer"


def test_candidate_without_a_profile_saves_fine(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="newcomer@example.test")
    client.force_login(user)
    client.get(reverse("candidate:profile"))
    candidate = user.candidate
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidate:profile"), form(candidate, hourly_rate=70))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.hourly_rate == 70
    assert not MatchProfile.objects.filter(candidate=candidate).exists()


def test_only_profile_fields_are_accepted(standing):
    with pytest.raises(ValueError):
        services.candidate_profile_update(candidate=standing, user_id=1)
