"""The fairness report as staff read it: labels, period, table rows and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from fairness.engine import (
    INTERSECTIONAL,
    METRICS,
    RACE,
    SEX,
    UNKNOWN,
    CategoryRow,
    FairnessReport,
    fairness_compute,
)
from fairness.models import RaceEthnicity, Sex
from fairness.selectors import outcomes_for
from interviews.models import Domain

GROUP_LABELS = {
    SEX: "Sex",
    RACE: "Race/ethnicity",
    INTERSECTIONAL: "Sex × race/ethnicity",
}
METRIC_LABELS = {
    "qualified": "Qualified and above",
    "expert": "Expert and above",
    "scoring": "Scoring above the median",
}


def category_label(category: str) -> str:
    if category == UNKNOWN:
        return "Unknown (not answered or prefer not to say)"
    if "|" in category:
        sex, race = category.split("|", 1)
        return f"{category_label(sex)} × {category_label(race)}"
    for choices in (Sex, RaceEthnicity):
        if category in choices.values:
            return str(choices(category).label)
    return category


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(start=today - timedelta(days=365), end=today)


def fairness_report_for(*, domain: Domain, period: Period) -> FairnessReport:
    return fairness_compute(outcomes_for(domain=domain, start=period.start_at, end=period.end_at))


CSV_HEADER = [
    "domain",
    "period_start",
    "period_end",
    "group",
    "category",
    "count",
    "share_of_total",
    "in_impact_ratios",
    "excluded_because",
    *(f"{m}_{what}" for m in METRICS for what in ("count", "rate", "impact_ratio")),
    "flags",
]


def _fmt(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_rows(*, report: FairnessReport, domain: Domain, period: Period) -> list[list[str]]:
    rows: list[list[str]] = []
    for group, group_rows in report.groups.items():
        for row in group_rows:
            rows.append(
                _csv_row(row, group=group, domain=domain, period=period, bar=report.flag_below)
            )
    return rows


def _csv_row(
    row: CategoryRow, *, group: str, domain: Domain, period: Period, bar: float
) -> list[str]:
    metrics = []
    for m in METRICS:
        metrics += [str(row.counts[m]), _fmt(row.rates[m]), _fmt(row.ratios.get(m))]
    return [
        domain.slug,
        period.start.isoformat(),
        period.end.isoformat(),
        GROUP_LABELS[group],
        category_label(row.category),
        str(row.count),
        _fmt(row.share),
        "yes" if row.in_ratios else "no",
        row.excluded_reason,
        *metrics,
        " ".join(f"{m}_impact_ratio_below_{bar}" for m in row.flags),
    ]


def csv_text(*, report: FairnessReport, domain: Domain, period: Period) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(report=report, domain=domain, period=period))
    writer.writerow([])
    writer.writerow(["total_results", str(report.total)])
    writer.writerow(["median_score", _fmt(report.median_score, 2)])
    return buffer.getvalue()
