"""Question banks (one YAML file per domain) and resume-verification templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from interviews.engine.types import (
    CATEGORIES,
    DOMAINS,
    MAX_DIFFICULTY,
    MIN_DIFFICULTY,
    BankQuestion,
)

BANK_DIR = Path(__file__).resolve().parent.parent / "data" / "question_banks"
TEMPLATES_PATH = BANK_DIR / "templates.yaml"


@dataclass(frozen=True)
class QuestionTemplate:
    id: str
    category: str
    text: str  # with {title}, {employer}, {skill}, {project} placeholders
    needs: tuple[str, ...] = ()  # placeholders that must be filled
    difficulty: int = 2


def _question_from_dict(domain: str, row: dict) -> BankQuestion:
    qid = str(row["id"])
    category = row.get("category", "technical")
    if category not in CATEGORIES:
        raise ValueError(f"{qid}: unknown category {category!r}")
    difficulty = int(row.get("difficulty", 2))
    if not MIN_DIFFICULTY <= difficulty <= MAX_DIFFICULTY:
        raise ValueError(f"{qid}: difficulty {difficulty} out of range")
    return BankQuestion(
        id=qid,
        domain=domain,
        category=category,
        difficulty=difficulty,
        text=str(row["text"]).strip(),
        expected_concepts=tuple(str(c).lower() for c in row.get("expected_concepts") or ()),
        skills=tuple(row.get("skills") or ()),
        follow_up=row.get("follow_up"),
        theme=row.get("theme"),
    )


def load_bank_file(path: Path | str, domain: str | None = None) -> list[BankQuestion]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    dom = domain or data.get("domain") or Path(path).stem
    questions = [_question_from_dict(dom, row) for row in data.get("questions") or ()]
    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate question ids")
    return questions


@lru_cache(maxsize=16)
def _load_bank_cached(domain: str) -> tuple[BankQuestion, ...]:
    return tuple(load_bank_file(BANK_DIR / f"{domain}.yaml", domain))


def load_bank(domain: str) -> list[BankQuestion]:
    """The shipped bank of ``domain`` (cached; returns a fresh list)."""
    return list(_load_bank_cached(domain))


def load_all_banks() -> list[BankQuestion]:
    out: list[BankQuestion] = []
    for domain in DOMAINS:
        if (BANK_DIR / f"{domain}.yaml").exists():
            out.extend(load_bank(domain))
    return out


@lru_cache(maxsize=1)
def _load_templates_cached() -> tuple[QuestionTemplate, ...]:
    with open(TEMPLATES_PATH, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return tuple(
        QuestionTemplate(
            id=str(row["id"]),
            category=row.get("category", "resume"),
            text=str(row["text"]).strip(),
            needs=tuple(row.get("needs") or ()),
            difficulty=int(row.get("difficulty", 2)),
        )
        for row in data.get("templates") or ()
    )


def load_templates(category: str | None = None) -> list[QuestionTemplate]:
    return [t for t in _load_templates_cached() if category is None or t.category == category]


GLOSSARY_PATH = BANK_DIR / "glossary.yaml"


@lru_cache(maxsize=1)
def _load_glossary_cached() -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not GLOSSARY_PATH.exists():
        return ()
    with open(GLOSSARY_PATH, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return tuple(
        (str(term).lower(), tuple(str(c).lower() for c in concepts or ()))
        for term, concepts in (data.get("terms") or {}).items()
    )


def load_glossary() -> dict[str, tuple[str, ...]]:
    """Common terms and the concepts a correct explanation of each touches."""
    return dict(_load_glossary_cached())
