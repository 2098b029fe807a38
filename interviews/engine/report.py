"""The candidate's improvement report: what to work on, by dimension, never by question.

Built from the stored sub-scores and their evidence (see ``grader.py``). The candidate
sees a band per dimension and findings that hold across the interview ("answers often ran
past two minutes"); no number, no question, nothing that would let them reconstruct a
per-question score. Plain Python: no Django.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("technical_accuracy", "Technical accuracy"),
    ("coherence", "Structure"),
    ("conciseness", "Conciseness"),
    ("fluency", "Delivery"),
)
LONG_ANSWER_S = 120.0
SHORT_ANSWER_WORDS = 35
# A pattern is "often" when it shows in at least this share of the answers it applies to.
OFTEN = 0.4


@dataclass(frozen=True)
class AnswerEvidence:
    """One answered (or unanswered) question, as stored: sub-scores and their evidence."""

    category: str  # resume, technical, behavioral
    answered: bool
    duration_s: float = 0.0
    typed: bool = False
    fluency: float = 0.0
    technical_accuracy: float = 0.0
    coherence: float = 0.0
    conciseness: float = 0.0
    # Score.evidence as stored: {"overall": {...}, "fluency": [...], ...}
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DimensionBand:
    key: str
    label: str
    band: str  # "strong", "solid", "work on it"


@dataclass(frozen=True)
class Finding:
    dimension: str
    text: str
    advice: str


@dataclass(frozen=True)
class ImprovementReport:
    dimensions: tuple[DimensionBand, ...]
    findings: tuple[Finding, ...]
    strengths: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.findings and not self.strengths


def _band(value: float) -> str:
    if value >= 75:
        return "strong"
    if value >= 55:
        return "solid"
    return "work on it"


def _items(evidence: dict[str, Any], dimension: str) -> dict[str, Any]:
    """Flatten a dimension's evidence list of one-key dicts into one dict."""
    merged: dict[str, Any] = {}
    for item in evidence.get(dimension) or []:
        if isinstance(item, dict):
            merged.update(item)
    return merged


def _words(answer: AnswerEvidence) -> int:
    return int(_items(answer.evidence, "conciseness").get("words", 10**6))


def _often(hits: int, total: int) -> bool:
    return total > 0 and hits >= 2 and hits / total >= OFTEN


def _quote(phrases: Iterable[str], n: int = 3) -> str:
    common = [p for p, _ in Counter(p.lower() for p in phrases).most_common(n)]
    common = [re.sub(r"\bi\b", "I", p) for p in common]
    return ", ".join(f"“{p}”" for p in common)


def improvement_report(answers: Sequence[AnswerEvidence]) -> ImprovementReport:
    answered = [a for a in answers if a.answered]
    findings: list[Finding] = []

    unanswered = len(answers) - len(answered)
    if unanswered:
        plural = "s" if unanswered != 1 else ""
        findings.append(
            Finding(
                "conciseness",
                f"{unanswered} of {len(answers)} question{plural} went unanswered (skipped,"
                " silent or out of time); each of those counts as zero.",
                "Answer every question, even briefly: a partial answer beats none.",
            )
        )

    long = [a for a in answered if a.duration_s > LONG_ANSWER_S and not a.typed]
    if _often(len(long), len(answered)):
        findings.append(
            Finding(
                "conciseness",
                "Answers often ran past two minutes.",
                "Aim for about 90 seconds: lead with your answer, give one example, stop.",
            )
        )

    short = [a for a in answered if _words(a) < SHORT_ANSWER_WORDS]
    if _often(len(short), len(answered)):
        findings.append(
            Finding(
                "technical_accuracy",
                "Answers were often too short to show depth.",
                "Say how it works and what you did, not only what it is.",
            )
        )

    hedged = []
    hedges: list[str] = []
    for a in answered:
        found = list((a.evidence.get("overall") or {}).get("hedges") or [])
        if found:
            hedged.append(a)
            hedges.extend(found)
    if len(hedges) >= 4 or _often(len(hedged), len(answered)):
        findings.append(
            Finding(
                "fluency",
                f"Hedging phrases were frequent ({_quote(hedges)}).",
                "State what you know plainly; say what you would check when you are unsure.",
            )
        )

    spoken = [a for a in answered if not a.typed]
    filler_rates = [
        float(_items(a.evidence, "fluency").get("per_min", 0.0))
        for a in spoken
        if "per_min" in _items(a.evidence, "fluency")
    ]
    if filler_rates and sum(filler_rates) / len(filler_rates) >= 6:
        findings.append(
            Finding(
                "fluency",
                "Filler words (“um”, “uh”, “like”) were frequent.",
                "Pause silently instead of filling the gap; a short pause reads as thought.",
            )
        )
    paused = [a for a in spoken if _items(a.evidence, "fluency").get("long_pauses", 0) >= 2]
    if _often(len(paused), len(spoken)):
        findings.append(
            Finding(
                "fluency",
                "Long pauses broke up several answers.",
                "Before you start, decide your first sentence and the example you will use.",
            )
        )

    bluf = [
        _items(a.evidence, "coherence").get("bottom_line_up_front")
        for a in answered
        if "bottom_line_up_front" in _items(a.evidence, "coherence")
    ]
    if _often(sum(1 for b in bluf if not b), len(bluf)):
        findings.append(
            Finding(
                "coherence",
                "Answers often did not open with the answer itself.",
                "Put the bottom line first, then the reasons and the example.",
            )
        )

    stories = [
        star
        for a in answered
        if a.category == "behavioral"
        and isinstance(star := _items(a.evidence, "coherence").get("star"), dict)
    ]
    for part, text, advice in (
        (
            "result",
            "Behavioral answers lacked an outcome.",
            "End each story with what changed, ideally with a number.",
        ),
        (
            "situation",
            "Behavioral answers lacked the situation.",
            "Open with where you were and what was at stake, in one sentence.",
        ),
        (
            "action",
            "Behavioral answers did not say what you yourself did.",
            "Say “I”, not “we”, for the steps you took.",
        ),
    ):
        missing = sum(1 for star in stories if star and not star.get(part))
        if _often(missing, len(stories)):
            findings.append(Finding("coherence", text, advice))

    technical = [a for a in answered if a.category == "technical"]
    coverage: list[float] = []
    for a in technical:
        tech = _items(a.evidence, "technical_accuracy")
        of = tech.get("of") or 0
        if of:
            coverage.append(len(tech.get("concepts_matched") or []) / of)
    if coverage and sum(1 for c in coverage if c < 0.5) / len(coverage) >= OFTEN:
        findings.append(
            Finding(
                "technical_accuracy",
                "Technical answers missed concepts the questions expected.",
                "Name the key ideas and explain the mechanism, not only the tool.",
            )
        )
    vague = [
        a
        for a in answered
        if _items(a.evidence, "technical_accuracy").get("specificity", 1.0) < 0.3
        or (a.evidence.get("overall") or {}).get("generic")
    ]
    if _often(len(vague), len(answered)):
        findings.append(
            Finding(
                "technical_accuracy",
                "Answers were often vague: few tools, numbers or concrete outcomes.",
                "Name the tool, the data size, the metric and the result you got.",
            )
        )
    misconceptions = [
        a for a in answered if _items(a.evidence, "technical_accuracy").get("misconceptions")
    ]
    if misconceptions:
        findings.append(
            Finding(
                "technical_accuracy",
                "Some technical statements were not accurate.",
                "Review the fundamentals of your domain before the next attempt.",
            )
        )

    dimensions: list[DimensionBand] = []
    strengths: list[str] = []
    for key, label in DIMENSIONS:
        values = [float(getattr(a, key)) for a in answers]
        mean = sum(values) / len(values) if values else 0.0
        band = _band(mean)
        dimensions.append(DimensionBand(key, label, band))
        if band == "strong":
            strengths.append(label)
    order = {key: i for i, (key, _) in enumerate(DIMENSIONS)}
    findings.sort(key=lambda f: order.get(f.dimension, 99))
    return ImprovementReport(tuple(dimensions), tuple(findings), tuple(strengths))
