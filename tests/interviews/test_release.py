"""Release: the candidate sees only the tier, and only once released; staff see everything
at once. Release immediately after scoring, or after a staff review window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews import services
from interviews.models import Attempt, AttemptState, CredentialStatus, ReleaseMode
from tests.conftest import client_for
from tests.interviews.policy_helpers import policy_domain, scored_attempt

FINISHED = datetime(2027, 5, 3, 15, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_immediate_release_tells_the_candidate_the_tier_only(
    candidate,
    time_machine,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    domain = policy_domain()
    attempt = scored_attempt(candidate, domain, at=FINISHED, value=50)
    time_machine.move_to(FINISHED + timedelta(seconds=30), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.attempt_finalize(attempt=attempt)
    attempt.refresh_from_db()
    credential = attempt.credential
    assert attempt.state == AttemptState.RELEASED
    assert credential.status == CredentialStatus.ACTIVE
    assert credential.released_at == FINISHED + timedelta(seconds=30)
    assert credential.valid_until == credential.released_at + timedelta(days=180)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == f"[Vetta] Your Machine Learning result: {credential.get_tier_display()}"
    assert str(attempt.score) not in mail.body  # the tier, never the score

    page = client_for(candidate.user).get("/me/").content.decode()
    assert credential.get_tier_display() in page
    assert str(attempt.score) not in page


def test_review_window_hides_the_tier_until_release(
    candidate,
    staff,
    time_machine,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    domain = policy_domain(release_mode=ReleaseMode.REVIEW_WINDOW, review_window_hours=24)
    attempt = scored_attempt(candidate, domain, at=FINISHED, value=92)
    time_machine.move_to(FINISHED, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_finalize(attempt=attempt)
    attempt = Attempt.objects.get(pk=attempt.pk)
    credential = attempt.credential
    assert attempt.state == AttemptState.SCORED
    assert credential.status == CredentialStatus.PENDING
    assert credential.release_at == FINISHED + timedelta(hours=24)
    assert mailoutbox == []

    page = client_for(candidate.user).get("/me/").content.decode()
    assert "Result pending" in page
    assert "released on 4 May 2027 at 15:00 UTC" in page
    assert credential.get_tier_display() not in page
    assert "What to work on" not in page

    # Staff see the tier and the score straight away.
    staff_page = client_for(staff).get(f"/admin/interviews/credential/{credential.pk}/change/")
    assert credential.get_tier_display() in staff_page.content.decode()
    staff_attempt = client_for(staff).get(f"/admin/interviews/attempt/{attempt.pk}/change/")
    assert f"{attempt.score}" in staff_attempt.content.decode()

    time_machine.move_to(credential.release_at - timedelta(minutes=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.credentials_release_due() == 0
    time_machine.move_to(credential.release_at, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.credentials_release_due() == 1
        assert services.credentials_release_due() == 0
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE
    assert len(mailoutbox) == 1
    assert credential.get_tier_display() in client_for(candidate.user).get("/me/").content.decode()


def test_finalize_twice_releases_once(
    candidate, time_machine, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    domain = policy_domain()
    attempt = scored_attempt(candidate, domain, at=FINISHED, value=75)
    time_machine.move_to(FINISHED, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_finalize(attempt=attempt)
        services.attempt_finalize(attempt=Attempt.objects.get(pk=attempt.pk))
    assert len(mailoutbox) == 1
    assert attempt.__class__.objects.get(pk=attempt.pk).state == AttemptState.RELEASED
