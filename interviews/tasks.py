"""Celery tasks of the interview pipeline: transcribe → grade → finalize, and the periodic ones.

Tasks take ids, load the row, check its state and do only what is still missing, so a
redelivered task (acks late, a worker killed mid-way) changes nothing twice.
"""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.signals import worker_process_init
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interviews import services
from interviews.models import Answer, AnswerDraft, AnswerStatus, Attempt

log = logging.getLogger(__name__)


def transcriber_config():
    from interviews.engine.transcriber import TranscriberConfig

    return TranscriberConfig(
        model_path=settings.VETTA_WHISPER_MODEL or None,
        device=settings.VETTA_WHISPER_DEVICE,
        compute_type=settings.VETTA_WHISPER_COMPUTE_TYPE,
        cpu_threads=settings.VETTA_WHISPER_CPU_THREADS,
        beam_size=settings.VETTA_WHISPER_BEAM_SIZE,
    )


@worker_process_init.connect
def _load_model_after_fork(**_: object) -> None:
    # CTranslate2 models are not fork-safe: each worker process loads its own, after the fork.
    if settings.VETTA_WHISPER_PRELOAD:
        from interviews.engine.transcriber import get_transcriber

        get_transcriber(transcriber_config())


class AnswerTask(DjangoTask):
    """After the last retry, the answer shows a failed state instead of hanging."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # type: ignore[override]
        answer_id = args[0] if args else kwargs.get("answer_id")
        Answer.objects.filter(pk=answer_id).exclude(
            status__in=[AnswerStatus.SCORED, AnswerStatus.UNANSWERED]
        ).update(status=AnswerStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        attempt_id = (
            Answer.objects.filter(pk=answer_id)
            .values_list("question__attempt_id", flat=True)
            .first()
        )
        if attempt_id:
            finalize_attempt.delay(attempt_id)


TRANSIENT = (OSError, ConnectionError, TimeoutError)
# A draft is transcribed once this much audio arrived past what is already covered.
DRAFT_MIN_NEW_S = 4.0


def _hotwords(attempt: Attempt) -> list[str]:
    return [s.get("name", "") for s in (attempt.resume.parsed or {}).get("skills", [])]


@shared_task(
    base=AnswerTask,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=3,
    time_limit=300,
    soft_time_limit=240,
)
def transcribe_answer(answer_id: int) -> None:
    from interviews.engine.audio import TARGET_RATE, decode_to_float32_16k
    from interviews.engine.transcriber import get_transcriber

    answer = Answer.objects.select_related("question__attempt__resume").filter(pk=answer_id).first()
    if answer is None or answer.status != AnswerStatus.UPLOADED:
        return
    with answer.audio.open("rb") as fh:
        data = fh.read()
    container = (answer.audio.name or "").rsplit(".", 1)[-1]
    samples = decode_to_float32_16k(data, container)
    hotwords = _hotwords(answer.question.attempt)
    transcriber = get_transcriber(transcriber_config())
    # What was transcribed while the candidate spoke, if it came from these very bytes.
    draft = AnswerDraft.objects.filter(question_id=answer.question_id).first()
    head = draft if draft is not None and _draft_matches(draft, data) else None
    if head is None:
        transcript = transcriber.transcribe(samples, hotwords=hotwords)
        words = [[w.word, round(w.start, 2), round(w.end, 2)] for w in transcript.words]
        text = transcript.text
        passes = transcript.passes
        progressive = None
    else:
        cut = int(head.covered_s * TARGET_RATE)
        transcript = transcriber.transcribe(
            samples[cut:], hotwords=hotwords, offset_s=head.covered_s
        )
        words = [w[:3] for w in head.words]
        words += [[w.word, round(w.start, 2), round(w.end, 2)] for w in transcript.words]
        head_text = "".join(w[0] for w in head.words).strip()
        text = " ".join(t for t in (head_text, transcript.text) if t)
        passes = [{"stage": "draft", **p} for p in head.passes]
        passes += [{"stage": "final", **p} for p in transcript.passes]
        progressive = {
            "covered_s": round(head.covered_s, 2),
            "draft_elapsed_s": round(head.elapsed_s, 3),
            "tail_s": round((samples.size - cut) / TARGET_RATE, 2),
        }
    reasons = [p["fallback_reason"] for p in passes if p.get("fallback_reason")]
    with transaction.atomic():
        claimed = Answer.objects.filter(pk=answer_id, status=AnswerStatus.UPLOADED).update(
            status=AnswerStatus.TRANSCRIBED,
            transcript=text,
            words=words,
            transcription={
                # Wall time after the upload; with a draft, the earlier work is draft_elapsed_s.
                "elapsed_s": round(transcript.elapsed_s, 3),
                "duration_s": round(samples.size / TARGET_RATE, 2),
                "passes": passes,
                "used_hotwords": bool(hotwords)
                and any(p.get("chosen") and p["name"] == "conditioned" for p in passes),
                "fallback_reason": "; ".join(reasons) or None,
                "progressive": progressive,
                "model": settings.VETTA_WHISPER_MODEL or "tiny.en (bundled)",
            },
            transcribed_at=timezone.now(),
        )
        if claimed:
            if not text.strip():
                services.answer_mark_unanswered(answer_id=answer_id, reason="no words recognised")
            else:
                grade_answer.delay_on_commit(answer_id)
        if draft is not None:
            services.draft_discard(question_id=answer.question_id)


def _draft_matches(draft: AnswerDraft, data: bytes) -> bool:
    """Whether the draft's words were transcribed from a prefix of the uploaded file."""
    return (
        draft.covered_s > 0
        and 0 < draft.covered_bytes <= len(data)
        and hashlib.sha256(data[: draft.covered_bytes]).hexdigest() == draft.covered_sha256
    )


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=100)
def transcribe_draft(draft_id: int) -> None:
    """Transcribe the finished stretches of speech of an answer still being recorded.

    Best effort, so no retries: whatever a draft misses, the final upload's transcription
    does. Each run continues where the last one stopped (`covered_s`).
    """
    from interviews.engine.audio import (
        TARGET_RATE,
        AudioRejected,
        decode_prefix_to_float32_16k,
        sniff_container,
    )
    from interviews.engine.transcriber import get_transcriber

    draft = (
        AnswerDraft.objects.select_related("question__attempt__resume").filter(pk=draft_id).first()
    )
    if draft is None or Answer.objects.filter(question_id=draft.question_id).exists():
        return
    data = draft.read_bytes()
    container = sniff_container(data)
    if container is None:
        return
    try:
        samples = decode_prefix_to_float32_16k(data, container)
    except AudioRejected:
        return
    cut = int(draft.covered_s * TARGET_RATE)
    if (samples.size - cut) / TARGET_RATE < DRAFT_MIN_NEW_S:
        return
    transcript = get_transcriber(transcriber_config()).transcribe(
        samples[cut:],
        hotwords=_hotwords(draft.question.attempt),
        offset_s=draft.covered_s,
        partial=True,
    )
    if transcript.covered_s <= draft.covered_s:
        return
    new_words = [
        [w.word, round(w.start, 2), round(w.end, 2), round(w.probability, 3)]
        for w in transcript.words
    ]
    # Only if no other run moved the draft on meanwhile (a redelivery, a second worker).
    AnswerDraft.objects.filter(pk=draft.pk, covered_s=draft.covered_s).update(
        covered_s=transcript.covered_s,
        covered_bytes=len(data),
        covered_sha256=hashlib.sha256(data).hexdigest(),
        words=draft.words + new_words,
        passes=draft.passes + transcript.passes,
        elapsed_s=draft.elapsed_s + transcript.elapsed_s,
        updated_at=timezone.now(),
    )


@shared_task(
    base=AnswerTask,
    autoretry_for=TRANSIENT,
    retry_backoff=1,
    max_retries=3,
    time_limit=60,
    soft_time_limit=45,
)
def grade_answer(answer_id: int) -> None:
    answer = Answer.objects.select_related("question__attempt__domain").filter(pk=answer_id).first()
    if answer is None or answer.status not in (AnswerStatus.TRANSCRIBED, AnswerStatus.SCORED):
        return
    services.answer_grade(answer=answer)
    attempt = answer.question.attempt
    attempt.refresh_from_db(fields=["state"])
    if attempt.state != "in_progress":
        finalize_attempt.delay_on_commit(attempt.pk)


@shared_task(
    autoretry_for=TRANSIENT, retry_backoff=1, max_retries=5, time_limit=120, soft_time_limit=100
)
def finalize_attempt(attempt_id: int) -> None:
    attempt = Attempt.objects.select_related("domain", "candidate").filter(pk=attempt_id).first()
    if attempt is not None:
        services.attempt_finalize(attempt=attempt)


@shared_task(time_limit=300, soft_time_limit=280)
def sweep_attempts() -> int:
    return services.attempts_sweep()


@shared_task(time_limit=300, soft_time_limit=280)
def release_credentials() -> int:
    return services.credentials_release_due()


@shared_task(time_limit=600, soft_time_limit=580)
def expire_credentials() -> int:
    return services.credentials_expire()


@shared_task(time_limit=600, soft_time_limit=580)
def send_expiry_reminders() -> int:
    return services.expiry_reminders_send()
