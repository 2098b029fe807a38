"""The ranking engine: plain Python and numpy, no Django.

Given the rows of the eligible set as column arrays and a project's weighted required
skills, it scores every row at once, returns the exact top ``k`` (ties broken by the
lower profile id), and explains only the rows it returns.

A match score is out of 100 points:

* skills, up to ``SKILL_POINTS``: weighted coverage of the required skills; a skill the
  candidate named in a scored interview answer counts in full, a skill only on the resume
  counts ``RESUME_ONLY_CREDIT`` of it (the taxonomy's aliases and parents are resolved
  before the rows get here: a profile's skill ids include every ancestor);
* tier: Verified Expert above Expert;
* attempt score, by its band (70–79, 80–89, 90–100): clients only ever see the band, so
  the ranking uses nothing finer than what it can explain;
* recency: the share of the tier's validity still to run;
* rate fit and hours fit.

:func:`parts_from_hits` is the scoring formula itself, shared with the in-memory index
(:mod:`matching.index`), which ranks every profile of a domain from its skill postings.

"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

SKILL_POINTS = 70.0
RESUME_ONLY_CREDIT = 0.6
TIER_POINTS = {2: 5.0, 3: 10.0}  # tier rank (Expert, Verified Expert) -> points
BAND_POINTS_MAX = 10.0
RECENCY_POINTS = 4.0
RATE_POINTS = 3.0
HOURS_POINTS = 3.0
# Rates below the range are affordable but often a sign of a seniority mismatch.
RATE_BELOW_RANGE_FIT = 0.8
NOT_STATED_FIT = 0.5
OTHER_POINTS_MAX = (
    max(TIER_POINTS.values()) + BAND_POINTS_MAX + RECENCY_POINTS + RATE_POINTS + HOURS_POINTS
)
MAX_REQUIREMENTS = 12
_EPS = 1e-9


@dataclass(frozen=True)
class Requirement:
    skill_id: int
    weight: int
    must_have: bool = False


@dataclass(frozen=True)
class ProjectSpec:
    requirements: tuple[Requirement, ...]
    min_tier_rank: int = 2
    rate_min: float = 0.0
    rate_max: float = math.inf
    hours: float = 0.0

    @property
    def total_weight(self) -> float:
        return float(sum(r.weight for r in self.requirements)) or 1.0

    @property
    def must_have_ids(self) -> tuple[int, ...]:
        return tuple(sorted(r.skill_id for r in self.requirements if r.must_have))


@dataclass
class ProfileRows:
    """Column arrays of profile rows; skills as ragged lists of skill ids."""

    ids: np.ndarray
    tier_rank: np.ndarray
    score: np.ndarray
    released_at: np.ndarray  # epoch seconds
    valid_until: np.ndarray  # epoch seconds
    rate: np.ndarray  # NaN: not stated
    hours: np.ndarray  # NaN: not stated
    skills: Sequence[Sequence[int]]
    shown_skills: Sequence[Sequence[int]]

    @classmethod
    def from_tuples(cls, rows: Iterable[Sequence]) -> ProfileRows:
        """Rows of (id, tier_rank, score, released_at, valid_until, rate, hours, skills, shown)."""
        rows = list(rows)
        if not rows:
            return cls.empty()
        cols = list(zip(*rows, strict=True))
        return cls(
            ids=np.asarray(cols[0], dtype=np.int64),
            tier_rank=np.asarray(cols[1], dtype=np.int64),
            score=np.asarray(cols[2], dtype=np.float64),
            released_at=np.asarray(cols[3], dtype=np.float64),
            valid_until=np.asarray(cols[4], dtype=np.float64),
            rate=np.asarray([np.nan if v is None else v for v in cols[5]], dtype=np.float64),
            hours=np.asarray([np.nan if v is None else v for v in cols[6]], dtype=np.float64),
            skills=cols[7],
            shown_skills=cols[8],
        )

    @classmethod
    def empty(cls) -> ProfileRows:
        f, i = np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64)
        return cls(i, i, f, f, f, f, f, [], [])

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, index: np.ndarray) -> ProfileRows:
        return ProfileRows(
            ids=self.ids[index],
            tier_rank=self.tier_rank[index],
            score=self.score[index],
            released_at=self.released_at[index],
            valid_until=self.valid_until[index],
            rate=self.rate[index],
            hours=self.hours[index],
            skills=[self.skills[i] for i in index],
            shown_skills=[self.shown_skills[i] for i in index],
        )

    @staticmethod
    def concat(parts: Sequence[ProfileRows]) -> ProfileRows:
        parts = [p for p in parts if len(p)]
        if not parts:
            return ProfileRows.empty()
        return ProfileRows(
            ids=np.concatenate([p.ids for p in parts]),
            tier_rank=np.concatenate([p.tier_rank for p in parts]),
            score=np.concatenate([p.score for p in parts]),
            released_at=np.concatenate([p.released_at for p in parts]),
            valid_until=np.concatenate([p.valid_until for p in parts]),
            rate=np.concatenate([p.rate for p in parts]),
            hours=np.concatenate([p.hours for p in parts]),
            skills=[s for p in parts for s in p.skills],
            shown_skills=[s for p in parts for s in p.shown_skills],
        )


def _weighted_hits(
    lists: Sequence[Sequence[int]], req_ids: np.ndarray, req_weights: np.ndarray
) -> np.ndarray:
    """Per row, the summed weight of the required skills it contains (vectorised, CSR)."""
    n = len(lists)
    if n == 0 or len(req_ids) == 0:
        return np.zeros(n, dtype=np.float64)
    lengths = np.fromiter((len(s) for s in lists), dtype=np.int64, count=n)
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=lengths.sum())
    rows = np.repeat(np.arange(n), lengths)
    order = np.argsort(req_ids)
    sorted_ids = req_ids[order]
    pos = np.searchsorted(sorted_ids, flat)
    pos[pos >= len(sorted_ids)] = 0
    hit = sorted_ids[pos] == flat
    return np.bincount(rows[hit], weights=req_weights[order][pos[hit]], minlength=n)


def must_have_mask(rows: ProfileRows, spec: ProjectSpec) -> np.ndarray:
    """Rows that hold every must-have (on PostgreSQL the query already did this)."""
    must = spec.must_have_ids
    if not must:
        return np.ones(len(rows), dtype=bool)
    counts = _weighted_hits(
        rows.skills, np.asarray(must, dtype=np.int64), np.ones(len(must), dtype=np.float64)
    )
    return counts >= len(must) - _EPS


def band_floor(score: np.ndarray | float) -> np.ndarray:
    """70–79 -> 70, 80–89 -> 80, 90–100 -> 90."""
    return np.minimum(np.floor(np.asarray(score, dtype=np.float64) / 10.0) * 10.0, 90.0)


def band_label(score: float) -> str:
    low = int(band_floor(score))
    return f"{low}–{low + 9}" if low < 90 else "90–100"


@dataclass
class Parts:
    """Each part's points for every row: what each part added."""

    skills: np.ndarray
    tier: np.ndarray
    band: np.ndarray
    recency: np.ndarray
    rate: np.ndarray
    hours: np.ndarray

    @property
    def total(self) -> np.ndarray:
        # Rounded so that sums in another order (SQL, plain Python) rank the same.
        return np.round(
            self.skills + self.tier + self.band + self.recency + self.rate + self.hours, 9
        )


def score_parts(rows: ProfileRows, spec: ProjectSpec, *, now: float) -> Parts:
    req_ids = np.asarray([r.skill_id for r in spec.requirements], dtype=np.int64)
    req_w = np.asarray([r.weight for r in spec.requirements], dtype=np.float64)
    return parts_from_hits(
        _weighted_hits(rows.skills, req_ids, req_w),
        _weighted_hits(rows.shown_skills, req_ids, req_w),
        tier_rank=rows.tier_rank,
        score=rows.score,
        released_at=rows.released_at,
        valid_until=rows.valid_until,
        rate=rows.rate,
        hours=rows.hours,
        spec=spec,
        now=now,
    )


def parts_from_hits(
    has: np.ndarray,
    shown: np.ndarray,
    *,
    tier_rank: np.ndarray,
    score: np.ndarray,
    released_at: np.ndarray,
    valid_until: np.ndarray,
    rate: np.ndarray,
    hours: np.ndarray,
    spec: ProjectSpec,
    now: float,
) -> Parts:
    """The parts from per-row required-skill weights held (``has``) and shown in interview.

    Shared by :func:`score_parts` and the in-memory index (:mod:`matching.index`), so both
    paths compute every total with the same floating-point operations.
    """
    shown = np.minimum(shown, has)
    skills = (
        SKILL_POINTS
        * (RESUME_ONLY_CREDIT * has + (1.0 - RESUME_ONLY_CREDIT) * shown)
        / spec.total_weight
    )
    tier = np.where(tier_rank >= 3, TIER_POINTS[3], TIER_POINTS[2])
    band = np.clip((band_floor(score) - 50.0) / 40.0, 0.0, 1.0) * BAND_POINTS_MAX
    span = np.maximum(valid_until - released_at, 1.0)
    recency = np.clip((valid_until - now) / span, 0.0, 1.0) * RECENCY_POINTS
    rate_fit = np.where(
        np.isnan(rate),
        NOT_STATED_FIT,
        np.where(rate < spec.rate_min, RATE_BELOW_RANGE_FIT, 1.0),
    )
    hours_fit = np.where(np.isnan(hours), NOT_STATED_FIT, 1.0)
    return Parts(skills, tier, band, recency, rate_fit * RATE_POINTS, hours_fit * HOURS_POINTS)


def top_k(ids: np.ndarray, total: np.ndarray, k: int) -> np.ndarray:
    """Indices of the best ``k`` rows: highest total first, lower id first among equals."""
    n = len(total)
    if n == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    if n > k:
        threshold = np.partition(total, n - k)[n - k]
        candidates = np.flatnonzero(total >= threshold)
    else:
        candidates = np.arange(n)
    order = np.lexsort((ids[candidates], -total[candidates]))
    return candidates[order][:k]


@dataclass
class Ranked:
    index: np.ndarray  # positions in the rows, best first
    total: np.ndarray  # their totals
    parts: Parts  # parts of every row (explain reads only the returned ones)


def rank(rows: ProfileRows, spec: ProjectSpec, *, now: float, k: int) -> Ranked:
    parts = score_parts(rows, spec, now=now)
    total = parts.total
    index = top_k(rows.ids, total, k)
    return Ranked(index=index, total=total[index], parts=parts)


# --- explanations ------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillReason:
    skill_id: int
    weight: int
    must_have: bool
    shown: str  # "interview", "resume" or "missing"
    points: float


@dataclass(frozen=True)
class Explanation:
    profile_id: int
    total: float
    skills: tuple[SkillReason, ...]
    parts: dict[str, float] = field(default_factory=dict)
    tier_rank: int = 2
    band: str = ""
    rate_fit: str = ""
    hours_fit: str = ""


def explain(rows: ProfileRows, ranked: Ranked, spec: ProjectSpec) -> list[Explanation]:
    """Reasons for the returned rows only: per-skill status and what each part added."""
    out: list[Explanation] = []
    total_weight = spec.total_weight
    for position, i in enumerate(ranked.index):
        has, shown = set(rows.skills[i]), set(rows.shown_skills[i])
        reasons = []
        for r in spec.requirements:
            if r.skill_id in shown:
                status, credit = "interview", 1.0
            elif r.skill_id in has:
                status, credit = "resume", RESUME_ONLY_CREDIT
            else:
                status, credit = "missing", 0.0
            reasons.append(
                SkillReason(
                    r.skill_id,
                    r.weight,
                    r.must_have,
                    status,
                    SKILL_POINTS * credit * r.weight / total_weight,
                )
            )
        rate = rows.rate[i]
        if np.isnan(rate):
            rate_fit = "rate not stated"
        elif rate < spec.rate_min:
            rate_fit = "below the range"
        else:
            rate_fit = "within the range"
        hours = rows.hours[i]
        hours_fit = "hours not stated" if np.isnan(hours) else "enough hours"
        p = ranked.parts
        out.append(
            Explanation(
                profile_id=int(rows.ids[i]),
                total=float(ranked.total[position]),
                skills=tuple(reasons),
                parts={
                    "skills": float(p.skills[i]),
                    "tier": float(p.tier[i]),
                    "score band": float(p.band[i]),
                    "recency": float(p.recency[i]),
                    "rate fit": float(p.rate[i]),
                    "hours fit": float(p.hours[i]),
                },
                tier_rank=int(rows.tier_rank[i]),
                band=band_label(float(rows.score[i])),
                rate_fit=rate_fit,
                hours_fit=hours_fit,
            )
        )
    return out
