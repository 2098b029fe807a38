"""Transcribing while the candidate speaks: drafts cover the finished speech, the upload the rest.

The browser sends the recording in parts as it is made (AnswerDraft); a worker transcribes the
stretches of speech that have finished. When the answer is uploaded only what follows them is
transcribed, and only if the draft's bytes are a prefix of the uploaded file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from interviews import services, tasks
from interviews.engine.audio import (
    TARGET_RATE,
    AudioRejected,
    decode_prefix_to_float32_16k,
    decode_to_float32_16k,
    inspect_audio,
)
from interviews.engine.transcriber import Transcriber, get_transcriber
from interviews.models import Answer, AnswerDraft, AnswerStatus
from tests.interviews.room_helpers import WEBM, begun_attempt, speech_webm
from tests.speech import TECHNICAL_ANSWERS, term_recall, word_error_rate

SPOKEN = TECHNICAL_ANSWERS[:3]
SCRIPT = " ".join(answer.script for answer in SPOKEN)
TERMS = [term for answer in SPOKEN for term in answer.key_terms]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """About 40 s of spoken technical answers as WebM/Opus, like MediaRecorder makes."""
    return speech_webm(SCRIPT, Path(tmp_path_factory.mktemp("progressive")))


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return get_transcriber()


def test_a_recording_cut_mid_cluster_decodes_up_to_the_cut(recording: bytes) -> None:
    whole = decode_to_float32_16k(recording, "webm")
    prefix = recording[: len(recording) * 6 // 10 + 7]  # ends inside a block

    # As an upload the prefix is refused; as a draft it is what has been recorded so far.
    with pytest.raises(AudioRejected) as refused:
        inspect_audio(prefix, declared_type=WEBM, max_bytes=10**7, max_duration_s=300)
    assert refused.value.code == "truncated"
    samples = decode_prefix_to_float32_16k(prefix, "webm")

    assert 0.5 * whole.size < samples.size < 0.7 * whole.size
    # A prefix decodes to the same samples as the start of the whole file.
    assert np.allclose(samples[: samples.size - 4000], whole[: samples.size - 4000], atol=1e-6)


def test_partial_transcript_stops_before_speech_that_may_go_on(
    recording: bytes, transcriber: Transcriber
) -> None:
    samples = decode_to_float32_16k(recording, "webm")
    prefix = samples[: samples.size * 6 // 10]
    prefix_s = prefix.size / TARGET_RATE

    head = transcriber.transcribe(prefix, hotwords=TERMS, partial=True)

    assert 5.0 < head.covered_s <= prefix_s - 1.0
    assert head.words and all(w.end <= head.covered_s + 0.05 for w in head.words)

    cut = int(head.covered_s * TARGET_RATE)
    tail = transcriber.transcribe(samples[cut:], hotwords=TERMS, offset_s=head.covered_s)
    whole = transcriber.transcribe(samples, hotwords=TERMS)

    assert tail.words and all(w.start >= head.covered_s - 0.05 for w in tail.words)
    assert tail.covered_s == pytest.approx(samples.size / TARGET_RATE)
    joined = f"{head.text} {tail.text}"
    starts = [w.start for w in head.words + tail.words]
    assert starts == sorted(starts)
    # In two parts the transcript is as good as in one, give or take tiny.en's noise (seen:
    # 0.21–0.29 against 0.23 depending on where the cut fell).
    assert word_error_rate(SCRIPT, joined) <= word_error_rate(SCRIPT, whole.text) + 0.1
    assert term_recall(TERMS, joined) >= term_recall(TERMS, whole.text) - 0.1
    assert term_recall(TERMS, joined) >= 0.7


def _draft_with(question, data: bytes) -> AnswerDraft:
    draft = AnswerDraft.objects.create(question=question)
    name = default_storage.save(draft.part_name(0), ContentFile(data))
    AnswerDraft.objects.filter(pk=draft.pk).update(parts=[name], size=len(data))
    draft.refresh_from_db()
    return draft


@pytest.mark.django_db(transaction=True)
def test_the_upload_transcribes_only_what_the_draft_did_not_cover(
    candidate, recording: bytes, celery_eager, django_capture_on_commit_callbacks
) -> None:
    attempt, question = begun_attempt(candidate)
    draft = _draft_with(question, recording[: len(recording) * 7 // 10])

    tasks.transcribe_draft(draft.pk)

    draft.refresh_from_db()
    assert draft.covered_s > 5.0
    assert draft.words and draft.passes and draft.covered_bytes == draft.size
    covered_s, parts = draft.covered_s, list(draft.parts)

    tasks.transcribe_draft(draft.pk)  # nothing new arrived: nothing changes
    draft.refresh_from_db()
    assert draft.covered_s == covered_s

    with django_capture_on_commit_callbacks(execute=True):
        services.answer_submit_audio(
            attempt=attempt, question_id=question.pk, data=recording, declared_type=WEBM
        )

    answer = Answer.objects.get(question=question)
    assert answer.status == AnswerStatus.SCORED
    progressive = answer.transcription["progressive"]
    assert progressive["covered_s"] == pytest.approx(covered_s, abs=0.01)
    assert progressive["tail_s"] < answer.duration_s - 5.0
    stages = {p["stage"] for p in answer.transcription["passes"]}
    assert stages == {"draft", "final"}
    assert term_recall(TERMS, answer.transcript) >= 0.7
    assert word_error_rate(SCRIPT, answer.transcript) < 0.4
    times = [w[1] for w in answer.words]
    assert times == sorted(times) and times[-1] > covered_s
    # The draft is gone, files and all.
    assert not AnswerDraft.objects.filter(question=question).exists()
    assert not any(default_storage.exists(name) for name in parts)


@pytest.mark.django_db(transaction=True)
def test_a_draft_of_other_bytes_is_not_trusted(
    candidate, recording: bytes, tmp_path: Path, celery_eager, django_capture_on_commit_callbacks
) -> None:
    attempt, question = begun_attempt(candidate)
    other = speech_webm(TECHNICAL_ANSWERS[5].script, tmp_path, "other")
    draft = _draft_with(question, other)
    AnswerDraft.objects.filter(pk=draft.pk).update(
        covered_s=3.0, covered_bytes=len(other), covered_sha256="0" * 64, words=[["Bogus", 0, 1, 1]]
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.answer_submit_audio(
            attempt=attempt, question_id=question.pk, data=recording, declared_type=WEBM
        )

    answer = Answer.objects.get(question=question)
    assert answer.transcription["progressive"] is None
    assert "Bogus" not in answer.transcript
    assert answer.transcription["passes"] and "stage" not in answer.transcription["passes"][0]
    assert "LangChain" in answer.transcript and "Kubernetes" in answer.transcript
    assert not AnswerDraft.objects.filter(question=question).exists()


@pytest.mark.django_db
def test_a_draft_is_left_alone_once_the_answer_is_in(candidate, recording: bytes) -> None:
    _, question = begun_attempt(candidate)
    draft = _draft_with(question, recording[: len(recording) // 2])
    Answer.objects.create(question=question, status=AnswerStatus.UPLOADED)

    tasks.transcribe_draft(draft.pk)

    draft.refresh_from_db()
    assert draft.covered_s == 0 and draft.words == []
