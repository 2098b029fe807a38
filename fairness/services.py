"""Writes of the fairness app: the candidate's own answers, and anonymising on deletion."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from accounts.models import Candidate
from fairness.models import DemographicAnswer, FairnessRecord
from interviews.models import Attempt, AttemptState


def demographic_answer_save(
    *, candidate: Candidate, sex: str, race_ethnicity: str
) -> DemographicAnswer:
    now = timezone.now()
    answer, created = DemographicAnswer.objects.get_or_create(
        candidate=candidate,
        defaults={"sex": sex, "race_ethnicity": race_ethnicity, "answered_at": now},
    )
    if not created:
        answer.sex, answer.race_ethnicity, answer.updated_at = sex, race_ethnicity, now
        answer.save(update_fields=["sex", "race_ethnicity", "updated_at"])
    return answer


def demographic_answer_withdraw(*, candidate: Candidate) -> None:
    DemographicAnswer.objects.filter(candidate=candidate).delete()


def demographic_answer_of(*, candidate: Candidate) -> DemographicAnswer | None:
    return DemographicAnswer.objects.filter(candidate=candidate).first()


def fairness_records_write(*, candidate: Candidate) -> int:
    """Before an account is deleted: keep its scored results for the audit, unlinked.

    One random subject id per deleted person, so the report still counts one result per
    person; tier and score are the automated ones the report measures.
    """
    answer = demographic_answer_of(candidate=candidate)
    subject = uuid.uuid4()
    records = [
        FairnessRecord(
            subject=subject,
            domain_id=attempt.domain_id,
            scored_at=attempt.finished_at or attempt.created_at,
            tier=attempt.tier,
            score=attempt.score or 0.0,
            sex=answer.sex if answer else "",
            race_ethnicity=answer.race_ethnicity if answer else "",
        )
        for attempt in Attempt.objects.filter(
            candidate=candidate,
            state__in=[AttemptState.SCORED, AttemptState.RELEASED],
            score__isnull=False,
        ).exclude(tier="")
    ]
    with transaction.atomic():
        FairnessRecord.objects.bulk_create(records)
    return len(records)
