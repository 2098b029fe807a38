"""Partner-API fixtures: a key for organization A and one for the outsider B, a domain
with skills, projects of A, and matchable candidates (match profiles written directly)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from accounts.models import Membership
from api import services as api_services
from api.models import OrganizationAPIKey
from interviews.models import TIER_RANK, Domain, Skill, Tier
from marketplace import services as marketplace
from marketplace.models import Project
from matching.models import MatchProfile
from tests.factories import CandidateFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas and candidates get passwords; these tests are about keys, not passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def key_for(membership: Membership, name: str = "partner") -> tuple[OrganizationAPIKey, str]:
    with scope(organization=membership.organization):
        return api_services.api_key_create(actor=membership, name=name)


def client_with(raw_key: str | None) -> APIClient:
    client = APIClient()
    if raw_key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def key_a(owner_a) -> tuple[OrganizationAPIKey, str]:
    return key_for(owner_a)


@pytest.fixture
def key_b(member_b) -> tuple[OrganizationAPIKey, str]:
    return key_for(member_b)


@pytest.fixture
def api_a(key_a) -> APIClient:
    return client_with(key_a[1])


@pytest.fixture
def api_b(key_b) -> APIClient:
    return client_with(key_b[1])


@pytest.fixture
def domain(db) -> Domain:
    domain, _ = Domain.objects.get_or_create(
        slug="api-machine-learning", defaults={"name": "Machine learning (API tests)"}
    )
    return domain


@pytest.fixture
def skills(domain) -> dict[str, Skill]:
    out = {}
    for slug, name in [("api-pytorch", "PyTorch"), ("api-rlhf", "RLHF"), ("api-sql", "SQL")]:
        skill, _ = Skill.objects.get_or_create(slug=slug, defaults={"name": name})
        out[slug] = skill
    return out


def project_data(domain: Domain, **overrides) -> marketplace.ProjectInput:
    values = {
        "title": "Evaluate code models",
        "domain": domain,
        "rate_min": 50,
        "rate_max": 120,
        "hours_per_week": 20,
        "seats": 2,
    }
    values.update(overrides)
    return marketplace.ProjectInput(**values)


def make_project(
    membership: Membership, domain: Domain, skills: dict[str, Skill], *, publish: bool = True, **kw
) -> Project:
    requirements = [
        marketplace.RequirementInput(skill=skills["api-pytorch"], weight=5, must_have=True),
        marketplace.RequirementInput(skill=skills["api-rlhf"], weight=3),
    ]
    with scope(organization=membership.organization):
        project = marketplace.project_create(
            actor=membership, data=project_data(domain, **kw), requirements=requirements
        )
        if publish:
            project, _ = marketplace.project_publish(actor=membership, project=project)
    return project


@pytest.fixture
def project_a(owner_a, domain, skills) -> Project:
    return make_project(owner_a, domain, skills)


@pytest.fixture
def project_b(member_b, domain, skills) -> Project:
    return make_project(member_b, domain, skills, title="B's project")


def matchable_candidate(domain: Domain, skills: dict[str, Skill], n: int, *, tier=Tier.EXPERT):
    user = UserFactory(email=f"match{n}@candidates.test", first_name=f"Match{n}", last_name="Z")
    candidate = CandidateFactory(user=user, hourly_rate=60 + n, hours_per_week=30)
    now = timezone.now()
    MatchProfile.objects.create(
        candidate=candidate,
        domain=domain,
        tier=tier,
        tier_rank=TIER_RANK[tier],
        score=72.0 + n % 20,
        released_at=now - timedelta(days=n % 30 + 1),
        valid_until=now + timedelta(days=150),
        rate=candidate.hourly_rate,
        hours=30,
        available=True,
        skills=[skills["api-pytorch"].pk, skills["api-rlhf"].pk],
        shown_skills=[skills["api-pytorch"].pk] if n % 2 else [],
    )
    return candidate


@pytest.fixture
def candidates(domain, skills):
    return [matchable_candidate(domain, skills, n) for n in range(3)]


def offer_for(membership: Membership, project: Project, candidate):
    with scope(organization=membership.organization):
        return marketplace.offer_send(actor=membership, project=project, candidate=candidate)


@pytest.fixture
def offer_a(owner_a, project_a, candidates):
    return offer_for(owner_a, project_a, candidates[0])


@pytest.fixture
def offer_b(member_b, project_b, candidates):
    return offer_for(member_b, project_b, candidates[0])


def with_scopes_off(fn, *args, **kwargs):
    with scopes_disabled():
        return fn(*args, **kwargs)
