"""Demo data for the marketplace: candidates in every tier, Acme's projects, offers in every state.

Idempotent: rows are found by natural keys (e-mail, title, project and candidate) and
left alone when they exist. Interview rows are built directly through the models, as the
result of interviews that never ran.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.demo import DemoLogin, demo_candidate
from accounts.models import Candidate, Membership, Organization, Role
from accounts.tenancy import scope, scopes_disabled
from interviews.catalog import catalog_sync
from interviews.models import (
    Answer,
    AnswerStatus,
    Attempt,
    AttemptState,
    Credential,
    CredentialStatus,
    Domain,
    Question,
    Resume,
    Score,
    Skill,
    Tier,
)
from marketplace.models import Offer, OfferSource, OfferStatus, Project, ProjectSkill
from matching.services import match_profile_refresh

# (e-mail, first, last, headline, rate, hours, domain, tier, score, days since release,
#  resume skills, skills named in interview answers)
CANDIDATES = [
    (
        "alex@candidates.test",
        "Alex",
        "Rivera",
        "ML engineer",
        95,
        30,
        "machine_learning",
        Tier.VERIFIED_EXPERT,
        91.0,
        12,
        ["pytorch", "hf-transformers", "python", "rlhf"],
        ["pytorch", "rlhf"],
    ),
    (
        "bea@candidates.test",
        "Bea",
        "Okafor",
        "AI evaluation specialist",
        70,
        20,
        "ai_evaluation",
        Tier.EXPERT,
        82.0,
        30,
        ["llm-evaluation", "rubric-design", "python", "iaa"],
        ["llm-evaluation", "rubric-design"],
    ),
    (
        "chen@candidates.test",
        "Chen",
        "Li",
        "Prompt engineer",
        60,
        40,
        "ai_evaluation",
        Tier.VERIFIED_EXPERT,
        88.0,
        5,
        ["llm-as-judge", "rubric-design", "openai-api", "llm-evaluation"],
        ["llm-as-judge", "llm-evaluation", "rubric-design"],
    ),
    (
        "dana@candidates.test",
        "Dana",
        "Kowalski",
        "Annotation lead",
        55,
        30,
        "ai_evaluation",
        Tier.EXPERT,
        74.0,
        60,
        [
            "human-evaluation",
            "annotation-guidelines",
            "rater-calibration",
            "python",
            "llm-evaluation",
        ],
        ["annotation-guidelines"],
    ),
    (
        "hana@candidates.test",
        "Hana",
        "Sato",
        "Evaluation scientist",
        110,
        25,
        "ai_evaluation",
        Tier.VERIFIED_EXPERT,
        93.0,
        2,
        [
            "llm-evaluation",
            "rubric-design",
            "iaa",
            "llm-as-judge",
            "python",
            "statistics",
            "human-evaluation",
        ],
        ["llm-evaluation", "iaa", "statistics", "human-evaluation"],
    ),
    (
        "ivan@candidates.test",
        "Ivan",
        "Petrov",
        "Data quality analyst",
        65,
        20,
        "ai_evaluation",
        Tier.EXPERT,
        77.0,
        90,
        ["rubric-design", "llm-evaluation", "statistics", "rater-calibration", "human-evaluation"],
        ["statistics"],
    ),
    (
        "eli@candidates.test",
        "Eli",
        "Brown",
        "Junior annotator",
        40,
        40,
        "ai_evaluation",
        Tier.QUALIFIED,
        63.0,
        20,
        ["human-evaluation", "python"],
        [],
    ),
    (
        "fatima@candidates.test",
        "Fatima",
        "Haddad",
        "Career changer",
        45,
        20,
        "ai_evaluation",
        Tier.DECLINED,
        41.0,
        20,
        ["excel"],
        [],
    ),
    (
        "gus@candidates.test",
        "Gus",
        "Meyer",
        "Evaluation consultant (tier expired)",
        80,
        30,
        "ai_evaluation",
        Tier.EXPERT,
        79.0,
        200,
        ["llm-evaluation", "rubric-design", "python"],
        ["llm-evaluation"],
    ),
]

PROJECTS: list[dict[str, Any]] = [
    {
        "title": "LLM evaluation rubric lead",
        "domain": "ai_evaluation",
        "description": "Design and run the rubrics our raters use to grade a chat assistant, "
        "and keep inter-annotator agreement high.",
        "rate_min": 55,
        "rate_max": 120,
        "hours_per_week": 20,
        "seats": 2,
        "status": "open",
        "instant_offers": False,
        "skills": [
            ("llm-evaluation", 5, True),
            ("rubric-design", 4, False),
            ("iaa", 2, False),
            ("python", 2, False),
        ],
    },
    {
        "title": "Human preference data QA",
        "domain": "ai_evaluation",
        "description": "Review preference annotations and calibrate a team of twelve raters.",
        "rate_min": 45,
        "rate_max": 90,
        "hours_per_week": 20,
        "seats": 1,
        "status": "open",
        "instant_offers": True,
        "skills": [
            ("human-evaluation", 4, False),
            ("annotation-guidelines", 3, False),
            ("rater-calibration", 3, False),
        ],
    },
    {
        "title": "PyTorch fine-tuning engineer",
        "domain": "machine_learning",
        "description": "Fine-tune open models with RLHF for a customer-support assistant.",
        "rate_min": 80,
        "rate_max": 140,
        "hours_per_week": 25,
        "seats": 1,
        "status": "draft",
        "instant_offers": False,
        "skills": [("pytorch", 5, True), ("hf-transformers", 4, False), ("rlhf", 3, False)],
    },
    {
        "title": "Pilot: search relevance ratings",
        "domain": "ai_evaluation",
        "description": "A two-week pilot, finished.",
        "rate_min": 40,
        "rate_max": 80,
        "hours_per_week": 10,
        "seats": 1,
        "status": "closed",
        "instant_offers": False,
        "skills": [("human-evaluation", 3, False)],
    },
]

# (project title, candidate e-mail, status, days ago sent)
OFFERS = [
    ("LLM evaluation rubric lead", "bea@candidates.test", OfferStatus.ACCEPTED, 6),
    ("LLM evaluation rubric lead", "chen@candidates.test", OfferStatus.SENT, 1),
    ("LLM evaluation rubric lead", "dana@candidates.test", OfferStatus.DECLINED, 4),
    ("LLM evaluation rubric lead", "ivan@candidates.test", OfferStatus.EXPIRED, 10),
    ("Pilot: search relevance ratings", "hana@candidates.test", OfferStatus.WITHDRAWN, 20),
]


def _credential(candidate: Candidate, row: tuple, domains: dict[str, Domain]) -> None:
    *_, domain_slug, tier, score, days, resume_skills, shown = row
    domain = domains[domain_slug]
    resume = Resume.objects.filter(candidate=candidate, is_current=True).first()
    if resume is None:
        resume = Resume.objects.create(
            candidate=candidate,
            version=1,
            file="",
            original_name="resume.pdf",
            sha256="0" * 64,
            size_bytes=0,
            page_count=1,
            parsed={"skills": [{"slug": s, "name": s} for s in resume_skills]},
            parser_version="demo",
        )
    if Credential.objects.filter(candidate=candidate, domain=domain).exists():
        return
    now = timezone.now()
    released = now - timedelta(days=days)
    expired = days >= 180
    attempt = Attempt.objects.create(
        candidate=candidate,
        domain=domain,
        resume=resume,
        state=AttemptState.RELEASED,
        created_at=released - timedelta(minutes=25),
        started_at=released - timedelta(minutes=22),
        finished_at=released - timedelta(minutes=2),
        score=score,
        tier=tier,
        max_difficulty=4 if tier == Tier.VERIFIED_EXPERT else 3,
    )
    for position, slug in enumerate(shown, start=1):
        question = Question.objects.create(
            attempt=attempt,
            position=position,
            key=f"demo-{slug}",
            category="technical",
            difficulty=3,
            text=f"How have you used {slug.replace('-', ' ')} in your work?",
            skills=[slug],
        )
        name = Skill.objects.filter(slug=slug).values_list("name", flat=True).first() or slug
        answer = Answer.objects.create(
            question=question,
            status=AnswerStatus.SCORED,
            typed=True,
            transcript=f"In my last role I used {name} every week; for example I ran it on "
            "two thousand conversations and cut disagreement by a third.",
            duration_s=70.0,
        )
        Score.objects.create(
            answer=answer,
            fluency=score,
            technical_accuracy=score,
            coherence=score,
            conciseness=score,
            overall=score,
            rubric_version="demo",
        )
    Credential.objects.create(
        candidate=candidate,
        domain=domain,
        attempt=attempt,
        tier=tier,
        score=score,
        status=CredentialStatus.EXPIRED if expired else CredentialStatus.ACTIVE,
        release_at=released,
        released_at=released,
        valid_until=released + timedelta(days=180),
    )


def seed() -> list[DemoLogin]:
    if not Skill.objects.exists():
        catalog_sync()
    domains = {d.slug: d for d in Domain.objects.all()}
    candidates: dict[str, Candidate] = {}
    for row in CANDIDATES:
        email, first, last, headline, rate, hours = row[:6]
        candidate = demo_candidate(
            email, first, last, headline=headline, hourly_rate=rate, hours_per_week=hours
        )
        candidates[email] = candidate
        _credential(candidate, row, domains)
        match_profile_refresh(candidate_id=candidate.pk)

    organization = Organization.objects.get(slug="acme")
    # Demo data builds one tenant's rows from outside any request.
    with scopes_disabled():
        owner = Membership.objects.filter(organization=organization, role=Role.OWNER).first()
    with scope(organization=organization):
        projects = {}
        now = timezone.now()
        for spec in PROJECTS:
            project = Project.objects.filter(title=spec["title"]).first()
            if project is None:
                project = Project.objects.create(
                    organization=organization,
                    created_by=owner.user if owner else None,
                    domain=domains[spec["domain"]],
                    published_at=now - timedelta(days=21) if spec["status"] != "draft" else None,
                    **{k: v for k, v in spec.items() if k not in ("skills", "domain")},
                )
                for slug, weight, must in spec["skills"]:
                    skill = Skill.objects.filter(slug=slug).first()
                    if skill is not None:
                        ProjectSkill.objects.create(
                            organization=organization,
                            project=project,
                            skill=skill,
                            weight=weight,
                            must_have=must,
                        )
            projects[spec["title"]] = project
        for title, email, status, days in OFFERS:
            sent = now - timedelta(days=days)
            Offer.objects.get_or_create(
                project=projects[title],
                candidate=candidates[email],
                defaults={
                    "organization": organization,
                    "status": status,
                    "source": OfferSource.MANUAL,
                    "sent_by": owner.user if owner else None,
                    "sent_at": sent,
                    "expires_at": sent + timedelta(days=7),
                    "responded_at": None
                    if status == OfferStatus.SENT
                    else min(sent + timedelta(days=2), now),
                },
            )
    # Instant offers of the open project that has them on: its top matches, right now.
    from marketplace.services import instant_offers_for_project

    instant_offers_for_project(project_id=projects["Human preference data QA"].pk)
    return [
        DemoLogin(
            row[0],
            f"candidate, {Tier(row[7]).label} in {domains[row[6]].name}"
            + (" (expired)" if row[9] >= 180 else ""),
        )
        for row in CANDIDATES
    ]
