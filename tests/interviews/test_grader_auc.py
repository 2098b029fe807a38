"""Strong answers outrank weak ones across the labelled set: ROC AUC at least 0.95."""

from __future__ import annotations

from collections import Counter

from interviews.engine.bank import load_all_banks
from interviews.engine.grader import default_grader
from tests.interviews.engine_helpers import LABELLED, answer_of, read_jsonl, roc_auc

MIN_AUC = 0.95


def test_labelled_set_covers_domains_categories_and_weak_kinds():
    rows = read_jsonl(LABELLED)
    assert len(rows) >= 60
    assert set(Counter(r["domain"] for r in rows)) == {
        "ai_evaluation",
        "prompt_engineering",
        "machine_learning",
        "software_engineering",
    }
    assert set(Counter(r["category"] for r in rows)) == {"resume", "technical", "behavioral"}
    kinds = Counter(r["kind"] for r in rows if r["label"] == "weak")
    for kind in ("off_topic", "wrong", "buzzword", "generic", "hedgy", "rambling", "unanswered"):
        assert kinds[kind] >= 2, kind
    bank_texts = {q.text for q in load_all_banks()}
    assert sum(1 for r in rows if r["question"] not in bank_texts) >= 10


def test_roc_auc_on_labelled_answers_is_at_least_095():
    rows = read_jsonl(LABELLED)
    grader = default_grader()
    scores = [grader.grade(answer_of(r)).overall for r in rows]
    auc = roc_auc([r["label"] == "strong" for r in rows], scores)
    assert auc >= MIN_AUC, auc
