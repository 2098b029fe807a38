"""From per-answer scores to the attempt score and the tier."""

from __future__ import annotations

from collections.abc import Sequence

from interviews.engine.taxonomy import Taxonomy, default_taxonomy, normalize
from interviews.engine.types import (
    AskedQuestion,
    ResumeFacts,
    ScoreResult,
    TierResult,
    TierThresholds,
)

# A harder question counts for more: difficulty 1 weighs 0.9, difficulty 5 weighs 1.3.
DIFFICULTY_WEIGHT_BASE = 0.8
DIFFICULTY_WEIGHT_STEP = 0.1
# Points added (or taken) per difficulty level reached above (or below) the middle level 3.
REACH_BONUS_PER_LEVEL = 2.0
UNASKED_DIFFICULTY = 2
RESUME_AGREE_MIN_SCORE = 60.0


def _weight(difficulty: int) -> float:
    return DIFFICULTY_WEIGHT_BASE + DIFFICULTY_WEIGHT_STEP * difficulty


def max_difficulty_reached(
    scores: Sequence[ScoreResult | None],
    difficulties: Sequence[int],
    categories: Sequence[str] | None = None,
) -> int:
    """The highest difficulty of a question the candidate actually answered.

    With ``categories``, only technical questions count: their difficulty is the adaptive
    one, while resume and behavioral questions carry a fixed bank difficulty.
    """
    reached = [
        d
        for i, (s, d) in enumerate(zip(scores, difficulties, strict=False))
        if s is not None
        and s.overall > 0
        and (categories is None or (i < len(categories) and categories[i] == "technical"))
    ]
    return max(reached, default=0)


def attempt_score(
    planned_count: int,
    scores: Sequence[ScoreResult | None],
    difficulties: Sequence[int],
    *,
    categories: Sequence[str] | None = None,
) -> float:
    """Weighted mean over ALL planned questions, adjusted by the difficulty reached.

    Questions never asked or never answered (``None``: skipped, silent, left mid-way)
    count as zero. Weights grow with difficulty, and the mean moves by a few points per
    level reached above or below the middle.
    """
    if planned_count <= 0:
        return 0.0
    total = 0.0
    weights = 0.0
    for i in range(max(planned_count, len(scores))):
        score = scores[i] if i < len(scores) else None
        difficulty = difficulties[i] if i < len(difficulties) else UNASKED_DIFFICULTY
        w = _weight(difficulty)
        total += w * (score.overall if score is not None else 0.0)
        weights += w
    mean = total / weights
    reached = max_difficulty_reached(scores, difficulties, categories)
    if mean > 0 and reached:
        mean += REACH_BONUS_PER_LEVEL * (reached - 3)
    return round(max(0.0, min(100.0, mean)), 1)


def resume_verification_agrees(
    *,
    resume: ResumeFacts,
    answers: Sequence[tuple[AskedQuestion, ScoreResult | None, str]],
    taxonomy: Taxonomy | None = None,
    min_score: float = RESUME_AGREE_MIN_SCORE,
) -> bool:
    """Do the resume-verification answers back up the resume?

    Each resume question must be answered with a score of at least ``min_score``, and the
    answers together must name something the resume claims: an employer, a title word or
    a skill (by taxonomy match), so a fluent answer about a different job does not count.
    """
    taxonomy = taxonomy if taxonomy is not None else default_taxonomy()
    resume_answers = [(q, s, t) for q, s, t in answers if q.category == "resume"]
    if not resume_answers:
        return False
    if any(s is None or s.overall < min_score for _q, s, _t in resume_answers):
        return False
    claimed_skills = set(resume.skills) | {sk for r in resume.roles for sk in r.skills}
    claims = {normalize(e) for e in resume.employers if e}
    for q, _s, _t in resume_answers:
        claims |= {normalize(c) for c in q.resume_claims if c}
    text = " ".join(normalize(t) for _q, _s, t in resume_answers)
    padded = f" {text} "
    named_claim = any(c and f" {c} " in padded for c in claims)
    named_skill = bool(claimed_skills & set(taxonomy.find_slugs(text)))
    return named_claim or named_skill


def decide_tier(
    *,
    score: float,
    max_difficulty: int,
    resume_verified: bool,
    thresholds: TierThresholds | None = None,
) -> TierResult:
    t = thresholds or TierThresholds()
    reasons: list[str] = []
    if score < t.qualified:
        reasons.append(f"score {score:.1f} below {t.qualified:g}")
        return TierResult(score, "declined", max_difficulty, reasons)
    if score < t.expert:
        reasons.append(f"score {score:.1f} in [{t.qualified:g}, {t.expert:g})")
        return TierResult(score, "qualified", max_difficulty, reasons)
    if max_difficulty <= t.foundational_cap:
        reasons.append(
            f"expert-level score {score:.1f} but never above foundational difficulty "
            f"(max {max_difficulty} ≤ {t.foundational_cap})"
        )
        return TierResult(score, "qualified", max_difficulty, reasons)
    if score >= t.verified:
        if max_difficulty >= t.verified_min_difficulty and resume_verified:
            reasons.append(
                f"score {score:.1f} ≥ {t.verified:g}, difficulty {max_difficulty} reached, "
                "resume verified"
            )
            return TierResult(score, "verified_expert", max_difficulty, reasons)
        if max_difficulty < t.verified_min_difficulty:
            reasons.append(
                f"difficulty {max_difficulty} below {t.verified_min_difficulty} for Verified Expert"
            )
        if not resume_verified:
            reasons.append("resume-verification answers do not agree with the resume")
    reasons.append(f"score {score:.1f} ≥ {t.expert:g}")
    return TierResult(score, "expert", max_difficulty, reasons)
