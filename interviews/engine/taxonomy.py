"""The skill taxonomy: canonical skills, their aliases, parents and key concepts.

Shared by the resume parser, the interviewer, the grader and matching. Matching of
skills in free text is case and punctuation insensitive and prefers the longest alias
("Hugging Face Transformers" over "Transformers").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parent.parent / "data" / "taxonomy.yaml"

SKILL_KINDS = ("tool", "framework", "method", "platform", "language", "concept")

# Characters that carry meaning inside skill names (C++, C#, .NET, Node.js) survive;
# everything else separates tokens.
_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9+#]+)*|\.[a-z]+[a-z0-9]*")


def tokenize(text: str) -> list[str]:
    """Lower-case tokens of ``text`` with punctuation stripped ("Node.js," -> "node.js")."""
    # NFKC folds what PDFs emit into plain letters: the "ﬁ" ligature in "ﬁne-tuning",
    # full-width letters, non-breaking hyphens.
    text = unicodedata.normalize("NFKC", text)
    return _TOKEN_RE.findall(text.lower().replace("-", " ").replace("/", " "))


def normalize(text: str) -> str:
    return " ".join(tokenize(text))


@dataclass(frozen=True)
class SkillEntry:
    slug: str
    name: str
    kind: str = "tool"
    aliases: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class SkillMention:
    """One place where a skill was named in a text."""

    slug: str
    name: str
    matched: str  # the words as they appeared, normalised
    token_index: int


@dataclass
class Taxonomy:
    skills: dict[str, SkillEntry]
    _index: dict[tuple[str, ...], str] = field(init=False, repr=False)
    _max_len: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for entry in self.skills.values():
            for form in entry.surface_forms:
                key = tuple(tokenize(form))
                if key:
                    self._index.setdefault(key, entry.slug)
        self._max_len = max((len(k) for k in self._index), default=1)

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_entries(cls, entries: Iterable[SkillEntry]) -> Taxonomy:
        return cls(skills={e.slug: e for e in entries})

    @classmethod
    def from_dicts(cls, rows: Iterable[dict]) -> Taxonomy:
        return cls.from_entries(entry_from_dict(row) for row in rows)

    @classmethod
    def from_yaml(cls, path: Path | str = DEFAULT_TAXONOMY_PATH) -> Taxonomy:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        return cls.from_dicts(data["skills"])

    # -- lookups ------------------------------------------------------------------
    def __contains__(self, slug: object) -> bool:
        return slug in self.skills

    def __iter__(self) -> Iterator[SkillEntry]:
        return iter(self.skills.values())

    def __len__(self) -> int:
        return len(self.skills)

    def get(self, slug: str) -> SkillEntry:
        return self.skills[slug]

    def lookup(self, phrase: str) -> SkillEntry | None:
        """The skill whose name or alias is exactly ``phrase`` (normalised), if any."""
        slug = self._index.get(tuple(tokenize(phrase)))
        return self.skills[slug] if slug else None

    def ancestors(self, slug: str) -> set[str]:
        """Every parent, grandparent, … of a skill (not the skill itself)."""
        seen: set[str] = set()
        stack = list(self.skills[slug].parents) if slug in self.skills else []
        while stack:
            parent = stack.pop()
            if parent in seen or parent not in self.skills:
                continue
            seen.add(parent)
            stack.extend(self.skills[parent].parents)
        return seen

    def with_ancestors(self, slugs: Iterable[str]) -> set[str]:
        result: set[str] = set()
        for slug in slugs:
            result.add(slug)
            result |= self.ancestors(slug)
        return result

    def find(self, text: str) -> list[SkillMention]:
        """All skill mentions in ``text``, longest alias first, left to right."""
        tokens = tokenize(text)
        mentions: list[SkillMention] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._max_len, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + n])
                slug = self._index.get(key)
                if slug is not None:
                    entry = self.skills[slug]
                    mentions.append(SkillMention(slug, entry.name, " ".join(key), i))
                    i += n
                    break
            else:
                i += 1
        return mentions

    def find_slugs(self, text: str) -> list[str]:
        """Distinct skills named in ``text``, in order of first mention."""
        return list(dict.fromkeys(m.slug for m in self.find(text)))

    def for_domain(self, domain: str) -> list[SkillEntry]:
        return [e for e in self.skills.values() if domain in e.domains]


def entry_from_dict(row: dict) -> SkillEntry:
    kind = row.get("kind", "tool")
    if kind not in SKILL_KINDS:
        raise ValueError(f"skill {row.get('slug')!r}: unknown kind {kind!r}")
    return SkillEntry(
        slug=row["slug"],
        name=row["name"],
        kind=kind,
        aliases=tuple(row.get("aliases") or ()),
        parents=tuple(row.get("parents") or ()),
        domains=tuple(row.get("domains") or ()),
        concepts=tuple(row.get("concepts") or ()),
    )


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped in the repository (the database copy is loaded from it)."""
    return Taxonomy.from_yaml(DEFAULT_TAXONOMY_PATH)
