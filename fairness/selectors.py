"""Reads for the fairness report: which result counts for whom.

The result that counts is each person's **latest scored attempt in the domain that
finished within the period** (the product's rule that the latest attempt stands, PRODUCT.md
§4, applied inside the audit window). The tier is the one the automated interview decided
(``Attempt.tier``): the audit measures the tool, and a staff override is a human decision
recorded in the audit trail, not an output of the tool. Deleted accounts take part through
their anonymised ``FairnessRecord`` rows, under the same rule per anonymous subject.
"""

from __future__ import annotations

from datetime import datetime

from fairness.engine import Outcome
from fairness.models import DemographicAnswer, FairnessRecord, category_of
from interviews.models import TIER_RANK, Attempt, AttemptState, Domain, Tier

SCORED_STATES = (AttemptState.SCORED, AttemptState.RELEASED)


def outcomes_for(*, domain: Domain, start: datetime, end: datetime) -> list[Outcome]:
    """One outcome per person: live candidates, then deleted accounts' anonymised records."""
    latest: dict[int, tuple[int, float, datetime | None]] = {}
    rows = (
        Attempt.objects.filter(
            domain=domain,
            state__in=SCORED_STATES,
            score__isnull=False,
            finished_at__gte=start,
            finished_at__lt=end,
        )
        .exclude(tier="")
        .order_by("candidate_id", "-finished_at", "-pk")
        .values_list("candidate_id", "tier", "score", "finished_at")
    )
    for candidate_id, tier, score, finished_at in rows:
        if candidate_id not in latest:
            latest[candidate_id] = (TIER_RANK[Tier(tier)], score or 0.0, finished_at)
    answers = {
        a.candidate_id: a for a in DemographicAnswer.objects.filter(candidate_id__in=list(latest))
    }
    outcomes = []
    for candidate_id, (rank, score, _) in latest.items():
        answer = answers.get(candidate_id)
        outcomes.append(
            Outcome(
                subject=f"candidate:{candidate_id}",
                tier_rank=rank,
                score=score,
                sex=category_of(answer.sex if answer else ""),
                race_ethnicity=category_of(answer.race_ethnicity if answer else ""),
            )
        )
    seen: set[str] = set()
    for record in FairnessRecord.objects.filter(
        domain=domain, scored_at__gte=start, scored_at__lt=end
    ).order_by("subject", "-scored_at", "-pk"):
        subject = f"record:{record.subject}"
        if subject in seen:
            continue
        seen.add(subject)
        outcomes.append(
            Outcome(
                subject=subject,
                tier_rank=TIER_RANK[Tier(record.tier)],
                score=record.score,
                sex=category_of(record.sex),
                race_ethnicity=category_of(record.race_ethnicity),
            )
        )
    return outcomes
