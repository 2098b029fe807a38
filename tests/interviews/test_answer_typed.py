"""Accommodation: typed answers skip transcription, and the grader ignores speech-only
features (fillers per minute, long pauses, speech rate) for them."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from interviews.models import Answer, AnswerStatus
from tests.interviews.room_helpers import WEBM, begun_attempt

TYPED = (
    "At Acme I built the evaluation pipeline for our support model. I wrote a rubric with "
    "four criteria, ran PyTorch inference over 2,000 tickets and measured agreement with "
    "Cohen's kappa, which rose from 0.52 to 0.74 after we rewrote the guidelines."
)


def test_typed_answer_is_graded_without_transcription(
    candidate_client, candidate, celery_eager, django_capture_on_commit_callbacks
):
    attempt, question = begun_attempt(candidate, typed=True)
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    with (
        mock.patch("interviews.tasks.transcribe_answer.delay") as transcribe,
        mock.patch("interviews.engine.transcriber.Transcriber.transcribe") as whisper,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = candidate_client.post(url, data={"text": TYPED}, content_type="application/json")
    assert response.status_code == 201, response.content
    transcribe.assert_not_called()
    whisper.assert_not_called()
    answer = Answer.objects.get(question=question)
    assert answer.typed and not answer.audio
    assert answer.transcript == TYPED
    assert answer.status == AnswerStatus.SCORED
    fluency = answer.score.evidence["fluency"]
    assert {"typed": True, "fillers": 0} in fluency
    flat = repr(fluency)
    for speech_only in ("per_min", "pause", "wpm", "rate"):
        assert speech_only not in flat, speech_only


def test_typed_attempt_refuses_audio(candidate_client, candidate):
    attempt, question = begun_attempt(candidate, typed=True)
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    response = candidate_client.post(url, data=b"\x1a\x45\xdf\xa3" * 100, content_type=WEBM)
    assert response.status_code == 400
    assert response.json()["error"] == "typed_only"
    assert not Answer.objects.exists()


def test_room_shows_a_textarea_in_typed_mode(candidate_client, candidate):
    attempt, _ = begun_attempt(candidate, typed=True)
    page = candidate_client.get(reverse("candidate:interview_room", args=[attempt.pk]))
    assert b'id="typed-answer"' in page.content
    assert b'id="room-level"' not in page.content
    device = candidate_client.get(reverse("candidate:interview_device_check", args=[attempt.pk]))
    # Begun attempts go straight to the room; a typed one never needs the microphone check.
    assert device.status_code == 302
