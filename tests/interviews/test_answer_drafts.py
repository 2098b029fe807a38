"""Drafts: the recording in progress, sent in parts while the candidate speaks.

Parts must follow each other: a retry of bytes already held stores nothing, a part past the
end is refused with how much was received, so the browser can resend from there. A draft
obeys the rules an answer obeys, and is thrown away, row and files, once its question ends
without the recording being transcribed.
"""

# Shared fixtures are imported by name, and pytest passes them in by that name.
# ruff: noqa: F401, F811

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.data_rights import candidate_account_delete
from interviews import services, tasks
from interviews.models import Answer, AnswerDraft, Attempt, Question
from tests.conftest import client_for
from tests.factories import CandidateFactory
from tests.fairness.conftest import media
from tests.interviews.room_helpers import (
    WEBM,
    begun_attempt,
    good_webm,
    silence_webm,
    speech_webm,
)


@pytest.fixture
def parts(good_webm) -> list[bytes]:
    """The recording in three parts, as the room sends it every few seconds."""
    a, b = len(good_webm) // 3, 2 * len(good_webm) // 3
    return [good_webm[:a], good_webm[a:b], good_webm[b:]]


@pytest.fixture(autouse=True)
def enqueued(monkeypatch) -> list[int]:
    """Draft transcriptions asked for; these tests are about receiving the parts."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.transcribe_draft, "delay", lambda draft_id: sent.append(draft_id))
    return sent


@pytest.fixture
def begun(candidate):
    return begun_attempt(candidate)


def send(client, attempt: Attempt, question: Question, data: bytes, offset: object = 0):
    url = reverse("candidate:interview_api_draft", args=[attempt.pk, question.pk])
    query = "" if offset is None else f"?offset={offset}"
    return client.post(url + query, data=data, content_type=WEBM)


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code
    assert body["message"]
    return body


def stored_parts(attempt: Attempt) -> list[str]:
    return [
        name
        for names in AnswerDraft.objects.filter(question__attempt=attempt).values_list(
            "parts", flat=True
        )
        for name in names
    ]


def draft_of(attempt: Attempt, question: Question, chunks: list[bytes]) -> list[str]:
    """Append ``chunks`` through the service; the names of the stored files."""
    offset = 0
    for chunk in chunks:
        services.answer_draft_append(
            attempt=attempt, question_id=question.pk, offset=offset, data=chunk
        )
        offset += len(chunk)
    names = stored_parts(attempt)
    assert names and all(default_storage.exists(name) for name in names)
    return names


def assert_discarded(question: Question, names: list[str]) -> None:
    assert not AnswerDraft.objects.filter(question=question).exists()
    assert not any(default_storage.exists(name) for name in names)


def assert_kept(question: Question, names: list[str]) -> None:
    assert AnswerDraft.objects.filter(question=question).exists()
    assert all(default_storage.exists(name) for name in names)


# --- appending ----------------------------------------------------------------------------


def test_parts_in_order_make_the_recording_so_far(
    candidate_client, begun, parts, good_webm, enqueued, django_capture_on_commit_callbacks
):
    attempt, question = begun
    offset = 0
    for part in parts:
        with django_capture_on_commit_callbacks(execute=True):
            response = send(candidate_client, attempt, question, part, offset)
        offset += len(part)
        assert response.status_code == 200, response.content
        assert response.json() == {"received": offset}
    draft = AnswerDraft.objects.get(question=question)
    assert draft.size == len(good_webm) and len(draft.parts) == 3
    assert draft.read_bytes() == good_webm
    # One transcription of the draft per part, each once the part is committed.
    assert enqueued == [draft.pk] * 3
    # A draft is not an answer: the question is still the one to answer.
    assert not Answer.objects.filter(question=question).exists()
    assert services.question_next(attempt=attempt) == question


def test_a_retried_part_stores_nothing(
    candidate_client, begun, parts, enqueued, django_capture_on_commit_callbacks
):
    attempt, question = begun
    with django_capture_on_commit_callbacks(execute=True):
        send(candidate_client, attempt, question, parts[0], 0)
        send(candidate_client, attempt, question, parts[1], len(parts[0]))
        # The answers to these were lost on the way back: the browser sends them again.
        again = send(candidate_client, attempt, question, parts[1], len(parts[0]))
        first_again = send(candidate_client, attempt, question, parts[0], 0)
    held = len(parts[0]) + len(parts[1])
    assert again.status_code == first_again.status_code == 200
    assert again.json() == first_again.json() == {"received": held}
    draft = AnswerDraft.objects.get(question=question)
    assert draft.size == held and len(draft.parts) == 2
    assert draft.read_bytes() == parts[0] + parts[1]
    assert len(enqueued) == 2


def test_a_new_recording_of_the_question_starts_the_draft_again(
    candidate_client, begun, parts, tmp_path, django_capture_on_commit_callbacks
):
    # "Record again" after a refused upload, or a reloaded page: offset 0, other bytes.
    attempt, question = begun
    with django_capture_on_commit_callbacks(execute=True):
        send(candidate_client, attempt, question, parts[0], 0)
        send(candidate_client, attempt, question, parts[1], len(parts[0]))
    old = stored_parts(attempt)
    AnswerDraft.objects.filter(question=question).update(
        covered_s=4.0, covered_bytes=len(parts[0]), covered_sha256="a" * 64, words=[["x", 0, 1, 1]]
    )
    other = speech_webm("A different answer, recorded again.", tmp_path, "again")

    with django_capture_on_commit_callbacks(execute=True):
        response = send(candidate_client, attempt, question, other, 0)

    assert response.json() == {"received": len(other)}
    draft = AnswerDraft.objects.get(question=question)
    assert draft.read_bytes() == other
    assert draft.covered_s == 0 and draft.words == [] and draft.covered_sha256 == ""
    assert not any(default_storage.exists(name) for name in old)


def test_a_gap_is_refused_with_what_was_received(candidate_client, begun, parts):
    attempt, question = begun
    send(candidate_client, attempt, question, parts[0], 0)
    past = len(parts[0]) + len(parts[1])
    body = refused(send(candidate_client, attempt, question, parts[2], past), 409, "draft_gap")
    assert body["received"] == len(parts[0])
    assert AnswerDraft.objects.get(question=question).size == len(parts[0])
    assert len(stored_parts(attempt)) == 1
    # Resent from where the server stopped, the parts join up.
    assert send(candidate_client, attempt, question, parts[1], len(parts[0])).status_code == 200
    assert send(candidate_client, attempt, question, parts[2], past).status_code == 200


def test_a_gap_before_any_part_says_nothing_was_received(candidate_client, begun, parts):
    attempt, question = begun
    body = refused(send(candidate_client, attempt, question, parts[1], 1000), 409, "draft_gap")
    assert body["received"] == 0
    assert stored_parts(attempt) == []


@pytest.mark.parametrize("offset", [None, "", "-1", "abc", "1.5"])
def test_the_offset_must_be_a_byte_count(candidate_client, begun, parts, offset):
    attempt, question = begun
    refused(send(candidate_client, attempt, question, parts[0], offset), 400, "bad_request")
    assert stored_parts(attempt) == []


def test_the_first_part_must_be_a_recording(candidate_client, begun):
    attempt, question = begun
    text = b"Hello, this is a text file and not a recording at all." * 20
    refused(send(candidate_client, attempt, question, text, 0), 400, "not_audio")
    assert stored_parts(attempt) == []


def test_an_empty_part_is_refused(candidate_client, begun):
    attempt, question = begun
    refused(send(candidate_client, attempt, question, b"", 0), 400, "empty")
    assert stored_parts(attempt) == []


def test_a_draft_over_the_size_cap_is_refused(candidate_client, begun, parts, settings):
    settings.VETTA_AUDIO_MAX_BYTES = len(parts[0]) + len(parts[1]) - 1
    attempt, question = begun
    assert send(candidate_client, attempt, question, parts[0], 0).status_code == 200
    refused(send(candidate_client, attempt, question, parts[1], len(parts[0])), 413, "too_large")
    assert AnswerDraft.objects.get(question=question).size == len(parts[0])


def test_a_part_over_the_request_size_limit_is_a_json_refusal(candidate_client, begun, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    attempt, question = begun
    refused(send(candidate_client, attempt, question, b"\x1a\x45\xdf\xa3" * 600), 413, "too_large")
    assert stored_parts(attempt) == []


# --- the rules of answers -----------------------------------------------------------------


def test_a_draft_for_an_answered_question_is_refused(candidate_client, begun, parts, tmp_path):
    attempt, question = begun
    services.answer_submit_audio(
        attempt=attempt, question_id=question.pk, data=silence_webm(tmp_path), declared_type=WEBM
    )
    refused(send(candidate_client, attempt, question, parts[0]), 409, "already_answered")
    assert stored_parts(attempt) == []


def test_a_draft_for_a_question_not_current_is_refused(candidate_client, begun, parts):
    attempt, _first = begun
    later = Question.objects.create(
        attempt=attempt, position=5, key="x", category="technical", difficulty=2, text="?"
    )
    Question.objects.filter(pk=later.pk).update(position=0)  # earlier than the current one
    refused(send(candidate_client, attempt, later, parts[0]), 409, "not_current")
    refused(send(candidate_client, attempt, Question(pk=987654), parts[0]), 400, "unknown_question")
    assert stored_parts(attempt) == []


def test_a_draft_after_the_clock_is_refused(candidate_client, begun, parts):
    attempt, question = begun
    assert attempt.deadline_at is not None
    with time_machine.travel(attempt.deadline_at + timedelta(seconds=services.UPLOAD_GRACE_S + 5)):
        refused(send(candidate_client, attempt, question, parts[0]), 409, "clock_over")
    assert stored_parts(attempt) == []


def test_a_draft_for_a_finished_attempt_is_refused(candidate_client, begun, parts):
    attempt, question = begun
    services.attempt_submit(attempt=attempt, now=timezone.now())
    refused(send(candidate_client, attempt, question, parts[0]), 409, "attempt_closed")
    assert stored_parts(attempt) == []


def test_a_typed_interview_takes_no_drafts(candidate, parts):
    attempt, question = begun_attempt(candidate, typed=True)
    refused(send(client_for(candidate.user), attempt, question, parts[0]), 400, "typed_only")
    assert stored_parts(attempt) == []


def test_another_candidates_attempt_is_not_found(begun, parts):
    attempt, question = begun
    outsider = client_for(CandidateFactory().user)
    refused(send(outsider, attempt, question, parts[0]), 404, "not_found")
    assert not AnswerDraft.objects.filter(question__attempt=attempt).exists()


# --- throwing drafts away -----------------------------------------------------------------


def test_the_uploaded_answer_keeps_its_draft_for_transcription(
    candidate_client, begun, parts, good_webm
):
    attempt, question = begun
    names = draft_of(attempt, question, parts[:2])
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    assert candidate_client.post(url, data=good_webm, content_type=WEBM).status_code == 201
    assert_kept(question, names)  # transcribe_answer reads it, then discards it


def test_skipping_discards_the_draft(
    candidate_client, begun, parts, media, django_capture_on_commit_callbacks
):
    attempt, question = begun
    names = draft_of(attempt, question, parts)
    url = reverse("candidate:interview_api_skip", args=[attempt.pk, question.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert candidate_client.post(url).status_code == 201
    assert_discarded(question, names)


def test_a_silent_answer_discards_the_draft(
    candidate_client, begun, tmp_path, media, django_capture_on_commit_callbacks
):
    attempt, question = begun
    silence = silence_webm(tmp_path)
    names = draft_of(attempt, question, [silence[: len(silence) // 2]])
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert candidate_client.post(url, data=silence, content_type=WEBM).status_code == 201
    assert Answer.objects.get(question=question).status == "unanswered"
    assert_discarded(question, names)


def _draft_row(question: Question, data: bytes) -> list[str]:
    """A draft made before typed answers were granted (the room sends none after)."""
    draft = AnswerDraft.objects.create(question=question)
    name = default_storage.save(draft.part_name(0), ContentFile(data))
    AnswerDraft.objects.filter(pk=draft.pk).update(parts=[name], size=len(data))
    return [name]


def test_a_typed_answer_discards_the_draft(
    candidate, parts, media, django_capture_on_commit_callbacks
):
    attempt, question = begun_attempt(candidate, typed=True)
    names = _draft_row(question, parts[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_submit_text(attempt=attempt, question_id=question.pk, text="")
    assert_discarded(question, names)


def test_the_sweep_discards_drafts_nobody_will_use(
    candidate, parts, media, django_capture_on_commit_callbacks
):
    # Answered a while ago, and the upload's transcription never came for the draft.
    answered_attempt, answered = begun_attempt(candidate)
    answered_names = draft_of(answered_attempt, answered, parts[:1])
    services.answer_submit_audio(
        attempt=answered_attempt,
        question_id=answered.pk,
        data=b"".join(parts),
        declared_type=WEBM,
    )
    # Of an attempt that ended while the candidate spoke.
    closed_attempt, closed = begun_attempt(CandidateFactory())
    closed_names = draft_of(closed_attempt, closed, parts[:1])
    services.attempt_submit(attempt=closed_attempt, now=timezone.now())
    # Still being recorded: kept. (Within the 20 minutes, so the sweep closes no attempt.)
    live_attempt, live = begun_attempt(CandidateFactory())
    with time_machine.travel(timezone.now() + timedelta(minutes=15)):
        live_names = draft_of(live_attempt, live, parts[:2])
        with django_capture_on_commit_callbacks(execute=True):
            services.attempts_sweep()
    assert_discarded(answered, answered_names)
    assert_discarded(closed, closed_names)
    assert_kept(live, live_names)


def test_deleting_the_account_deletes_the_draft_files(
    candidate, begun, parts, media, django_capture_on_commit_callbacks
):
    attempt, question = begun
    names = draft_of(attempt, question, parts)
    with django_capture_on_commit_callbacks(execute=True):
        candidate_account_delete(user=candidate.user)
    assert not any(default_storage.exists(name) for name in names)


# --- at the same time ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not django_settings.USING_POSTGRES, reason="row locks need PostgreSQL")
def test_the_same_part_sent_twice_at_once_is_stored_once(candidate, parts, media, enqueued):
    attempt, question = begun_attempt(candidate)
    barrier = threading.Barrier(2, timeout=30)
    results: list[object] = []

    def append() -> None:
        try:
            barrier.wait()
            draft = services.answer_draft_append(
                attempt=attempt, question_id=question.pk, offset=0, data=parts[0]
            )
            results.append(draft.size)
        except Exception as error:  # recorded for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [len(parts[0])] * 2, results
    draft = AnswerDraft.objects.get(question=question)
    assert draft.size == len(parts[0]) and len(draft.parts) == 1
    assert draft.read_bytes() == parts[0]
    assert enqueued == [draft.pk]
