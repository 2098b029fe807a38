"""Answer uploads through the room's HTTP endpoint: bad audio, out-of-order requests.

Every refusal is a JSON body with a stable code and a sentence for the candidate; nothing
is stored, the question stays current, and a retry with a good recording is accepted.
"""

# Shared fixtures are imported by name, and pytest passes them in by that name.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from interviews import services
from interviews.models import Answer, AnswerStatus, Attempt, Question, Score
from tests.interviews.room_helpers import WEBM, begun_attempt, good_webm, silence_webm


@pytest.fixture
def begun(candidate):
    return begun_attempt(candidate)


def upload(client, attempt: Attempt, question: Question, data: bytes, content_type: str = WEBM):
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    return client.post(url, data=data, content_type=content_type)


def assert_nothing_stored(attempt: Attempt, question: Question) -> None:
    assert not Answer.objects.filter(question__attempt=attempt).exists()
    assert services.question_next(attempt=attempt) == question  # still the current question
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code
    assert len(body["message"]) > 20  # a sentence, not a code
    return body


def test_good_recording_is_stored_before_transcription(candidate_client, begun, good_webm):
    attempt, question = begun
    response = upload(candidate_client, attempt, question, good_webm)
    assert response.status_code == 201, response.content
    answer = Answer.objects.get(question=question)
    assert answer.status == AnswerStatus.UPLOADED
    assert answer.audio_bytes == len(good_webm)
    with answer.audio.open("rb") as stored:
        assert stored.read() == good_webm
    assert 5 < answer.duration_s < 20


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b"Hello, this is a text file and not a recording at all." * 20, WEBM, "not_audio"),
        (b"\x00\x01\x02\x03" + b"\x9a" * 4000, "audio/webm", "not_audio"),
        (b"%PDF-1.7\n" + b"0" * 4000, "audio/mp4", "not_audio"),
    ],
    ids=["text", "wrong-magic-bytes", "pdf"],
)
def test_not_audio_is_refused_and_nothing_changes(
    candidate_client, begun, good_webm, data, content_type, code
):
    attempt, question = begun
    refused(upload(candidate_client, attempt, question, data, content_type), 400, code)
    assert_nothing_stored(attempt, question)
    assert upload(candidate_client, attempt, question, good_webm).status_code == 201


def test_audio_claiming_the_wrong_type_is_refused(candidate_client, begun, good_webm):
    attempt, question = begun
    refused(
        upload(candidate_client, attempt, question, good_webm, "audio/mp4"), 400, "type_mismatch"
    )
    refused(
        upload(candidate_client, attempt, question, good_webm, "audio/webm;codecs=vorbis"),
        400,
        "type_mismatch",
    )
    assert_nothing_stored(attempt, question)


def test_truncated_webm_is_refused(candidate_client, begun, good_webm):
    attempt, question = begun
    cut = good_webm[: len(good_webm) * 2 // 3]
    refused(upload(candidate_client, attempt, question, cut), 400, "truncated")
    assert_nothing_stored(attempt, question)
    assert upload(candidate_client, attempt, question, good_webm).status_code == 201


def test_over_the_size_cap_is_refused(candidate_client, begun, good_webm, settings):
    settings.VETTA_AUDIO_MAX_BYTES = len(good_webm) - 1
    attempt, question = begun
    refused(upload(candidate_client, attempt, question, good_webm), 413, "too_large")
    assert_nothing_stored(attempt, question)
    settings.VETTA_AUDIO_MAX_BYTES = len(good_webm)
    assert upload(candidate_client, attempt, question, good_webm).status_code == 201


def test_over_the_request_size_limit_is_a_json_refusal(candidate_client, begun, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    attempt, question = begun
    refused(
        upload(candidate_client, attempt, question, b"\x1a\x45\xdf\xa3" * 600), 413, "too_large"
    )
    assert_nothing_stored(attempt, question)


def test_over_the_duration_cap_is_refused(candidate_client, begun, good_webm, settings):
    # The spoken answer lasts about 9 s; a 1 s cap (plus the recorder's slack) is shorter.
    settings.VETTA_ANSWER_CAP_S = 1
    settings.VETTA_ANSWER_CAP_SLACK_S = 2
    attempt, question = begun
    refused(upload(candidate_client, attempt, question, good_webm), 400, "too_long")
    assert_nothing_stored(attempt, question)


def test_silence_is_an_unanswered_question_scoring_zero(candidate_client, begun, tmp_path):
    attempt, question = begun
    response = upload(candidate_client, attempt, question, silence_webm(tmp_path))
    assert response.status_code == 201
    assert response.json()["answer"]["state"] == AnswerStatus.UNANSWERED
    answer = Answer.objects.get(question=question)
    assert answer.status == AnswerStatus.UNANSWERED
    assert answer.audio  # kept for staff review, like every recording
    score = Score.objects.get(answer=answer)
    assert score.overall == 0
    # The interview moves on to the next question.
    following = services.question_next(attempt=attempt)
    assert isinstance(following, Question) and following.position == 2


def test_empty_body_is_refused(candidate_client, begun):
    attempt, question = begun
    refused(upload(candidate_client, attempt, question, b""), 400, "empty")
    assert_nothing_stored(attempt, question)


# --- out of order -------------------------------------------------------------------------


def test_second_upload_for_the_same_question_changes_nothing(candidate_client, begun, good_webm):
    attempt, question = begun
    assert upload(candidate_client, attempt, question, good_webm).status_code == 201
    first = Answer.objects.get(question=question)
    refused(
        upload(candidate_client, attempt, question, good_webm[:-10] + b"x" * 10),
        409,
        "already_answered",
    )
    again = Answer.objects.get(question=question)
    assert (again.pk, again.audio.name, again.audio_bytes) == (
        first.pk,
        first.audio.name,
        first.audio_bytes,
    )
    assert Answer.objects.filter(question__attempt=attempt).count() == 1


def test_answer_for_a_question_not_current(candidate_client, begun, good_webm, tmp_path):
    attempt, question = begun
    upload(candidate_client, attempt, question, silence_webm(tmp_path))  # answers question 1
    second = services.question_next(attempt=attempt)
    assert isinstance(second, Question)
    # Question 1 again: already answered. A question id of another attempt: unknown.
    refused(upload(candidate_client, attempt, question, good_webm), 409, "already_answered")
    refused(
        upload(candidate_client, attempt, Question(pk=987654), good_webm), 400, "unknown_question"
    )
    assert not Answer.objects.filter(question=second).exists()


def test_a_question_that_is_not_yet_asked_is_not_current(candidate_client, begun, good_webm):
    attempt, _first = begun
    # A question row that exists but is not the one the candidate is on (a forged id).
    later = Question.objects.create(
        attempt=attempt, position=5, key="x", category="technical", difficulty=2, text="?"
    )
    Question.objects.filter(pk=later.pk).update(position=0)  # earlier than the current one
    refused(upload(candidate_client, attempt, later, good_webm), 409, "not_current")
    assert not Answer.objects.filter(question__attempt=attempt).exists()


def test_upload_after_the_clock_is_refused(candidate_client, begun, good_webm):
    attempt, question = begun
    assert attempt.deadline_at is not None
    with time_machine.travel(attempt.deadline_at + timedelta(seconds=services.UPLOAD_GRACE_S + 5)):
        refused(upload(candidate_client, attempt, question, good_webm), 409, "clock_over")
    assert not Answer.objects.filter(question__attempt=attempt).exists()


def test_upload_inside_the_grace_after_the_clock_counts(candidate_client, begun, good_webm):
    attempt, question = begun
    with time_machine.travel(attempt.deadline_at + timedelta(seconds=5)):
        assert upload(candidate_client, attempt, question, good_webm).status_code == 201


def test_upload_to_a_finished_attempt_is_refused(candidate_client, begun, good_webm):
    attempt, question = begun
    services.attempt_submit(attempt=attempt, now=timezone.now())
    refused(upload(candidate_client, attempt, question, good_webm), 409, "attempt_closed")
    assert not Answer.objects.filter(question__attempt=attempt).exists()


def test_typed_text_is_refused_in_a_spoken_interview(candidate_client, begun):
    attempt, question = begun
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    response = candidate_client.post(
        url, data=json.dumps({"text": "typed"}), content_type="application/json"
    )
    refused(response, 403, "typed_not_allowed")
    assert_nothing_stored(attempt, question)


def test_another_candidates_attempt_is_not_found(begun, good_webm):
    from tests.conftest import client_for
    from tests.factories import CandidateFactory

    attempt, question = begun
    outsider = client_for(CandidateFactory().user)
    refused(upload(outsider, attempt, question, good_webm), 404, "not_found")
    assert not Answer.objects.filter(question__attempt=attempt).exists()
