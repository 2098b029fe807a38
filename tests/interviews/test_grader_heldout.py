"""A held-out labelled set, written before the grader was read, guards against regressions.

Sixty answers to thirty questions (most outside the banks), strong and weak twins; the weak
kind is in the id (off_topic, wrong, buzzwords, generic, hedgy, rambling, short). Tuning
was done on odd-numbered ids only; even-numbered ids stay untouched as the honest check.
"""

from __future__ import annotations

from collections import Counter

from interviews.engine.grader import default_grader
from tests.interviews.engine_helpers import DATA, answer_of, read_jsonl, roc_auc

HELDOUT = DATA / "heldout_answers.jsonl"
# Rubric builtin-2026.11.2 reaches 0.946 here, short of the 0.95 the product asks for:
# confidently wrong answers in the right vocabulary are what a rule-based grader misses
# (the OpenAI grader's rubric judgement is the remedy). This floor catches regressions.
FLOOR_AUC = 0.94


def _heldout_auc() -> float:
    rows = read_jsonl(HELDOUT)
    grader = default_grader()
    scores = [grader.grade(answer_of(r)).overall for r in rows]
    return roc_auc([r["label"] == "strong" for r in rows], scores)


def test_heldout_set_shape():
    rows = read_jsonl(HELDOUT)
    assert len(rows) == 60
    assert len({r["id"] for r in rows}) == 60
    assert {r["category"] for r in rows} == {"resume", "technical", "behavioral"}
    assert len({r["domain"] for r in rows}) == 4
    kinds = Counter(r["id"].split("-", 1)[1] for r in rows if r["label"] == "weak")
    assert len(kinds) == 7 and min(kinds.values()) >= 4, kinds


def test_roc_auc_on_heldout_answers_does_not_regress():
    auc = _heldout_auc()
    assert auc >= FLOOR_AUC, auc
