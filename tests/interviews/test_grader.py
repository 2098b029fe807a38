"""The built-in grader judges what was said, not only how it was said."""

from __future__ import annotations

import time

import pytest

from interviews.engine.grader import RUBRIC_VERSION, BuiltinGrader, default_grader
from interviews.engine.types import AnswerInput
from tests.interviews.engine_helpers import LABELLED, SAMPLES, answer_of, read_jsonl

GRADER = default_grader()


def _twins(rows: list[dict]) -> list[tuple[dict, dict]]:
    by_question: dict[str, dict[str, list[dict]]] = {}
    for row in rows:
        side = "strong" if row["label"] == "strong" else "weak"
        by_question.setdefault(row["question"], {"strong": [], "weak": []})[side].append(row)
    return [(s, w) for g in by_question.values() for s in g["strong"] for w in g["weak"]]


@pytest.mark.skipif(not SAMPLES.exists(), reason="shared samples not present")
def test_every_sample_strong_answer_outscores_its_weak_twin():
    rows = read_jsonl(SAMPLES)
    pairs = _twins(rows)
    assert pairs
    for strong, weak in pairs:
        s = GRADER.grade(answer_of(strong)).overall
        w = GRADER.grade(answer_of(weak)).overall
        assert s > w, (strong["id"], s, weak["id"], w)


def test_every_labelled_strong_answer_outscores_each_weak_twin_of_every_kind():
    rows = read_jsonl(LABELLED)
    pairs = _twins(rows)
    kinds = {w["kind"] for _s, w in pairs}
    assert {"off_topic", "wrong", "buzzword", "generic", "hedgy", "rambling"} <= kinds
    for strong, weak in pairs:
        s = GRADER.grade(answer_of(strong)).overall
        w = GRADER.grade(answer_of(weak)).overall
        assert s > w, (strong["id"], s, weak["id"], weak["kind"], w)


@pytest.mark.parametrize("transcript", ["", "   ", "\n"])
def test_unanswered_scores_zero_everywhere(transcript):
    result = GRADER.grade(
        AnswerInput(
            question="What is few-shot prompting?", category="technical", transcript=transcript
        )
    )
    assert result.overall == 0
    for sub in (result.fluency, result.technical_accuracy, result.coherence, result.conciseness):
        assert sub.value == 0
    assert result.rubric_version == RUBRIC_VERSION
    assert result.backend == "builtin"


def test_grading_is_deterministic_across_instances():
    row = read_jsonl(LABELLED)[0]
    first = GRADER.grade(answer_of(row)).as_dict()
    again = BuiltinGrader().grade(answer_of(row)).as_dict()
    assert first == again


def test_typed_answers_ignore_speech_features():
    row = next(r for r in read_jsonl(LABELLED) if r["id"] == "ae06-strong")
    typed_fast = GRADER.grade(answer_of(row, typed=True, duration_s=5))
    typed_slow = GRADER.grade(
        answer_of(
            row,
            typed=True,
            duration_s=400,
            words=(("Cohen's", 0.0, 0.4), ("kappa", 9.0, 9.5), ("measures", 20.0, 20.5)),
        )
    )
    assert typed_fast.as_dict() == typed_slow.as_dict()
    spoken_slow = GRADER.grade(
        answer_of(
            row,
            duration_s=400,
            words=(("Cohen's", 0.0, 0.4), ("kappa", 9.0, 9.5), ("measures", 20.0, 20.5)),
        )
    )
    assert spoken_slow.fluency.value < typed_slow.fluency.value
    assert any("long_pauses" in e for e in spoken_slow.fluency.evidence if isinstance(e, dict))


def test_fillers_lower_fluency_but_not_below_a_vague_answer():
    q = "What is few-shot prompting?"
    specific = (
        "Um, few-shot prompting means putting a few input-output examples in the prompt so the "
        "model infers the task and the format, uh, without any weight updates. For a ticket "
        "classifier five examples raised accuracy from 72 to 86 percent over zero-shot."
    )
    vague = (
        "Few-shot prompting is a powerful technique that helps with various things. It is "
        "cutting edge and it adds a lot of value, and I always use best practices with it."
    )
    s = GRADER.grade(
        AnswerInput(question=q, category="technical", transcript=specific, duration_s=35)
    )
    v = GRADER.grade(AnswerInput(question=q, category="technical", transcript=vague, duration_s=20))
    assert s.fluency.value < v.fluency.value
    assert s.overall > v.overall + 15


def test_answer_past_two_minutes_loses_conciseness():
    row = next(r for r in read_jsonl(LABELLED) if r["id"] == "se01-strong")
    on_time = GRADER.grade(answer_of(row, duration_s=80)).conciseness.value
    long = GRADER.grade(answer_of(row, duration_s=200)).conciseness.value
    assert long < on_time - 30


def test_question_outside_the_bank_uses_glossary_and_taxonomy_concepts():
    result = GRADER.grade(
        AnswerInput(
            question="How does dropout work?",
            category="technical",
            transcript=(
                "Dropout randomly zeroes a fraction of activations during training so the "
                "network cannot rely on single units, which acts as regularization; at "
                "inference it is disabled."
            ),
            duration_s=20,
        )
    )
    assert "regularization" in result.evidence["expected_concepts"]
    assert result.technical_accuracy.value >= 60


def test_each_sub_score_has_evidence():
    row = read_jsonl(LABELLED)[0]
    result = GRADER.grade(answer_of(row))
    for sub in (result.fluency, result.technical_accuracy, result.coherence, result.conciseness):
        assert sub.evidence
        assert 0 <= sub.value <= 100


def test_grading_takes_under_200_ms():
    rows = read_jsonl(LABELLED)
    start = time.perf_counter()
    for row in rows:
        GRADER.grade(answer_of(row))
    per_answer_ms = (time.perf_counter() - start) * 1000 / len(rows)
    assert per_answer_ms < 200
