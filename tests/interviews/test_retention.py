"""The audio retention purge removes only recordings past their date, and only the audio."""

# Shared fixtures are imported by name, and pytest passes them in by that name.
# ruff: noqa: F401

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from interviews.models import Answer
from interviews.retention import audio_purge_due, purge_expired_audio
from tests.fairness.builders import make_attempt, make_candidate, make_domain
from tests.fairness.conftest import media

pytestmark = pytest.mark.django_db


def audio_names(attempt) -> list[str]:
    return list(Answer.objects.filter(question__attempt=attempt).values_list("audio", flat=True))


def test_purge_removes_only_audio_past_its_date():
    now = timezone.now()
    domain = make_domain(audio_retention_days=180)
    short = make_domain("short", audio_retention_days=30)
    old = make_attempt(make_candidate(), domain, released_at=now - timedelta(days=181))
    young = make_attempt(make_candidate(), domain, released_at=now - timedelta(days=179))
    short_policy = make_attempt(make_candidate(), short, released_at=now - timedelta(days=31))
    pending = make_attempt(
        make_candidate(), domain, state="scored", finished_at=now - timedelta(400)
    )
    abandoned = make_attempt(
        make_candidate(), domain, state="failed", finished_at=now - timedelta(200)
    )
    old_files = audio_names(old) + audio_names(short_policy) + audio_names(abandoned)
    kept_files = audio_names(young) + audio_names(pending)
    assert all(default_storage.exists(n) for n in old_files + kept_files)

    assert audio_purge_due(now=now) == len(old_files)

    assert not any(default_storage.exists(n) for n in old_files)
    assert all(default_storage.exists(n) for n in kept_files)
    for attempt in (old, short_policy, abandoned):
        for answer in Answer.objects.filter(question__attempt=attempt):
            assert answer.audio_purged_at == now and not answer.audio
            assert answer.transcript and answer.words and hasattr(answer, "score")
    for attempt in (young, pending):
        assert all(
            a.audio_purged_at is None for a in Answer.objects.filter(question__attempt=attempt)
        )


def test_running_the_purge_again_changes_nothing():
    now = timezone.now()
    make_attempt(make_candidate(), make_domain(), released_at=now - timedelta(days=200))
    assert audio_purge_due(now=now) == 2
    assert audio_purge_due(now=now + timedelta(hours=1)) == 0
    assert Answer.objects.filter(audio_purged_at=now).count() == 2


def test_a_crashed_run_is_finished_by_the_next():
    now = timezone.now()
    attempt = make_attempt(make_candidate(), make_domain(), released_at=now - timedelta(days=200))
    names = audio_names(attempt)
    # claimed, but the process died before the file went
    Answer.objects.filter(question__attempt=attempt).update(audio_purged_at=now)
    audio_purge_due(now=now)
    assert not any(default_storage.exists(n) for n in names)
    assert set(audio_names(attempt)) == {""}


def test_the_periodic_task_is_scheduled_and_runs(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "interviews.retention.purge_expired_audio" in schedule
    make_attempt(make_candidate(), make_domain(), released_at=timezone.now() - timedelta(days=365))
    assert purge_expired_audio.apply().get() == 2
