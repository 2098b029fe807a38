"""Choosing (and wording) the next question of an attempt.

The built-in interviewer is deterministic for a seed: resume-verification questions are
templates filled from the resume, technical questions come from the domain bank at a
difficulty that follows the previous answer's score, skills the candidate named get a
follow-up, and behavioral scenarios rotate through themes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Protocol

from interviews.engine.bank import QuestionTemplate, load_templates
from interviews.engine.taxonomy import Taxonomy, default_taxonomy
from interviews.engine.types import (
    BUILTIN_BACKEND,
    MAX_DIFFICULTY,
    MIN_DIFFICULTY,
    AskedQuestion,
    BankQuestion,
    InterviewPlan,
    PlannedSlot,
    ResumeFacts,
    ScoreResult,
)

STRONG_SCORE = 70.0
WEAK_SCORE = 50.0
FOUNDATIONAL_MAX = 2
# Follow-ups on named skills may take at most this many technical slots, so the domain
# segment always keeps its own questions.
MAX_FOLLOW_UPS = 2
FOLLOW_UP_KINDS = frozenset({"tool", "framework", "method", "platform", "language"})

History = Sequence[tuple[AskedQuestion, ScoreResult | None]]


class Interviewer(Protocol):
    def next_question(
        self,
        *,
        plan: InterviewPlan,
        bank: Sequence[BankQuestion],
        resume: ResumeFacts,
        history: History,
        seen_question_ids: set[str],
        seed: int,
        answer_texts: Sequence[str] | None = None,
    ) -> AskedQuestion | None: ...


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def target_difficulty(plan: InterviewPlan, history: History) -> tuple[int, str]:
    """The difficulty of the next technical question and why.

    The resume answers set the baseline; after that the previous answer moves it: strong
    → one harder, weak → foundational, unknown (grading too slow) → unchanged.
    """
    technical = [(q, s) for q, s in history if q.category == "technical"]
    if not technical:
        resume_scores = [s.overall for q, s in history if q.category == "resume" and s is not None]
        base = plan.baseline_difficulty
        if not resume_scores:
            return base, f"baseline difficulty {base}"
        mean = sum(resume_scores) / len(resume_scores)
        if mean >= STRONG_SCORE:
            level = min(MAX_DIFFICULTY, base + 1)
        elif mean < WEAK_SCORE:
            level = MIN_DIFFICULTY
        else:
            level = base
        return level, f"baseline {level} from resume answers (mean {mean:.0f})"
    level = technical[-1][0].difficulty
    _prev_q, prev_score = history[-1]
    if prev_score is None:
        return level, f"chosen without previous score (grading still running): stays at {level}"
    score = prev_score.overall
    if score >= STRONG_SCORE:
        new = min(MAX_DIFFICULTY, level + 1)
        return new, f"harder after strong answer ({score:.0f}): {level} → {new}"
    if score < WEAK_SCORE:
        new = max(MIN_DIFFICULTY, min(level, FOUNDATIONAL_MAX))
        return new, f"foundational after weak answer ({score:.0f}): {level} → {new}"
    return level, f"same difficulty after middling answer ({score:.0f}): {level}"


def named_skills(
    history: History, answer_texts: Sequence[str] | None, taxonomy: Taxonomy
) -> list[str]:
    """Skills the candidate named in earlier answers, oldest first."""
    slugs: list[str] = []
    for _q, score in history:
        if score is not None:
            slugs.extend(score.evidence.get("skills_named") or ())
    for text in answer_texts or ():
        slugs.extend(taxonomy.find_slugs(text or ""))
    return list(dict.fromkeys(slugs))


class BuiltinInterviewer:
    backend = BUILTIN_BACKEND

    def __init__(
        self,
        *,
        taxonomy: Taxonomy | None = None,
        templates: Sequence[QuestionTemplate] | None = None,
    ) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else default_taxonomy()
        self.templates = list(templates) if templates is not None else load_templates()

    def next_question(
        self,
        *,
        plan: InterviewPlan,
        bank: Sequence[BankQuestion],
        resume: ResumeFacts,
        history: History,
        seen_question_ids: set[str],
        seed: int,
        answer_texts: Sequence[str] | None = None,
    ) -> AskedQuestion | None:
        """The question for the next planned slot, or None when the plan is complete.

        ``history`` holds this attempt's questions with their scores (None while grading
        runs); ``seen_question_ids`` are ids from earlier attempts, never asked again.
        """
        index = len(history)
        if index >= plan.planned_count:
            return None
        slot = plan.slots[index]
        asked = {q.qid for q, _ in history} | set(seen_question_ids)
        rng = _rng("next", plan.domain, seed, index)
        if slot.category == "resume":
            return self._resume_question(slot, bank, resume, asked, rng)
        if slot.category == "behavioral":
            return self._behavioral_question(slot, bank, history, asked, rng)
        return self._technical_question(plan, slot, bank, resume, history, asked, rng, answer_texts)

    # -- resume verification ------------------------------------------------------------
    def _resume_question(
        self,
        slot: PlannedSlot,
        bank: Sequence[BankQuestion],
        resume: ResumeFacts,
        asked: set[str],
        rng: random.Random,
    ) -> AskedQuestion | None:
        candidates: list[AskedQuestion] = []
        skill_names = {
            slug: (self.taxonomy.get(slug).name if slug in self.taxonomy else slug)
            for slug in resume.skills
        }
        for role in resume.roles:
            role_skills = list(role.skills) or list(resume.skills)
            fills: list[dict[str, str]] = [{"title": role.title, "employer": role.employer}]
            for slug in role_skills[:4]:
                fills.append(
                    {
                        "title": role.title,
                        "employer": role.employer,
                        "skill": skill_names.get(slug, slug),
                        "_slug": slug,
                    }
                )
            for bullet in role.bullets[:3]:
                fills.append({"project": bullet.rstrip("."), "employer": role.employer})
            for fill in fills:
                candidates.extend(self._fill_templates(fill, resume))
        for project in resume.projects[:4]:
            candidates.extend(self._fill_templates({"project": project.rstrip(".")}, resume))
        for slug, name in list(skill_names.items())[:6]:
            candidates.extend(self._fill_templates({"skill": name, "_slug": slug}, resume))
        fresh = [c for c in candidates if c.qid not in asked]
        # Prefer a template and an employer not used yet in this attempt, for variety.
        used_templates = {qid.split(":")[1] for qid in asked if qid.startswith("tpl:")}
        varied = [c for c in fresh if c.qid.split(":")[1] not in used_templates] or fresh
        if varied:
            choice = rng.choice(varied)
            return choice
        fallback = [q for q in bank if q.category == "resume" and q.id not in asked]
        if not fallback:
            return None
        q = rng.choice(fallback)
        return _from_bank(q, slot, reason="resume gives too little to verify: bank question")

    def _fill_templates(self, fill: dict[str, str], resume: ResumeFacts) -> list[AskedQuestion]:
        out = []
        for tpl in self.templates:
            if tpl.category != "resume":
                continue
            if any(not fill.get(need) for need in tpl.needs):
                continue
            # A template that names fewer placeholders than we have would drop facts: skip
            # the ones that ignore the employer when we know it, to keep claims checkable.
            try:
                text = tpl.text.format(**{k: v for k, v in fill.items() if not k.startswith("_")})
            except (KeyError, IndexError):
                continue
            claims = [v for k, v in fill.items() if k in tpl.needs]
            skills = (fill["_slug"],) if "_slug" in fill and "skill" in tpl.needs else ()
            key = "-".join(_slug(fill[n]) for n in tpl.needs)
            out.append(
                AskedQuestion(
                    qid=f"tpl:{tpl.id}:{key}",
                    text=text,
                    category="resume",
                    difficulty=tpl.difficulty,
                    skills=skills,
                    expected_concepts=tuple(self._concepts_of(skills)),
                    backend=BUILTIN_BACKEND,
                    reason="resume verification from " + ", ".join(tpl.needs),
                    segment="resume",
                    resume_claims=tuple(claims),
                )
            )
        return out

    def _concepts_of(self, slugs: Sequence[str]) -> list[str]:
        out: list[str] = []
        for slug in slugs:
            if slug in self.taxonomy:
                out.extend(self.taxonomy.get(slug).concepts)
        return out

    # -- technical ----------------------------------------------------------------------
    def _technical_question(
        self,
        plan: InterviewPlan,
        slot: PlannedSlot,
        bank: Sequence[BankQuestion],
        resume: ResumeFacts,
        history: History,
        asked: set[str],
        rng: random.Random,
        answer_texts: Sequence[str] | None,
    ) -> AskedQuestion | None:
        level, reason = target_difficulty(plan, history)
        probed = {s for q, _ in history for s in q.skills}
        follow_ups = sum(1 for q, _ in history if q.segment == "follow-up")
        if slot.segment != "domain" and follow_ups < MAX_FOLLOW_UPS:
            for slug in named_skills(history, answer_texts, self.taxonomy):
                if slug in probed or slug not in self.taxonomy:
                    continue
                entry = self.taxonomy.get(slug)
                if entry.kind not in FOLLOW_UP_KINDS:
                    continue
                q = self._follow_up(slug, level, bank, asked, rng, slot)
                if q is not None:
                    return q
        pool = [q for q in bank if q.category == "technical" and q.id not in asked]
        if not pool:
            return None
        resume_skills = set(resume.skills)

        def rank(q: BankQuestion) -> tuple[float, float]:
            distance = abs(q.difficulty - level)
            # Before the domain segment, lean towards what the resume claims.
            overlap = len(resume_skills & set(q.skills)) if slot.segment != "domain" else 0
            return (distance - 0.5 * min(overlap, 1), rng.random())

        pool.sort(key=rank)
        best = rank(pool[0])[0]
        near = [q for q in pool if rank(q)[0] <= best + 0.01] or pool[:1]
        chosen = rng.choice(near)
        why = (
            reason
            if chosen.difficulty == level
            else f"{reason}; nearest available {chosen.difficulty}"
        )
        if slot.segment == "domain":
            why = f"domain segment: {why}"
        return _from_bank(chosen, slot, reason=why)

    def _follow_up(
        self,
        slug: str,
        level: int,
        bank: Sequence[BankQuestion],
        asked: set[str],
        rng: random.Random,
        slot: PlannedSlot,
    ) -> AskedQuestion | None:
        entry = self.taxonomy.get(slug)
        tagged = [
            q for q in bank if q.category == "technical" and slug in q.skills and q.id not in asked
        ]
        if tagged:
            tagged.sort(key=lambda q: (abs(q.difficulty - level), q.id))
            q = tagged[0]
            text = q.text
            if q.follow_up:
                text = q.follow_up.format(skill=entry.name)
            return AskedQuestion(
                qid=q.id,
                text=text,
                category="technical",
                difficulty=q.difficulty,
                skills=tuple(dict.fromkeys((slug, *q.skills))),
                expected_concepts=tuple(dict.fromkeys((*q.expected_concepts, *entry.concepts))),
                backend=BUILTIN_BACKEND,
                reason=f"follow-up on {entry.name} named in an earlier answer",
                segment="follow-up",
            )
        templates = [t for t in self.templates if t.category == "technical" and "skill" in t.needs]
        for tpl in sorted(templates, key=lambda t: (rng.random(), t.id)):
            qid = f"tpl:{tpl.id}:{slug}"
            if qid in asked:
                continue
            return AskedQuestion(
                qid=qid,
                text=tpl.text.format(skill=entry.name),
                category="technical",
                difficulty=max(level, tpl.difficulty) if level > FOUNDATIONAL_MAX else level,
                skills=(slug,),
                expected_concepts=entry.concepts,
                backend=BUILTIN_BACKEND,
                reason=f"follow-up on {entry.name} named in an earlier answer",
                segment="follow-up",
            )
        return None

    # -- behavioral ---------------------------------------------------------------------
    def _behavioral_question(
        self,
        slot: PlannedSlot,
        bank: Sequence[BankQuestion],
        history: History,
        asked: set[str],
        rng: random.Random,
    ) -> AskedQuestion | None:
        pool = [q for q in bank if q.category == "behavioral" and q.id not in asked]
        if not pool:
            return None
        used_themes = {
            q.reason.split("theme: ", 1)[-1] for q, _ in history if q.category == "behavioral"
        }
        fresh = [q for q in pool if (q.theme or q.id) not in used_themes] or pool
        q = rng.choice(sorted(fresh, key=lambda b: b.id))
        return _from_bank(q, slot, reason=f"behavioral scenario, theme: {q.theme or q.id}")


def _from_bank(q: BankQuestion, slot: PlannedSlot, *, reason: str) -> AskedQuestion:
    return AskedQuestion(
        qid=q.id,
        text=q.text,
        category=q.category,
        difficulty=q.difficulty,
        skills=q.skills,
        expected_concepts=q.expected_concepts,
        backend=BUILTIN_BACKEND,
        reason=reason,
        segment=slot.segment,
    )
