"""The shipped skill taxonomy: coverage, integrity and alias safety."""

from __future__ import annotations

from collections import defaultdict

import pytest

from interviews.engine.taxonomy import (
    DEFAULT_TAXONOMY_PATH,
    SKILL_KINDS,
    Taxonomy,
    default_taxonomy,
    tokenize,
)

DOMAINS = {"ai_evaluation", "prompt_engineering", "machine_learning", "software_engineering"}


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return default_taxonomy()


def test_has_at_least_260_skills_in_every_domain(tax: Taxonomy) -> None:
    assert len(tax) >= 260
    for domain in DOMAINS:
        assert len(tax.for_domain(domain)) >= 40, domain


def test_seed_slugs_are_kept(tax: Taxonomy) -> None:
    for slug in ("openai-api", "hf-transformers", "pytorch", "rlhf"):
        assert slug in tax


def test_every_entry_is_well_formed(tax: Taxonomy) -> None:
    for entry in tax:
        assert entry.kind in SKILL_KINDS, entry.slug
        assert entry.domains and set(entry.domains) <= DOMAINS, entry.slug
        for parent in entry.parents:
            assert parent in tax, f"{entry.slug}: unknown parent {parent}"
        assert entry.slug not in tax.ancestors(entry.slug), f"{entry.slug}: parent cycle"


def test_methods_and_tools_list_three_to_eight_lowercase_concepts(tax: Taxonomy) -> None:
    for entry in tax:
        if entry.kind in ("method", "tool"):
            assert 3 <= len(entry.concepts) <= 8, entry.slug
        for concept in entry.concepts:
            assert concept == concept.lower() and concept.strip() == concept, entry.slug
            assert 1 <= len(concept.split()) <= 6, (entry.slug, concept)


def test_no_surface_form_belongs_to_two_skills() -> None:
    import yaml

    rows = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))["skills"]
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        for form in [row["name"], *(row.get("aliases") or [])]:
            owners[tuple(tokenize(form))].add(row["slug"])
    assert not {form: slugs for form, slugs in owners.items() if len(slugs) > 1}
    assert () not in owners
    assert len({row["slug"] for row in rows}) == len(rows)


# Words that occur in ordinary resume prose; as aliases they would invent skills.
PROSE_WORDS = {
    "go",
    "r",
    "c",
    "ai",
    "ray",
    "lightning",
    "agents",
    "agent",
    "alignment",
    "model",
    "models",
    "data",
    "team",
    "projects",
    "project",
    "spring",
    "express",
    "swift",
    "julia",
    "stan",
    "solid",
    "node",
    "lambda",
    "boosting",
    "clip",
    "tasks",
    "testing",
    "evaluation",
    "cassandra",
    "gemma",
    "phoenix",
    "mocha",
    "dash",
    "zero",
    "scale",
    "calibration",
    "monitoring",
    "helped",
    "worked",
    "various",
    "responsible",
    "help",
    "support",
}


def test_no_alias_is_an_ordinary_word(tax: Taxonomy) -> None:
    for entry in tax:
        for form in entry.surface_forms:
            assert " ".join(tokenize(form)) not in PROSE_WORDS, (entry.slug, form)


@pytest.mark.parametrize(
    ("phrase", "slug"),
    [
        ("PyTorch", "pytorch"),
        ("TensorFlow", "tensorflow"),
        ("JAX", "jax"),
        ("scikit-learn", "sklearn"),
        ("sklearn", "sklearn"),
        ("LangChain", "langchain"),
        ("LlamaIndex", "llamaindex"),
        ("RLHF", "rlhf"),
        ("reinforcement learning from human feedback", "rlhf"),
        ("DPO", "dpo"),
        ("few-shot prompting", "few-shot"),
        ("chain-of-thought", "cot"),
        ("RAG", "rag"),
        ("retrieval-augmented generation", "rag"),
        ("vector databases", "vector-databases"),
        ("Label Studio", "label-studio"),
        ("Scale AI", "scale-ai"),
        ("inter-annotator agreement", "iaa"),
        ("Cohen's kappa", "cohens-kappa"),
        ("Cohen’s kappa", "cohens-kappa"),
        ("rubric design", "rubric-design"),
        ("red teaming", "red-teaming"),
        ("LLM-as-a-judge", "llm-as-judge"),
        ("BLEU", "bleu"),
        ("ROUGE", "rouge"),
        ("A/B testing", "ab-testing"),
        ("Python", "python"),
        ("SQL", "sql"),
        ("Docker", "docker"),
        ("Kubernetes", "kubernetes"),
        ("AWS", "aws"),
        ("GCP", "gcp"),
        ("Django", "django"),
        ("React", "react"),
        ("CI/CD", "ci-cd"),
        ("golang", "golang"),
        ("R language", "r-language"),
        ("Excel", "excel"),
    ],
)
def test_resume_vocabulary_resolves(tax: Taxonomy, phrase: str, slug: str) -> None:
    entry = tax.lookup(phrase)
    assert entry is not None and entry.slug == slug


def test_transformers_aliases_are_one_skill(tax: Taxonomy) -> None:
    for phrase in ("HF Transformers", "Hugging Face Transformers", "transformers"):
        assert tax.find_slugs(f"Fine-grained work with {phrase} daily") == ["hf-transformers"]


def test_gpt4_api_is_the_openai_api_and_gpt4_implies_it(tax: Taxonomy) -> None:
    assert tax.find_slugs("Built on the GPT-4 API") == ["openai-api"]
    assert tax.find_slugs("Prompted GPT-4 daily") == ["gpt-4"]
    assert "openai-api" in tax.ancestors("gpt-4")


def test_rlhf_concepts_are_what_a_correct_answer_mentions(tax: Taxonomy) -> None:
    concepts = set(tax.get("rlhf").concepts)
    assert {"human preference rankings", "reward model", "ppo"} <= concepts


def test_prose_names_no_skills(tax: Taxonomy) -> None:
    prose = (
        "We go to great lengths to help the team ship models and data for projects each "
        "Spring; Julia and Ray led the agents on various tasks with solid alignment."
    )
    assert tax.find(prose) == []


def test_pdf_ligatures_and_odd_hyphens_still_match(tax: Taxonomy) -> None:
    assert tax.find_slugs("ﬁne-tuning with GPT\u20114o") == ["fine-tuning", "gpt-4"]


def test_from_dicts_keeps_its_contract() -> None:
    small = Taxonomy.from_dicts(
        [
            {"slug": "a", "name": "Alpha Tool", "aliases": ["AT"], "domains": ["ai_evaluation"]},
            {"slug": "b", "name": "Beta", "parents": ["a"], "kind": "method"},
        ]
    )
    assert small.find_slugs("alpha-tool and beta, AT") == ["a", "b"]
    assert small.with_ancestors(["b"]) == {"a", "b"}
    with pytest.raises(ValueError):
        Taxonomy.from_dicts([{"slug": "x", "name": "X", "kind": "gadget"}])
