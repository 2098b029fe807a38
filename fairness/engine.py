"""The bias audit of NYC Local Law 144, as plain Python over plain data (no Django).

Input: one ``Outcome`` per candidate (the caller decides which result counts). Output, per
category of sex, of race/ethnicity and of their intersection:

* count and share of all outcomes;
* selection rates at each tier threshold (Qualified and above, Expert and above);
* scoring rate: the share scoring above the median of *all* outcomes;
* impact ratios: each rate divided by the highest rate among the categories that take part.

Categories under ``min_share`` (2 %) of all outcomes are counted but left out of the impact
ratios, as the law's rules allow; unknown answers ("prefer not to say", or none given) are
counted too and never take part. A ratio under ``flag_below`` (0.8, the four-fifths rule)
is flagged.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

UNKNOWN = "unknown"
QUALIFIED_RANK = 1  # Declined 0, Qualified 1, Expert 2, Verified Expert 3
EXPERT_RANK = 2

SEX, RACE, INTERSECTIONAL = "sex", "race_ethnicity", "intersectional"
METRICS = ("qualified", "expert", "scoring")


@dataclass(frozen=True)
class Outcome:
    """The result that counts for one person: tier rank 0–3, attempt score, answers."""

    subject: str
    tier_rank: int
    score: float
    sex: str = UNKNOWN
    race_ethnicity: str = UNKNOWN

    def category(self, group: str) -> str:
        if group == SEX:
            return self.sex or UNKNOWN
        if group == RACE:
            return self.race_ethnicity or UNKNOWN
        if UNKNOWN in (self.sex or UNKNOWN, self.race_ethnicity or UNKNOWN):
            return UNKNOWN
        return f"{self.sex}|{self.race_ethnicity}"


@dataclass
class CategoryRow:
    group: str
    category: str
    count: int
    share: float
    counts: dict[str, int]  # metric -> how many reached it
    rates: dict[str, float]  # metric -> share of the category that reached it
    ratios: dict[str, float | None] = field(default_factory=dict)
    excluded_reason: str = ""  # why the row takes no part in impact ratios
    flags: list[str] = field(default_factory=list)  # metrics whose ratio is under the bar

    @property
    def in_ratios(self) -> bool:
        return not self.excluded_reason


@dataclass
class FairnessReport:
    total: int
    median_score: float | None
    min_share: float
    flag_below: float
    groups: dict[str, list[CategoryRow]]

    @property
    def flagged(self) -> list[CategoryRow]:
        return [row for rows in self.groups.values() for row in rows if row.flags]


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def fairness_compute(
    outcomes: Iterable[Outcome], *, min_share: float = 0.02, flag_below: float = 0.8
) -> FairnessReport:
    outcomes = list(outcomes)
    total = len(outcomes)
    median = statistics.median(o.score for o in outcomes) if outcomes else None
    reached: dict[str, Callable[[Outcome], bool]] = {
        "qualified": lambda o: o.tier_rank >= QUALIFIED_RANK,
        "expert": lambda o: o.tier_rank >= EXPERT_RANK,
        "scoring": lambda o: median is not None and o.score > median,
    }
    groups: dict[str, list[CategoryRow]] = {}
    for group in (SEX, RACE, INTERSECTIONAL):
        members: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            members.setdefault(outcome.category(group), []).append(outcome)
        rows = []
        for category, people in members.items():
            counts = {m: sum(1 for o in people if reached[m](o)) for m in METRICS}
            row = CategoryRow(
                group=group,
                category=category,
                count=len(people),
                share=_rate(len(people), total),
                counts=counts,
                rates={m: _rate(counts[m], len(people)) for m in METRICS},
            )
            if category == UNKNOWN:
                row.excluded_reason = "unknown"
            elif row.share < min_share:
                row.excluded_reason = f"under {min_share * 100:g} % of all results"
            rows.append(row)
        _impact_ratios(rows, flag_below=flag_below)
        rows.sort(key=lambda r: (r.category == UNKNOWN, not r.in_ratios, -r.count, r.category))
        groups[group] = rows
    return FairnessReport(
        total=total, median_score=median, min_share=min_share, flag_below=flag_below, groups=groups
    )


def _impact_ratios(rows: Sequence[CategoryRow], *, flag_below: float) -> None:
    taking_part = [r for r in rows if r.in_ratios]
    for metric in METRICS:
        best = max((r.rates[metric] for r in taking_part), default=0.0)
        for row in rows:
            if not row.in_ratios or best == 0:
                row.ratios[metric] = None
                continue
            ratio = row.rates[metric] / best
            row.ratios[metric] = ratio
            if ratio < flag_below:
                row.flags.append(metric)
