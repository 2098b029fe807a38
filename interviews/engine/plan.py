"""The shape of one attempt: how many questions of each kind, in which order."""

from __future__ import annotations

import random

from interviews.engine.types import InterviewPlan, PlannedSlot, PlanRules, ResumeFacts


def _rng(*parts: object) -> random.Random:
    # String seeds hash with SHA-512 inside ``random``: stable across processes and runs,
    # unlike ``hash()`` of a str.
    return random.Random(":".join(str(p) for p in parts))


def make_plan(
    *,
    domain: str,
    resume: ResumeFacts,
    rules: PlanRules | None = None,
    seed: int,
) -> InterviewPlan:
    """Segment sizes for one attempt, deterministic for ``(domain, seed)`` and the resume.

    A resume with several roles or projects earns the third verification question; the
    rest of the variation comes from the seed, within the ranges of ``rules``.
    """
    rules = rules or PlanRules()
    rng = _rng("plan", domain, seed)
    r_lo, r_hi = rules.resume_range
    t_lo, t_hi = rules.technical_range
    b_lo, b_hi = rules.behavioral_range
    total_lo, total_hi = rules.total_range

    rich_resume = len(resume.roles) + len(resume.projects) >= 2
    n_resume = r_hi if rich_resume and rng.random() < 0.7 else r_lo
    n_technical = rng.randint(t_lo, t_hi)
    n_behavioral = rng.randint(b_lo, b_hi)
    # Trim or pad technical (the adaptive part) until the total fits the rules.
    while n_resume + n_technical + n_behavioral > total_hi and n_technical > t_lo:
        n_technical -= 1
    while n_resume + n_technical + n_behavioral > total_hi and n_behavioral > b_lo:
        n_behavioral -= 1
    while n_resume + n_technical + n_behavioral < total_lo and n_technical < t_hi:
        n_technical += 1
    while n_resume + n_technical + n_behavioral < total_lo and n_behavioral < b_hi:
        n_behavioral += 1

    slots: list[PlannedSlot] = []
    target = rules.answer_target_s
    for _ in range(n_resume):
        slots.append(PlannedSlot(len(slots), "resume", "resume", target))
    n_domain = min(rules.domain_slots, n_technical)
    for i in range(n_technical):
        segment = "domain" if i >= n_technical - n_domain else "technical"
        slots.append(PlannedSlot(len(slots), "technical", segment, target))
    for _ in range(n_behavioral):
        slots.append(PlannedSlot(len(slots), "behavioral", "behavioral", target))
    return InterviewPlan(
        domain=domain,
        slots=tuple(slots),
        seed=seed,
        total_seconds=rules.total_seconds,
        answer_target_s=target,
        baseline_difficulty=rules.baseline_difficulty,
    )
