"""Run a whole attempt against scripted answers: a smoke test of plan, interviewer, grader
and tiering together (``manage.py simulate_interview`` calls it)."""

from __future__ import annotations

import random
import re
from dataclasses import asdict
from typing import Any, Literal

from interviews.engine.bank import load_bank
from interviews.engine.grader import BuiltinGrader, default_grader
from interviews.engine.interviewer import BuiltinInterviewer
from interviews.engine.plan import make_plan
from interviews.engine.taxonomy import Taxonomy, default_taxonomy
from interviews.engine.tiering import (
    attempt_score,
    decide_tier,
    max_difficulty_reached,
    resume_verification_agrees,
)
from interviews.engine.types import (
    AnswerInput,
    AskedQuestion,
    ResumeFacts,
    ScoreResult,
    TierThresholds,
)

Profile = Literal["strong", "weak", "mixed"]

_LEAD_RE = re.compile(
    r"^(what is|what are|what does|what makes|how do you|how would you|how does|why do|why would"
    r"|when would|when is|walk me through|tell me about|describe)\s+",
    re.IGNORECASE,
)


def _topic(question: str) -> str:
    text = question.strip().rstrip("?.")
    text = _LEAD_RE.sub("", text)
    return text[:1].lower() + text[1:]


def strong_answer(q: AskedQuestion, resume: ResumeFacts, rng: random.Random) -> tuple[str, float]:
    """A specific, on-topic answer built from what the question expects."""
    concepts = list(q.expected_concepts) or ["the main trade-off", "how I measured it"]
    while len(concepts) < 4:
        concepts.append(concepts[len(concepts) % len(concepts)])
    c1, c2, c3, c4 = concepts[:4]
    role = resume.roles[0] if resume.roles else None
    employer = role.employer if role and role.employer else "my last company"
    title = role.title if role else "engineer"
    n1, n2 = rng.choice([(9, 4), (31, 12), (18, 7), (42, 15)])
    topic = _topic(q.text)
    if q.category == "technical":
        return (
            f"On {topic}: the short answer is {c1}, {c2} and {c3}. {c1.capitalize()} matters "
            f"because it decides how the system behaves, so I check it first, and then {c2}, "
            f"which I measure directly instead of guessing. {c4.capitalize()} comes last when the "
            f"data allows it. For example, at {employer} we applied this to about 2 million "
            f"records and the error rate dropped from {n1} to {n2} percent in six weeks.",
            62.0,
        )
    claims = " ".join(q.resume_claims)
    return (
        f"In March last year at {employer}, as {title}, I was responsible for {topic} {claims}. "
        f"I owned the decision, so I first worked on {c1} and then {c2}, and I wrote down the "
        f"trade-off and shared it with the two leads the same day. I then handled {c3} myself. "
        f"As a result we delivered on time, cut rework from {n1} to {n2} percent, and the "
        f"{c4} approach is still used by the team.",
        64.0,
    )


def weak_answer(q: AskedQuestion, rng: random.Random) -> tuple[str, float]:
    options = [
        "Um, I think it sort of depends, you know. I usually try to communicate clearly and "
        "follow best practices, and maybe look at various things. I guess it worked out okay.",
        "Uh, that's a good question. I'm not sure, probably it depends on the project and the "
        "team and stuff like that. I think teamwork is key and communication is important.",
        "So, um, basically I would kind of look at things and, like, figure it out as needed. "
        "I guess in general you want things to be good, maybe.",
    ]
    return rng.choice(options), 24.0


def simulate(
    domain: str,
    resume: ResumeFacts,
    profile: Profile,
    seed: int,
    *,
    grader: BuiltinGrader | None = None,
    taxonomy: Taxonomy | None = None,
    thresholds: TierThresholds | None = None,
) -> dict[str, Any]:
    """Ask and answer a whole attempt; returns the questions, scores and tier as plain data."""
    if profile not in ("strong", "weak", "mixed"):
        raise ValueError(f"unknown profile {profile!r}")
    taxonomy = taxonomy if taxonomy is not None else default_taxonomy()
    grader = grader or default_grader()
    interviewer = BuiltinInterviewer(taxonomy=taxonomy)
    bank = load_bank(domain)
    plan = make_plan(domain=domain, resume=resume, seed=seed)
    rng = random.Random(f"simulate:{domain}:{seed}:{profile}")
    history: list[tuple[AskedQuestion, ScoreResult | None]] = []
    transcripts: list[str] = []
    rows: list[dict[str, Any]] = []
    while True:
        q = interviewer.next_question(
            plan=plan,
            bank=bank,
            resume=resume,
            history=history,
            seen_question_ids=set(),
            seed=seed,
            answer_texts=transcripts,
        )
        if q is None:
            break
        good = profile == "strong" or (profile == "mixed" and rng.random() < 0.5)
        text, duration = strong_answer(q, resume, rng) if good else weak_answer(q, rng)
        score = grader.grade(
            AnswerInput(
                question=q.text,
                category=q.category,
                transcript=text,
                duration_s=duration,
                expected_concepts=q.expected_concepts,
                skills=q.skills,
                domain=domain,
            ),
            taxonomy=taxonomy,
        )
        history.append((q, score))
        transcripts.append(text)
        rows.append(
            {
                "qid": q.qid,
                "category": q.category,
                "segment": q.segment,
                "difficulty": q.difficulty,
                "reason": q.reason,
                "backend": q.backend,
                "text": q.text,
                "answer": text,
                "overall": score.overall,
                "sub_scores": {
                    "fluency": score.fluency.value,
                    "technical_accuracy": score.technical_accuracy.value,
                    "coherence": score.coherence.value,
                    "conciseness": score.conciseness.value,
                },
            }
        )
    scores: list[ScoreResult | None] = [s for _q, s in history]
    difficulties = [q.difficulty for q, _s in history]
    categories = [q.category for q, _s in history]
    total = attempt_score(plan.planned_count, scores, difficulties, categories=categories)
    reached = max_difficulty_reached(scores, difficulties, categories)
    verified = resume_verification_agrees(
        resume=resume,
        answers=[(q, s, t) for (q, s), t in zip(history, transcripts, strict=True)],
        taxonomy=taxonomy,
    )
    tier = decide_tier(
        score=total, max_difficulty=reached, resume_verified=verified, thresholds=thresholds
    )
    return {
        "domain": domain,
        "profile": profile,
        "seed": seed,
        "plan": [asdict(s) for s in plan.slots],
        "questions": rows,
        "attempt_score": total,
        "max_difficulty": reached,
        "resume_verified": verified,
        "tier": tier.tier,
        "tier_reasons": tier.reasons,
    }
