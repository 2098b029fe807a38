"""Interview rows without running an interview: for the trust tests (fairness, review,
data rights, retention). Files go to whatever MEDIA_ROOT the test set."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Candidate
from interviews.models import (
    Answer,
    AnswerStatus,
    Attempt,
    AttemptState,
    Credential,
    CredentialStatus,
    Domain,
    DomainPolicy,
    IntegrityEvent,
    Question,
    Resume,
    Score,
)
from tests.factories import CandidateFactory, UserFactory

TIER_FOR_RANK = ["declined", "qualified", "expert", "verified_expert"]


def make_domain(slug: str = "machine-learning", **policy: object) -> Domain:
    domain, _ = Domain.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    DomainPolicy.objects.update_or_create(domain=domain, defaults=policy)
    return domain


def make_candidate(email: str | None = None) -> Candidate:
    return CandidateFactory(user=UserFactory(**({"email": email} if email else {})))


def make_resume(candidate: Candidate, *, version: int = 1, with_file: bool = True) -> Resume:
    resume = Resume(
        candidate=candidate,
        version=version,
        original_name="cv.pdf",
        sha256="0" * 64,
        size_bytes=8,
        page_count=1,
        parsed={"text": "Alex built evaluation pipelines at Acme.", "skills": []},
        is_current=False,
    )
    if with_file:
        resume.file.save(f"v{version}.pdf", ContentFile(b"%PDF-1.4"), save=False)
    resume.save()
    return resume


def make_attempt(
    candidate: Candidate,
    domain: Domain,
    *,
    score: float = 75.0,
    tier: str = "expert",
    finished_at: datetime | None = None,
    state: str = AttemptState.RELEASED,
    answers: int = 2,
    with_audio: bool = True,
    released_at: datetime | None = None,
    credential_status: str = CredentialStatus.ACTIVE,
) -> Attempt:
    finished_at = finished_at or timezone.now()
    resume = Resume.objects.filter(candidate=candidate).first() or make_resume(candidate)
    attempt = Attempt.objects.create(
        candidate=candidate,
        domain=domain,
        resume=resume,
        state=state,
        created_at=finished_at - timedelta(minutes=20),
        started_at=finished_at - timedelta(minutes=20),
        finished_at=finished_at,
        score=score if state in (AttemptState.SCORED, AttemptState.RELEASED) else None,
        tier=tier if state in (AttemptState.SCORED, AttemptState.RELEASED) else "",
        max_difficulty=3,
    )
    for position in range(1, answers + 1):
        question = Question.objects.create(
            attempt=attempt,
            position=position,
            key=f"q{position}",
            category="technical",
            difficulty=3,
            text=f"Question {position}: what is few-shot prompting?",
            expected_concepts=["examples in the prompt"],
        )
        answer = Answer(
            question=question,
            status=AnswerStatus.SCORED,
            audio_type="audio/webm",
            audio_bytes=5,
            duration_s=3.0,
            transcript="Few-shot prompting um puts examples in the prompt.",
            words=[["Few-shot", 0.0, 0.5], ["prompting", 0.5, 1.0], ["um", 3.5, 3.7]],
            submitted_at=finished_at,
        )
        if with_audio:
            answer.audio.save("answer.webm", ContentFile(b"webm!"), save=False)
        answer.save()
        Score.objects.create(
            answer=answer,
            fluency=60,
            technical_accuracy=70,
            coherence=80,
            conciseness=90,
            overall=score,
            evidence={
                "fluency": [{"fillers_per_min": 4}],
                "technical_accuracy": [{"concepts_matched": ["examples"], "of": 1}],
                "coherence": [{"bottom_line_up_front": True}],
                "conciseness": [{"duration_s": 3.0}],
                "overall": {},
            },
            rubric_version="builtin-test",
            backend="builtin",
        )
    if state in (AttemptState.SCORED, AttemptState.RELEASED):
        released = released_at or (finished_at if state == AttemptState.RELEASED else None)
        # The latest attempt stands: earlier standing credentials are superseded.
        Credential.objects.filter(
            candidate=candidate,
            domain=domain,
            status__in=[CredentialStatus.ACTIVE, CredentialStatus.PENDING],
        ).update(status=CredentialStatus.SUPERSEDED)
        Credential.objects.create(
            candidate=candidate,
            domain=domain,
            attempt=attempt,
            tier=tier,
            score=score,
            status=credential_status
            if state == AttemptState.RELEASED
            else CredentialStatus.PENDING,
            release_at=released or finished_at,
            released_at=released,
            valid_until=released + timedelta(days=180) if released else None,
        )
    return attempt


def add_integrity_event(attempt: Attempt, kind: str = "focus_lost") -> IntegrityEvent:
    return IntegrityEvent.objects.create(attempt=attempt, kind=kind, question_position=1)
