"""Reads for the interview side."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Candidate
from interviews.engine.taxonomy import Taxonomy, default_taxonomy, entry_from_dict
from interviews.engine.types import BankQuestion as EngineBankQuestion
from interviews.models import (
    MATCHABLE_TIERS,
    Answer,
    AnswerStatus,
    Attempt,
    BankQuestion,
    Credential,
    CredentialStatus,
    Domain,
    Question,
    Resume,
    Skill,
)

if TYPE_CHECKING:
    from interviews.engine.report import ImprovementReport

_TAXONOMY_VERSION_KEY = "interviews:taxonomy-version"
_taxonomy_lock = threading.Lock()
_taxonomy_cache: dict[str, object] = {}


def taxonomy_changed() -> None:
    """Staff edited the taxonomy: every process rebuilds it on next use."""
    try:
        cache.incr(_TAXONOMY_VERSION_KEY)
    except ValueError:
        cache.set(_TAXONOMY_VERSION_KEY, 1, timeout=None)


def taxonomy_current() -> Taxonomy:
    """The taxonomy as staff edited it in the database (falls back to the shipped file)."""
    version = cache.get(_TAXONOMY_VERSION_KEY, 0)
    with _taxonomy_lock:
        if _taxonomy_cache.get("version") == version and "taxonomy" in _taxonomy_cache:
            return _taxonomy_cache["taxonomy"]  # type: ignore[return-value]
        skills = list(Skill.objects.prefetch_related("parents", "domains"))
        if not skills:
            taxonomy = default_taxonomy()
        else:
            taxonomy = Taxonomy.from_entries(
                entry_from_dict(
                    {
                        "slug": s.slug,
                        "name": s.name,
                        "kind": s.kind,
                        "aliases": s.aliases,
                        "parents": [p.slug for p in s.parents.all()],
                        "domains": [d.slug for d in s.domains.all()],
                        "concepts": s.concepts,
                    }
                )
                for s in skills
            )
        _taxonomy_cache.update(version=version, taxonomy=taxonomy)
        return taxonomy


def bank_for(domain: Domain) -> list[EngineBankQuestion]:
    return [
        EngineBankQuestion(
            id=q.key,
            domain=domain.slug,
            category=q.category,
            difficulty=q.difficulty,
            text=q.text,
            expected_concepts=tuple(q.expected_concepts),
            skills=tuple(q.skills),
            theme=q.theme or None,
        )
        for q in BankQuestion.objects.filter(domain=domain, active=True)
    ]


def current_resume(*, candidate: Candidate) -> Resume | None:
    return Resume.objects.filter(candidate=candidate, is_current=True).first()


def active_domains() -> QuerySet[Domain]:
    return Domain.objects.filter(active=True).select_related("policy")


def attempts_for_candidate(*, candidate: Candidate) -> QuerySet[Attempt]:
    return Attempt.objects.filter(candidate=candidate).select_related("domain")


def attempt_questions(*, attempt: Attempt) -> list[Question]:
    """The attempt's questions in order, each with its answer and score when there are any."""
    return list(
        Question.objects.filter(attempt=attempt)
        .select_related("answer", "answer__score")
        .order_by("position")
    )


def current_question(*, attempt: Attempt) -> Question | None:
    """The asked question still waiting for its answer, if there is one."""
    return (
        Question.objects.filter(attempt=attempt, answer__isnull=True).order_by("-position").first()
    )


def standing_credentials(*, candidate: Candidate) -> QuerySet[Credential]:
    """The credential that stands in each domain (pending release or active)."""
    return Credential.objects.filter(
        candidate=candidate, status__in=[CredentialStatus.PENDING, CredentialStatus.ACTIVE]
    ).select_related("domain")


def answers_of(*, attempt: Attempt) -> QuerySet[Answer]:
    return Answer.objects.filter(question__attempt=attempt).select_related("question", "score")


def matchable_credentials(*, now: datetime | None = None) -> QuerySet[Credential]:
    """What matching may read: released, unexpired Expert and Verified Expert tiers."""
    return Credential.objects.filter(
        status=CredentialStatus.ACTIVE,
        valid_until__gt=now or timezone.now(),
        tier__in=MATCHABLE_TIERS,
    )


def released_credentials(*, candidate: Candidate) -> QuerySet[Credential]:
    """The tiers the candidate may see: released and still standing."""
    return Credential.objects.filter(
        candidate=candidate, status=CredentialStatus.ACTIVE
    ).select_related("domain", "attempt")


def pending_credentials(*, candidate: Candidate) -> QuerySet[Credential]:
    return Credential.objects.filter(
        candidate=candidate, status=CredentialStatus.PENDING
    ).select_related("domain")


def improvement_report_for(*, attempt: Attempt) -> ImprovementReport:
    """The dimension-level report of one attempt, from its stored sub-scores and evidence."""
    from interviews.engine.report import AnswerEvidence, improvement_report

    rows = []
    for question in attempt_questions(attempt=attempt):
        answer = getattr(question, "answer", None)
        score = getattr(answer, "score", None) if answer is not None else None
        answered = (
            answer is not None and score is not None and answer.status != AnswerStatus.UNANSWERED
        )
        rows.append(
            AnswerEvidence(
                category=question.category,
                answered=answered,
                duration_s=answer.duration_s if answer is not None else 0.0,
                typed=answer.typed if answer is not None else False,
                fluency=score.fluency if score else 0.0,
                technical_accuracy=score.technical_accuracy if score else 0.0,
                coherence=score.coherence if score else 0.0,
                conciseness=score.conciseness if score else 0.0,
                evidence=score.evidence if score else {},
            )
        )
    planned = len((attempt.plan or {}).get("slots") or [])
    # Planned questions never asked (the candidate left, or the clock ran out) count as
    # unanswered, as they do in the score.
    rows.extend(
        AnswerEvidence(category="", answered=False) for _ in range(max(0, planned - len(rows)))
    )
    return improvement_report(rows)


def dashboard_domains(*, candidate: Candidate, now: datetime) -> list[dict]:
    """Per active domain, what the candidate's dashboard shows: the released tier, a pending
    result, whether a new attempt may start (in plain words), the contest state and the
    improvement report of the released attempt."""
    from interviews.models import Contest
    from interviews.policies import contest_closes_at, policy_for, start_eligibility

    released = {c.domain_id: c for c in released_credentials(candidate=candidate)}
    pending = {c.domain_id: c for c in pending_credentials(candidate=candidate)}
    contests = {
        c.credential_id: c
        for c in Contest.objects.filter(credential__in=[c.pk for c in released.values()])
    }
    rows = []
    for domain in active_domains():
        credential = released.get(domain.pk)
        contest_until = (
            contest_closes_at(credential=credential, policy=policy_for(domain))
            if credential
            else None
        )
        contest = contests.get(credential.pk) if credential else None
        rows.append(
            {
                "domain": domain,
                "credential": credential,
                "pending": pending.get(domain.pk),
                "eligibility": start_eligibility(candidate=candidate, domain=domain, now=now),
                "contest": contest,
                "can_contest": bool(
                    credential and contest is None and contest_until and contest_until > now
                ),
                "contest_until": contest_until,
                # Only the released result has a report; a pending one is not shown yet.
                "report": improvement_report_for(attempt=credential.attempt)
                if credential
                else None,
            }
        )
    return rows
