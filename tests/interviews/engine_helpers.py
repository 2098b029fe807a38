"""Shared helpers for the engine tests: labelled answers and small taxonomies."""

from __future__ import annotations

import json
from pathlib import Path

from interviews.engine.taxonomy import Taxonomy
from interviews.engine.types import AnswerInput

DATA = Path(__file__).resolve().parent / "data"
LABELLED = DATA / "labelled_answers.jsonl"
# A copy of ../shared/samples/answers.jsonl, so a clone without shared/ still runs the suite.
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples" / "answers.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def answer_of(row: dict, **overrides) -> AnswerInput:
    fields = {
        "question": row["question"],
        "category": row["category"],
        "transcript": row["transcript"],
        "duration_s": float(row.get("duration_s") or 0),
        "domain": row.get("domain", ""),
    }
    fields.update(overrides)
    return AnswerInput(**fields)


def roc_auc(labels: list[bool], scores: list[float]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def small_taxonomy() -> Taxonomy:
    return Taxonomy.from_dicts(
        [
            {
                "slug": "pytorch",
                "name": "PyTorch",
                "kind": "framework",
                "aliases": ["torch"],
                "domains": ["machine_learning"],
                "concepts": ["tensor", "autograd", "gradient", "optimizer", "training loop"],
            },
            {
                "slug": "langchain",
                "name": "LangChain",
                "kind": "framework",
                "domains": ["prompt_engineering"],
                "concepts": ["chains", "retrievers", "agents", "abstraction overhead"],
            },
            {
                "slug": "rlhf",
                "name": "RLHF",
                "kind": "method",
                "aliases": ["reinforcement learning from human feedback"],
                "domains": ["machine_learning"],
                "concepts": ["reward model", "human preference rankings", "ppo"],
            },
            {
                "slug": "lightgbm",
                "name": "LightGBM",
                "kind": "framework",
                "domains": ["machine_learning"],
                "concepts": ["gradient boosting", "trees", "leaf-wise growth"],
            },
            {
                "slug": "machine-learning",
                "name": "Machine learning",
                "kind": "concept",
                "domains": ["machine_learning"],
            },
        ]
    )
