"""Load the catalog shipped in ``interviews/data/`` (domains, taxonomy) into the database.

Idempotent: rows are matched by slug and updated; staff edits to rows that are no
longer in the files are kept.
"""

from __future__ import annotations

from django.db import transaction

from interviews.engine.taxonomy import default_taxonomy
from interviews.models import BankQuestion, Domain, DomainPolicy, Skill

DEMO_DOMAINS = {
    "ai_evaluation": (
        "AI evaluation",
        "Designing evaluations, rubrics and annotation for AI systems.",
    ),
    "prompt_engineering": ("Prompt engineering", "Prompting, retrieval and tooling around LLMs."),
    "machine_learning": ("Machine learning", "Training, evaluating and shipping ML models."),
    "software_engineering": ("Software engineering", "Building and running production software."),
}


@transaction.atomic
def domains_sync() -> dict[str, Domain]:
    domains = {}
    for slug, (name, description) in DEMO_DOMAINS.items():
        domain, _ = Domain.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        DomainPolicy.objects.get_or_create(domain=domain)
        domains[slug] = domain
    return domains


@transaction.atomic
def taxonomy_sync() -> int:
    """Copy ``taxonomy.yaml`` into ``Skill`` rows; returns how many skills the file has."""
    taxonomy = default_taxonomy()
    domains = {d.slug: d for d in Domain.objects.all()}
    existing = {s.slug: s for s in Skill.objects.all()}
    for entry in taxonomy:
        fields = {
            "name": entry.name,
            "kind": entry.kind,
            "aliases": list(entry.aliases),
            "concepts": list(entry.concepts),
        }
        skill = existing.get(entry.slug)
        if skill is None:
            skill = existing[entry.slug] = Skill.objects.create(slug=entry.slug, **fields)
        elif any(getattr(skill, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(skill, k, v)
            skill.save(update_fields=list(fields))
        skill.domains.set([domains[d] for d in entry.domains if d in domains])
    for entry in taxonomy:
        existing[entry.slug].parents.set([existing[p] for p in entry.parents if p in existing])
    return len(taxonomy)


@transaction.atomic
def banks_sync() -> int:
    """Copy the shipped question banks into ``BankQuestion`` rows; returns the count."""
    from interviews.engine.bank import load_bank

    total = 0
    for slug, domain in domains_sync().items():
        try:
            questions = load_bank(slug)
        except FileNotFoundError:
            continue
        for q in questions:
            BankQuestion.objects.update_or_create(
                key=q.id,
                defaults={
                    "domain": domain,
                    "category": q.category,
                    "difficulty": q.difficulty,
                    "text": q.text,
                    "expected_concepts": list(q.expected_concepts),
                    "skills": list(q.skills),
                    "theme": q.theme or "",
                },
            )
            total += 1
    return total


def catalog_sync() -> None:
    domains_sync()
    taxonomy_sync()
    banks_sync()
