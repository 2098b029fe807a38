"""Small builders for the policy tests: a candidate ready to interview, results without audio."""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import Candidate
from interviews import services
from interviews.models import Attempt, AttemptState, Credential, Domain
from tests.factories import DomainFactory, DomainPolicyFactory, ResumeFactory


def policy_domain(slug: str = "machine_learning", **policy: object) -> Domain:
    domain = DomainFactory(slug=slug, name=slug.replace("_", " ").title())
    DomainPolicyFactory(domain=domain, **policy)
    domain.refresh_from_db()
    return domain


def ready(candidate: Candidate) -> Candidate:
    ResumeFactory(candidate=candidate)
    return candidate


def finish(attempt: Attempt, *, at: datetime, state: str = AttemptState.SUBMITTED) -> Attempt:
    """End an attempt the way the room does (the candidate left, or the last answer came in)."""
    Attempt.objects.filter(pk=attempt.pk).update(state=state, finished_at=at)
    attempt.refresh_from_db()
    return attempt


def score_and_release(attempt: Attempt, *, tier: str, score: float, at: datetime) -> Credential:
    """What attempt_finalize does after scoring: stage the credential, then release it."""
    Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.SCORED, tier=tier, score=score)
    credential = services.credential_stage(
        attempt_id=attempt.pk, tier=tier, score=score, release_at=at
    )
    services.credential_release(credential_id=credential.pk, now=at)
    credential.refresh_from_db()
    return credential


def scored_attempt(
    candidate: Candidate,
    domain: Domain,
    *,
    at: datetime,
    value: float,
    evidence: dict | None = None,
    duration_s: float = 80.0,
) -> Attempt:
    """A submitted attempt whose every planned question was answered and scored ``value``."""
    import dataclasses

    from interviews.engine.plan import make_plan
    from interviews.engine.types import ResumeFacts
    from interviews.models import Answer, AnswerStatus, Question, Score
    from tests.factories import AttemptFactory

    plan = make_plan(domain=domain.slug, resume=ResumeFacts(), seed=7)
    attempt = AttemptFactory(
        candidate=candidate,
        domain=domain,
        created_at=at - timedelta(minutes=20),
        started_at=at - timedelta(minutes=20),
        finished_at=at,
        plan=dataclasses.asdict(plan),
    )
    for slot in plan.slots:
        question = Question.objects.create(
            attempt=attempt,
            position=slot.index + 1,
            key=f"q{slot.index}",
            category=slot.category,
            segment=slot.segment,
            difficulty=4,
            text="A question",
        )
        answer = Answer.objects.create(
            question=question,
            status=AnswerStatus.SCORED,
            transcript="An answer.",
            duration_s=duration_s,
        )
        Score.objects.create(
            answer=answer,
            fluency=value,
            technical_accuracy=value,
            coherence=value,
            conciseness=value,
            overall=value,
            evidence=evidence or {},
            rubric_version="test",
        )
    return attempt
