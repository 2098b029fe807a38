"""Audio retention: answer recordings are kept for a policy number of days, then purged.

The clock starts when the attempt's tier is released (``DomainPolicy.audio_retention_days``
after ``Credential.released_at``). An attempt that never released a tier (abandoned,
failed) starts the clock when it finished. A credential still awaiting release keeps its
audio: staff may still need to review it. Transcripts, word timings and scores stay: they
are the evidence a score is recomputed from; only the recording goes.

Idempotent and safe to run twice at once: a row is claimed with a conditional update
(``audio_purged_at`` set), the file is deleted after that commits, and only then is the
file name cleared. A crash between the two leaves a claimed row with a name, which the
next run finishes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from interviews.models import Answer, Attempt, AttemptState, CredentialStatus
from interviews.policies import policy_for

log = logging.getLogger(__name__)

# States in which the attempt will never release a tier.
_NEVER_RELEASED = (AttemptState.ABANDONED, AttemptState.FAILED)


def audio_purge_date(attempt: Attempt) -> datetime | None:
    """When the attempt's audio may be purged; ``None`` while it must be kept."""
    policy = policy_for(attempt.domain)
    keep = timedelta(days=policy.audio_retention_days)
    credential = getattr(attempt, "credential", None)
    if credential is not None and credential.released_at is not None:
        return credential.released_at + keep
    if credential is None and attempt.state in _NEVER_RELEASED:
        return (attempt.finished_at or attempt.created_at) + keep
    if credential is not None and credential.status == CredentialStatus.SUPERSEDED:
        # Replaced before it was ever released: nobody will review it any more.
        return credential.created_at + keep
    return None


def audio_purge_due(*, now: datetime | None = None) -> int:
    """Purge every recording past its retention date; returns how many files went."""
    now = now or timezone.now()
    purged = 0
    attempts = (
        Attempt.objects.filter(questions__answer__audio_purged_at__isnull=True)
        .exclude(questions__answer__audio="")
        .select_related("domain__policy", "credential")
        .distinct()
    )
    for attempt in attempts:
        purge_at = audio_purge_date(attempt)
        if purge_at is None or purge_at > now:
            continue
        claimed = list(
            Answer.objects.filter(question__attempt=attempt, audio_purged_at__isnull=True).exclude(
                audio=""
            )
        )
        for answer in claimed:
            purged += _answer_audio_purge(answer_id=answer.pk, now=now)
    # Finish rows a crashed run claimed but did not clear.
    for answer_id in Answer.objects.filter(~Q(audio=""), audio_purged_at__isnull=False).values_list(
        "pk", flat=True
    ):
        purged += _answer_audio_purge(answer_id=answer_id, now=now)
    return purged


def _answer_audio_purge(*, answer_id: int, now: datetime) -> int:
    with transaction.atomic():
        won = Answer.objects.filter(pk=answer_id, audio_purged_at__isnull=True).update(
            audio_purged_at=now
        )
    name = Answer.objects.filter(pk=answer_id).values_list("audio", flat=True).first()
    if not name:
        return 0
    try:
        default_storage.delete(name)
    except OSError:
        log.exception("Could not delete purged audio of answer %s; the next run retries", answer_id)
        return 0
    Answer.objects.filter(pk=answer_id, audio=name).update(audio="")
    return 1 if won else 0


@shared_task(time_limit=1800, soft_time_limit=1750)
def purge_expired_audio() -> int:
    return audio_purge_due()
