"""The fairness computation on a hand-built set whose rates and ratios are known by hand.

100 people. Sex: 40 female, 50 male, 1 another (1 %: counted, not in ratios), 9 unknown.
Race: 49 Asian, 46 White, 5 unknown. Scores: declined 40, qualified 60 (some 65), expert 80;
the median is 60, so "scoring above the median" means 65 or 80.
"""

from __future__ import annotations

import pytest

from fairness.engine import INTERSECTIONAL, RACE, SEX, UNKNOWN, Outcome, fairness_compute

counter = iter(range(10_000))


def people(sex: str, race: str, n: int, rank: int, score: float) -> list[Outcome]:
    return [Outcome(f"p{next(counter)}", rank, score, sex, race) for _ in range(n)]


def build() -> list[Outcome]:
    out: list[Outcome] = []
    # female × asian: 8 expert, 9 qualified (3 of them at 65), 3 declined
    out += people("female", "asian", 8, 2, 80) + people("female", "asian", 6, 1, 60)
    out += people("female", "asian", 3, 1, 65) + people("female", "asian", 3, 0, 40)
    # female × white: 4 expert, 9 qualified (3 at 65), 7 declined
    out += people("female", "white", 4, 2, 80) + people("female", "white", 6, 1, 60)
    out += people("female", "white", 3, 1, 65) + people("female", "white", 7, 0, 40)
    for race in ("asian", "white"):  # male × each: 10 expert, 10 qualified, 5 declined
        out += people("male", race, 10, 2, 80) + people("male", race, 10, 1, 60)
        out += people("male", race, 5, 0, 40)
    out += people("another", "white", 1, 3, 90)
    out += people(UNKNOWN, "asian", 4, 0, 40) + people(UNKNOWN, UNKNOWN, 5, 0, 40)
    return out


@pytest.fixture(scope="module")
def report():
    outcomes = build()
    assert len(outcomes) == 100
    return fairness_compute(outcomes)


def row(report, group: str, category: str):
    return next(r for r in report.groups[group] if r.category == category)


def test_totals_and_median(report):
    assert report.total == 100
    assert report.median_score == 60


def test_sex_counts_rates_and_ratios(report):
    female, male = row(report, SEX, "female"), row(report, SEX, "male")
    assert (female.count, male.count) == (40, 50)
    assert female.rates["qualified"] == pytest.approx(30 / 40)
    assert male.rates["qualified"] == pytest.approx(40 / 50)
    assert female.ratios["qualified"] == pytest.approx(0.75 / 0.80)  # 0.9375
    assert male.ratios["qualified"] == pytest.approx(1.0)
    assert female.rates["expert"] == pytest.approx(0.30)
    assert female.ratios["expert"] == pytest.approx(0.75)
    assert female.flags == ["expert"]
    # scoring above the median (60): female 18/40 = .45 is the highest, male .40 / .45
    assert female.rates["scoring"] == pytest.approx(0.45)
    assert male.ratios["scoring"] == pytest.approx(0.40 / 0.45)
    assert male.flags == []


def test_small_category_is_counted_but_not_in_ratios(report):
    another = row(report, SEX, "another")
    assert another.count == 1 and another.share == pytest.approx(0.01)
    assert not another.in_ratios and "2 %" in another.excluded_reason
    assert another.ratios == {"qualified": None, "expert": None, "scoring": None}
    # its perfect rates do not become the bar the others are measured against
    assert row(report, SEX, "male").ratios["expert"] == pytest.approx(1.0)


def test_unknowns_are_counted_and_never_in_ratios(report):
    assert row(report, SEX, UNKNOWN).count == 9
    assert row(report, RACE, UNKNOWN).count == 5
    assert row(report, SEX, UNKNOWN).excluded_reason == "unknown"
    # sex unknown or race unknown is unknown for the intersection
    assert row(report, INTERSECTIONAL, UNKNOWN).count == 9


def test_race_rates_and_ratios(report):
    asian, white = row(report, RACE, "asian"), row(report, RACE, "white")
    assert (asian.count, white.count) == (49, 46)
    assert white.ratios["qualified"] == pytest.approx((34 / 46) / (37 / 49))
    assert white.ratios["expert"] == pytest.approx((15 / 46) / (18 / 49))
    assert asian.ratios["expert"] == pytest.approx(1.0)
    assert white.flags == []


def test_intersectional_categories(report):
    fw = row(report, INTERSECTIONAL, "female|white")
    fa = row(report, INTERSECTIONAL, "female|asian")
    assert (fw.count, fa.count) == (20, 20)
    assert fa.rates["qualified"] == pytest.approx(0.85)  # the highest
    assert fw.ratios["qualified"] == pytest.approx(0.65 / 0.85)
    assert fw.ratios["expert"] == pytest.approx(0.2 / 0.4)
    assert fw.ratios["scoring"] == pytest.approx((7 / 20) / (11 / 20))
    assert set(fw.flags) == {"qualified", "expert", "scoring"}
    small = row(report, INTERSECTIONAL, "another|white")
    assert small.count == 1 and not small.in_ratios
    flagged = {(r.group, r.category) for r in report.flagged}
    assert ("intersectional", "female|white") in flagged
    assert ("sex", "female") in flagged


def test_empty_set_has_no_ratios():
    report = fairness_compute([])
    assert report.total == 0 and report.median_score is None
    assert all(rows == [] for rows in report.groups.values())
