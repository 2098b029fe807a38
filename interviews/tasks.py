"""Celery tasks of the interview pipeline: transcribe → grade → finalize, and the periodic ones.

Tasks take ids, load the row, check its state and do only what is still missing, so a
redelivered task (acks late, a worker killed mid-way) changes nothing twice.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.signals import worker_process_init
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interviews import services
from interviews.models import Answer, AnswerStatus, Attempt

log = logging.getLogger(__name__)


def transcriber_config():
    from interviews.engine.transcriber import TranscriberConfig

    return TranscriberConfig(
        model_path=settings.VETTA_WHISPER_MODEL or None,
        device=settings.VETTA_WHISPER_DEVICE,
        compute_type=settings.VETTA_WHISPER_COMPUTE_TYPE,
        cpu_threads=settings.VETTA_WHISPER_CPU_THREADS,
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


@shared_task(
    base=AnswerTask,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=3,
    time_limit=300,
    soft_time_limit=240,
)
def transcribe_answer(answer_id: int) -> None:
    from interviews.engine.audio import decode_to_float32_16k
    from interviews.engine.transcriber import get_transcriber

    answer = Answer.objects.select_related("question__attempt__resume").filter(pk=answer_id).first()
    if answer is None or answer.status != AnswerStatus.UPLOADED:
        return
    with answer.audio.open("rb") as fh:
        data = fh.read()
    container = (answer.audio.name or "").rsplit(".", 1)[-1]
    samples = decode_to_float32_16k(data, container)
    resume = answer.question.attempt.resume
    hotwords = [s.get("name", "") for s in (resume.parsed or {}).get("skills", [])]
    transcript = get_transcriber(transcriber_config()).transcribe(samples, hotwords=hotwords)
    with transaction.atomic():
        claimed = Answer.objects.filter(pk=answer_id, status=AnswerStatus.UPLOADED).update(
            status=AnswerStatus.TRANSCRIBED,
            transcript=transcript.text,
            words=[[w.word, round(w.start, 2), round(w.end, 2)] for w in transcript.words],
            transcription={
                "elapsed_s": round(transcript.elapsed_s, 3),
                "duration_s": round(transcript.duration_s, 2),
                "passes": transcript.passes,
                "used_hotwords": transcript.used_hotwords,
                "fallback_reason": transcript.fallback_reason,
                "model": settings.VETTA_WHISPER_MODEL or "tiny.en (bundled)",
            },
            transcribed_at=timezone.now(),
        )
        if claimed:
            if not transcript.text.strip():
                services.answer_mark_unanswered(answer_id=answer_id, reason="no words recognised")
            else:
                grade_answer.delay_on_commit(answer_id)


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
