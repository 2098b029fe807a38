"""OpenAI-compatible interviewer and grader, each falling back to the built-in one.

Any failure (timeout, HTTP error, malformed JSON, an answer that does not match the
schema) produces the built-in result instead, with the reason recorded, so an attempt
never stalls on a remote model. Names and contact details are redacted before anything
leaves the process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from interviews.engine.grader import WEIGHTS, BuiltinGrader, default_grader
from interviews.engine.interviewer import BuiltinInterviewer, History
from interviews.engine.taxonomy import Taxonomy
from interviews.engine.types import (
    AnswerInput,
    AskedQuestion,
    BankQuestion,
    InterviewPlan,
    ResumeFacts,
    ScoreResult,
    SubScore,
)

# How much of technical accuracy the model's rubric judgement decides; the rest stays
# with the built-in features, so one odd model reply cannot swing a score on its own.
LLM_TECHNICAL_WEIGHT = 0.6


@dataclass(frozen=True)
class OpenAIConfig:
    base_url: str
    model: str
    api_key: str = "unused"
    timeout_s: float = 8.0
    temperature: float = 0.0


class BackendError(Exception):
    """The remote model could not give a usable answer; ``str()`` is the fallback reason."""


# ---------------------------------------------------------------------------------------
# Redaction
# ---------------------------------------------------------------------------------------
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|io|dev|net|org|me)/\S*", re.I)
_PHONE_RE = re.compile(r"(?<![\w.])\+?\d[\d\s().-]{7,}\d(?!\w)")


def redact(text: str, *, names: Sequence[str] = ()) -> str:
    """Emails, URLs, phone numbers and the given names replaced by placeholders."""
    out = _EMAIL_RE.sub("[email]", text)
    out = _URL_RE.sub("[url]", out)
    out = _PHONE_RE.sub("[phone]", out)
    for name in names:
        for part in {name.strip(), *name.split()}:
            if len(part) >= 2:
                out = re.sub(rf"\b{re.escape(part)}\b", "[name]", out, flags=re.I)
    return out


# ---------------------------------------------------------------------------------------
# Schemas, validated by hand (no new dependency)
# ---------------------------------------------------------------------------------------
GRADE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "technical_accuracy",
        "coherence",
        "concepts_covered",
        "factual_errors",
        "rationale",
    ],
    "properties": {
        "technical_accuracy": {"type": "number", "minimum": 0, "maximum": 100},
        "coherence": {"type": "number", "minimum": 0, "maximum": 100},
        "concepts_covered": {"type": "array", "items": {"type": "string"}},
        "factual_errors": {"type": "array", "items": {"type": "string"}},
        "rationale": {"type": "string"},
    },
}
QUESTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "expected_concepts"],
    "properties": {
        "text": {"type": "string"},
        "expected_concepts": {"type": "array", "items": {"type": "string"}},
    },
}


def _check_number(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BackendError(f"schema: {key} is not a number")
    if not 0 <= value <= 100:
        raise BackendError(f"schema: {key}={value} out of range 0-100")
    return float(value)


def _check_strings(data: dict[str, Any], key: str, *, limit: int = 20) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BackendError(f"schema: {key} is not a list of strings")
    return [v[:200] for v in value[:limit]]


def validate_grade(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BackendError("schema: grade is not an object")
    missing = [k for k in GRADE_SCHEMA["required"] if k not in data]
    if missing:
        raise BackendError(f"schema: missing {', '.join(missing)}")
    rationale = data.get("rationale")
    if not isinstance(rationale, str):
        raise BackendError("schema: rationale is not a string")
    return {
        "technical_accuracy": _check_number(data, "technical_accuracy"),
        "coherence": _check_number(data, "coherence"),
        "concepts_covered": _check_strings(data, "concepts_covered"),
        "factual_errors": _check_strings(data, "factual_errors"),
        "rationale": rationale[:600],
    }


def validate_question(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BackendError("schema: question is not an object")
    text = data.get("text")
    if not isinstance(text, str) or not 10 <= len(text.strip()) <= 400:
        raise BackendError("schema: text missing or of unreasonable length")
    return {"text": text.strip(), "expected_concepts": _check_strings(data, "expected_concepts")}


# ---------------------------------------------------------------------------------------
# The client call
# ---------------------------------------------------------------------------------------
class _ChatClient:
    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config
        self._client: Any = None

    def _get(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                base_url=self.config.base_url,
                api_key=self.config.api_key or "unused",
                timeout=self.config.timeout_s,
                max_retries=0,
            )
        return self._client

    def json_call(self, *, system: str, user: str, schema_name: str, schema: dict) -> Any:
        """One chat completion returning parsed JSON, or BackendError with a short reason."""
        import openai

        try:
            response = self._get().chat.completions.create(
                model=self.config.model,
                temperature=self.config.temperature,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema_name, "schema": schema, "strict": True},
                },
            )
        except openai.APITimeoutError as exc:
            raise BackendError("timeout") from exc
        except openai.APIStatusError as exc:
            raise BackendError(f"http {exc.status_code}") from exc
        except openai.APIError as exc:
            raise BackendError(f"api error: {type(exc).__name__}") from exc
        except Exception as exc:
            raise BackendError(f"client error: {type(exc).__name__}") from exc
        try:
            content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError) as exc:
            raise BackendError("malformed response: no message content") from exc
        if not isinstance(content, str):
            raise BackendError("malformed response: no message content")
        try:
            return json.loads(content)
        except json.JSONDecodeError as exc:
            raise BackendError("malformed json") from exc


# ---------------------------------------------------------------------------------------
# Grader
# ---------------------------------------------------------------------------------------
GRADER_SYSTEM = (
    "You grade one spoken interview answer. Judge what was said: is it correct, specific "
    "and on the question? Penalise factual errors, generic phrasing, buzzword lists and "
    "answers to a different question. Reply with JSON only."
)


class OpenAIGrader:
    def __init__(
        self,
        config: OpenAIConfig,
        *,
        fallback: BuiltinGrader | None = None,
        candidate_names: Sequence[str] = (),
    ) -> None:
        self.config = config
        self.fallback = fallback or default_grader()
        self.candidate_names = tuple(candidate_names)
        self.client = _ChatClient(config)
        self.backend = f"openai:{config.model}"

    def grade(self, answer: AnswerInput, *, taxonomy: Taxonomy | None = None) -> ScoreResult:
        base = self.fallback.grade(answer, taxonomy=taxonomy)
        if base.overall == 0.0 and not answer.transcript.strip():
            return base  # nothing to send: unanswered is zero either way
        payload = {
            "question": redact(answer.question, names=self.candidate_names),
            "category": answer.category,
            "expected_concepts": list(answer.expected_concepts)
            or base.evidence.get("expected_concepts", []),
            "answer_transcript": redact(answer.transcript, names=self.candidate_names),
            "scale": "0-100; 50 = partly correct but vague, 85+ = correct, specific, complete",
        }
        try:
            data = self.client.json_call(
                system=GRADER_SYSTEM,
                user=json.dumps(payload),
                schema_name="answer_grade",
                schema=GRADE_SCHEMA,
            )
            judged = validate_grade(data)
        except BackendError as exc:
            base.evidence["fallback_reason"] = str(exc)
            base.evidence["attempted_backend"] = self.backend
            return base
        tech = round(
            LLM_TECHNICAL_WEIGHT * judged["technical_accuracy"]
            + (1 - LLM_TECHNICAL_WEIGHT) * base.technical_accuracy.value,
            1,
        )
        coh = round(0.5 * judged["coherence"] + 0.5 * base.coherence.value, 1)
        technical = SubScore(
            tech,
            [*base.technical_accuracy.evidence, {"llm": judged["technical_accuracy"]}],
        )
        coherence = SubScore(coh, [*base.coherence.evidence, {"llm": judged["coherence"]}])
        overall = (
            WEIGHTS["technical_accuracy"] * technical.value
            + WEIGHTS["coherence"] * coherence.value
            + WEIGHTS["conciseness"] * base.conciseness.value
            + WEIGHTS["fluency"] * base.fluency.value
        )
        overall = min(overall, technical.value + 35)
        evidence = dict(base.evidence)
        evidence["llm"] = judged
        return replace(
            base,
            technical_accuracy=technical,
            coherence=coherence,
            overall=round(max(0.0, min(100.0, overall)), 1),
            evidence=evidence,
            rubric_version=f"{base.rubric_version}+llm",
            backend=self.backend,
        )


# ---------------------------------------------------------------------------------------
# Interviewer
# ---------------------------------------------------------------------------------------
INTERVIEWER_SYSTEM = (
    "You word the next question of a spoken technical interview. Keep the intent, the "
    "difficulty and the skills of the draft question; make it natural and specific to the "
    "candidate's earlier answers and resume; never give hints. Reply with JSON only."
)


class OpenAIInterviewer:
    """The built-in interviewer chooses slot, difficulty and skills; the model words it."""

    def __init__(
        self,
        config: OpenAIConfig,
        *,
        fallback: BuiltinInterviewer | None = None,
        candidate_names: Sequence[str] = (),
    ) -> None:
        self.config = config
        self.fallback = fallback or BuiltinInterviewer()
        self.candidate_names = tuple(candidate_names)
        self.client = _ChatClient(config)
        self.backend = f"openai:{config.model}"
        # Written by next_question for callers that store it with the question.
        self.last_fallback_reason: str | None = None

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
        draft = self.fallback.next_question(
            plan=plan,
            bank=bank,
            resume=resume,
            history=history,
            seen_question_ids=seen_question_ids,
            seed=seed,
            answer_texts=answer_texts,
        )
        self.last_fallback_reason = None
        if draft is None:
            return None
        names = (
            (*self.candidate_names, resume.candidate_name)
            if resume.candidate_name
            else (self.candidate_names)
        )
        payload = {
            "domain": plan.domain,
            "draft_question": redact(draft.text, names=names),
            "category": draft.category,
            "difficulty": draft.difficulty,
            "skills": list(draft.skills),
            "expected_concepts": list(draft.expected_concepts),
            "resume_roles": [{"title": r.title, "employer": r.employer} for r in resume.roles[:4]],
            "earlier_answers": [redact(t, names=names)[:600] for t in (answer_texts or ())[-3:]],
        }
        try:
            data = self.client.json_call(
                system=INTERVIEWER_SYSTEM,
                user=json.dumps(payload),
                schema_name="next_question",
                schema=QUESTION_SCHEMA,
            )
            worded = validate_question(data)
        except BackendError as exc:
            self.last_fallback_reason = str(exc)
            return replace(draft, reason=f"{draft.reason}; fallback to builtin: {exc}")
        concepts = tuple(dict.fromkeys((*draft.expected_concepts, *worded["expected_concepts"])))
        return replace(
            draft,
            text=worded["text"],
            expected_concepts=concepts,
            backend=self.backend,
        )
