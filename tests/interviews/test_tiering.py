"""Attempt score and tier rules (PRODUCT.md §3, Scoring)."""

from __future__ import annotations

import pytest

from interviews.engine.tiering import (
    attempt_score,
    decide_tier,
    max_difficulty_reached,
    resume_verification_agrees,
)
from interviews.engine.types import (
    AskedQuestion,
    ResumeFacts,
    Role,
    ScoreResult,
    SubScore,
    TierThresholds,
)
from tests.interviews.engine_helpers import small_taxonomy


def score(value: float) -> ScoreResult:
    sub = SubScore(value, [])
    return ScoreResult(sub, sub, sub, sub, overall=value)


def test_unanswered_and_unasked_questions_count_as_zero():
    full = attempt_score(10, [score(80)] * 10, [3] * 10)
    half = attempt_score(10, [score(80)] * 5 + [None] * 5, [3] * 10)
    left_early = attempt_score(10, [score(80)] * 5, [3] * 5)
    assert full == pytest.approx(80, abs=0.5)
    assert half == pytest.approx(40, abs=1)
    assert left_early == pytest.approx(half, abs=3)  # unasked ones weigh as difficulty 2
    assert attempt_score(10, [], []) == 0


def test_harder_questions_weigh_more_and_reaching_higher_levels_helps():
    easy = attempt_score(4, [score(80)] * 4, [2, 2, 2, 2])
    hard = attempt_score(4, [score(80)] * 4, [2, 3, 4, 5])
    assert hard > easy
    mixed_low_on_hard = attempt_score(2, [score(90), score(50)], [1, 5])
    mixed_low_on_easy = attempt_score(2, [score(50), score(90)], [1, 5])
    assert mixed_low_on_easy > mixed_low_on_hard


def test_max_difficulty_counts_only_answered_technical_questions():
    scores = [score(80), score(0), None, score(70)]
    assert max_difficulty_reached(scores, [2, 5, 5, 3]) == 3
    assert max_difficulty_reached([score(80), score(80)], [4, 3], ["behavioral", "technical"]) == 3


@pytest.mark.parametrize(
    ("value", "difficulty", "verified", "tier"),
    [
        (49.9, 5, True, "declined"),
        (50.0, 1, False, "qualified"),
        (69.9, 5, True, "qualified"),
        (78.0, 2, True, "qualified"),  # expert-level score, never left foundational
        (70.0, 3, False, "expert"),
        (84.9, 5, True, "expert"),
        (90.0, 3, True, "expert"),  # not hard enough for Verified
        (90.0, 4, False, "expert"),  # resume not backed up
        (90.0, 2, True, "qualified"),
        (85.0, 4, True, "verified_expert"),
    ],
)
def test_tier_rules(value, difficulty, verified, tier):
    result = decide_tier(score=value, max_difficulty=difficulty, resume_verified=verified)
    assert result.tier == tier
    assert result.reasons


def test_thresholds_are_policy_numbers():
    strict = TierThresholds(
        qualified=60, expert=80, verified=90, verified_min_difficulty=5, foundational_cap=3
    )
    assert (
        decide_tier(score=55, max_difficulty=5, resume_verified=True, thresholds=strict).tier
        == "declined"
    )
    assert (
        decide_tier(score=85, max_difficulty=3, resume_verified=True, thresholds=strict).tier
        == "qualified"
    )
    assert (
        decide_tier(score=92, max_difficulty=4, resume_verified=True, thresholds=strict).tier
        == "expert"
    )


RESUME = ResumeFacts(
    roles=(Role(title="ML Engineer", employer="Northwind", skills=("lightgbm",)),),
    skills=("pytorch",),
)


def q(claims=("Northwind",)) -> AskedQuestion:
    return AskedQuestion("tpl:x", "Walk me through Northwind", "resume", 2, resume_claims=claims)


def test_resume_agrees_when_answers_are_good_and_name_the_claims():
    tax = small_taxonomy()
    answers = [(q(), score(82), "At Northwind I built the fraud model with LightGBM.")]
    assert resume_verification_agrees(resume=RESUME, answers=answers, taxonomy=tax)


def test_resume_disagrees_on_weak_answers_or_an_unrelated_story():
    tax = small_taxonomy()
    weak = [(q(), score(40), "At Northwind I did various things.")]
    elsewhere = [(q(), score(85), "At Initech I ran the billing migration in Go.")]
    unanswered = [(q(), None, "")]
    for answers in (weak, elsewhere, unanswered, []):
        assert not resume_verification_agrees(resume=RESUME, answers=answers, taxonomy=tax)
