"""The ranking engine on its own: no database, plain arrays."""

from __future__ import annotations

import random

import numpy as np
import pytest

from matching import engine
from matching.engine import ProfileRows, ProjectSpec, Requirement

NOW = 1_800_000_000.0
DAY = 86_400.0


def row(pid, *, tier=2, score=78.0, skills=(), shown=(), rate=80, hours=30, age_days=1):
    released = NOW - age_days * DAY
    return (
        pid,
        tier,
        score,
        released,
        released + 180 * DAY,
        rate,
        hours,
        list(skills),
        list(shown),
    )


def brute_force(rows: list[tuple], spec: ProjectSpec, now: float) -> list[tuple[float, int]]:
    """A plain-Python full ranking: every row scored one by one, then sorted."""
    total_w = sum(r.weight for r in spec.requirements)
    must = {r.skill_id for r in spec.requirements if r.must_have}
    out = []
    for pid, tier, score, released, valid_until, rate, hours, skills, shown in rows:
        if not must <= set(skills):
            continue
        pts = 0.0
        for r in spec.requirements:
            if r.skill_id in shown and r.skill_id in skills:
                pts += r.weight
            elif r.skill_id in skills:
                pts += engine.RESUME_ONLY_CREDIT * r.weight
        total = engine.SKILL_POINTS * pts / total_w
        total += engine.TIER_POINTS[3] if tier >= 3 else engine.TIER_POINTS[2]
        band = min(int(score // 10) * 10, 90)
        total += min(max((band - 50) / 40, 0), 1) * engine.BAND_POINTS_MAX
        recency = min(max((valid_until - now) / (valid_until - released), 0), 1)
        total += recency * engine.RECENCY_POINTS
        if rate is None:
            total += engine.RATE_POINTS * engine.NOT_STATED_FIT
        else:
            fit = engine.RATE_BELOW_RANGE_FIT if rate < spec.rate_min else 1.0
            total += engine.RATE_POINTS * fit
        hours_fit = engine.NOT_STATED_FIT if hours is None else 1.0
        total += engine.HOURS_POINTS * hours_fit
        out.append((round(total, 9), pid))
    out.sort(key=lambda t: (-t[0], t[1]))
    return out


def test_verified_expert_with_all_must_haves_ranks_above_expert_missing_a_nice_to_have():
    spec = ProjectSpec(
        (Requirement(1, 5, must_have=True), Requirement(2, 4, True), Requirement(3, 1)),
        rate_min=50,
        rate_max=120,
    )
    rows = ProfileRows.from_tuples(
        [
            row(10, tier=2, score=80, skills=[1, 2], shown=[1, 2]),
            row(11, tier=3, score=88, skills=[1, 2, 3], shown=[1, 2]),
        ]
    )
    ranked = engine.rank(rows, spec, now=NOW, k=10)
    assert [int(rows.ids[i]) for i in ranked.index] == [11, 10]


def test_skill_shown_in_interview_weighs_more_than_resume_only():
    spec = ProjectSpec((Requirement(1, 3), Requirement(2, 3)), rate_min=50, rate_max=120)
    rows = ProfileRows.from_tuples(
        [
            row(20, skills=[1, 2], shown=[]),  # both claimed on the resume only
            row(21, skills=[1, 2], shown=[1, 2]),  # both named in interview answers
        ]
    )
    ranked = engine.rank(rows, spec, now=NOW, k=10)
    assert [int(rows.ids[i]) for i in ranked.index] == [21, 20]
    why = engine.explain(rows, ranked, spec)
    assert [s.shown for s in why[0].skills] == ["interview", "interview"]
    assert [s.shown for s in why[1].skills] == ["resume", "resume"]
    assert why[0].parts["skills"] > why[1].parts["skills"]


def test_explanation_parts_add_up_and_show_only_the_band():
    spec = ProjectSpec((Requirement(1, 2), Requirement(2, 1)), rate_min=50, rate_max=120)
    rows = ProfileRows.from_tuples([row(1, score=83.7, skills=[1], shown=[1], rate=None)])
    ranked = engine.rank(rows, spec, now=NOW, k=5)
    (why,) = engine.explain(rows, ranked, spec)
    assert sum(why.parts.values()) == pytest.approx(why.total)
    assert why.band == "80–89"
    assert why.rate_fit == "rate not stated"
    assert [s.shown for s in why.skills] == ["interview", "missing"]


def test_must_haves_filter_rows():
    spec = ProjectSpec((Requirement(1, 3, must_have=True), Requirement(2, 3)))
    rows = ProfileRows.from_tuples([row(1, skills=[2]), row(2, skills=[1]), row(3, skills=[1, 2])])
    assert engine.must_have_mask(rows, spec).tolist() == [False, True, True]


def test_ties_break_by_lower_id():
    spec = ProjectSpec((Requirement(1, 3),))
    rows = ProfileRows.from_tuples([row(pid, skills=[1]) for pid in (9, 3, 7, 5)])
    ranked = engine.rank(rows, spec, now=NOW, k=3)
    assert [int(rows.ids[i]) for i in ranked.index] == [3, 5, 7]


def random_rows(rng: random.Random, n: int, n_skills: int = 40) -> list[tuple]:
    rows = []
    for pid in range(1, n + 1):
        skills = rng.sample(range(1, n_skills + 1), rng.randint(0, 12))
        shown = [s for s in skills if rng.random() < 0.4]
        rows.append(
            (
                pid,
                rng.choice([2, 3]),
                rng.uniform(70, 100),
                NOW - rng.uniform(0, 170) * DAY,
                0.0,  # filled below
                rng.choice([None, *range(30, 130, 7)]),
                rng.choice([None, 10, 20, 30, 40]),
                skills,
                shown,
            )
        )
    return [(*r[:4], r[3] + 180 * DAY, *r[5:]) for r in rows]


def random_spec(rng: random.Random, n_skills: int = 40) -> ProjectSpec:
    chosen = rng.sample(range(1, n_skills + 1), rng.randint(1, 8))
    return ProjectSpec(
        tuple(Requirement(s, rng.randint(1, 5), rng.random() < 0.2) for s in chosen),
        rate_min=60,
        rate_max=120,
    )


@pytest.mark.parametrize("seed", range(5))
def test_top_50_equals_a_brute_force_full_ranking(seed):
    rng = random.Random(seed)
    data = random_rows(rng, 5000)
    spec = random_spec(rng)
    expected = brute_force(data, spec, NOW)[:50]
    rows = ProfileRows.from_tuples(data)
    rows = rows.take(np.flatnonzero(engine.must_have_mask(rows, spec)))
    ranked = engine.rank(rows, spec, now=NOW, k=50)
    got = [(float(t), int(rows.ids[i])) for t, i in zip(ranked.total, ranked.index, strict=True)]
    assert [pid for _, pid in got] == [pid for _, pid in expected]
    assert [t for t, _ in got] == pytest.approx([t for t, _ in expected])
