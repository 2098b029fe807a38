"""Dataclasses shared by the plan, interviewer, grader and tiering.

Plain values only, so the Django side can build them from rows and store them back
as JSON (``dataclasses.asdict``) without the engine knowing about the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Category = Literal["resume", "technical", "behavioral"]
CATEGORIES: tuple[str, ...] = ("resume", "technical", "behavioral")
DOMAINS: tuple[str, ...] = (
    "ai_evaluation",
    "prompt_engineering",
    "machine_learning",
    "software_engineering",
)
TIERS: tuple[str, ...] = ("declined", "qualified", "expert", "verified_expert")

MIN_DIFFICULTY = 1
MAX_DIFFICULTY = 5
BUILTIN_BACKEND = "builtin"


@dataclass(frozen=True)
class PlanRules:
    """Segment sizes and timing; defaults are PRODUCT.md §3, staff may tighten per domain."""

    resume_range: tuple[int, int] = (2, 3)
    technical_range: tuple[int, int] = (4, 6)
    behavioral_range: tuple[int, int] = (3, 4)
    total_range: tuple[int, int] = (8, 12)
    # How many of the technical slots at the end are the domain segment.
    domain_slots: int = 2
    total_seconds: int = 20 * 60
    answer_target_s: int = 90
    answer_cap_s: int = 180
    baseline_difficulty: int = 2


@dataclass(frozen=True)
class PlannedSlot:
    index: int
    category: str  # one of CATEGORIES
    # "resume", "technical", "domain" (the last technical slots), "behavioral".
    segment: str
    target_seconds: int = 90


@dataclass(frozen=True)
class InterviewPlan:
    domain: str
    slots: tuple[PlannedSlot, ...]
    seed: int
    total_seconds: int = 20 * 60
    answer_target_s: int = 90
    baseline_difficulty: int = 2

    @property
    def planned_count(self) -> int:
        return len(self.slots)

    def count(self, category: str) -> int:
        return sum(1 for s in self.slots if s.category == category)


@dataclass(frozen=True)
class BankQuestion:
    id: str
    domain: str
    category: str
    difficulty: int
    text: str
    expected_concepts: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    # Optional follow-up wording with a ``{skill}`` placeholder.
    follow_up: str | None = None
    # Behavioral theme ("ambiguous guidelines", "deadline pressure", …), for variety.
    theme: str | None = None


@dataclass(frozen=True)
class Role:
    title: str
    employer: str = ""
    bullets: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResumeFacts:
    """A plain summary of a parsed resume; the Django side builds it."""

    roles: tuple[Role, ...] = ()
    skills: tuple[str, ...] = ()  # taxonomy slugs
    projects: tuple[str, ...] = ()
    candidate_name: str = ""

    @property
    def employers(self) -> list[str]:
        return [r.employer for r in self.roles if r.employer]


@dataclass(frozen=True)
class AskedQuestion:
    qid: str  # a bank id ("ml-t-014") or a template id ("tpl:resume-walkthrough:…")
    text: str
    category: str
    difficulty: int
    skills: tuple[str, ...] = ()
    expected_concepts: tuple[str, ...] = ()
    backend: str = BUILTIN_BACKEND
    reason: str = ""
    segment: str = ""
    # For resume-verification questions: what the resume claims, so the answer can be checked.
    resume_claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerInput:
    question: str
    category: str
    transcript: str
    duration_s: float = 0.0
    expected_concepts: tuple[str, ...] = ()
    # (word, start_s, end_s) from the transcriber; empty for typed answers or old rows.
    words: tuple[tuple[str, float, float], ...] = ()
    typed: bool = False
    skills: tuple[str, ...] = ()  # skills the question probes, when known
    domain: str = ""


@dataclass
class SubScore:
    value: float  # 0–100
    evidence: list[Any] = field(default_factory=list)


@dataclass
class ScoreResult:
    fluency: SubScore
    technical_accuracy: SubScore
    coherence: SubScore
    conciseness: SubScore
    overall: float
    evidence: dict[str, Any] = field(default_factory=dict)
    rubric_version: str = ""
    backend: str = BUILTIN_BACKEND

    def sub_scores(self) -> dict[str, float]:
        """The four sub-scores and the overall score, by name."""
        return {
            "fluency": self.fluency.value,
            "technical_accuracy": self.technical_accuracy.value,
            "coherence": self.coherence.value,
            "conciseness": self.conciseness.value,
            "overall": self.overall,
        }

    def evidence_by_dimension(self) -> dict[str, Any]:
        """What produced each sub-score, plus the answer-wide evidence under "overall"."""
        return {
            "overall": self.evidence,
            "fluency": self.fluency.evidence,
            "technical_accuracy": self.technical_accuracy.evidence,
            "coherence": self.coherence.evidence,
            "conciseness": self.conciseness.evidence,
        }

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


@dataclass(frozen=True)
class TierThresholds:
    qualified: float = 50.0
    expert: float = 70.0
    verified: float = 85.0
    verified_min_difficulty: int = 4
    foundational_cap: int = 2


@dataclass
class TierResult:
    score: float
    tier: str  # one of TIERS
    max_difficulty_reached: int
    reasons: list[str] = field(default_factory=list)
