"""Factories for marketplace and matching tests (profiles, projects, offers, credentials)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from interviews.models import TIER_RANK, Tier
from tests.factories import CandidateFactory, OrganizationFactory


class MarketDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.Domain"
        django_get_or_create = ("slug",)

    slug = "machine_learning"
    name = "Machine learning"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.Skill"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class MatchProfileFactory(factory.django.DjangoModelFactory):
    """A profile as matching reads it: an Expert, released yesterday, valid 179 more days."""

    class Meta:
        model = "matching.MatchProfile"

    candidate = factory.SubFactory(CandidateFactory)
    domain = factory.SubFactory(MarketDomainFactory)
    tier = Tier.EXPERT
    tier_rank = factory.LazyAttribute(lambda o: TIER_RANK[Tier(o.tier)])
    score = 78.0
    released_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_until = factory.LazyAttribute(lambda o: o.released_at + timedelta(days=180))
    rate = 80
    hours = 30
    available = True
    skills = factory.LazyFunction(list)
    shown_skills = factory.LazyFunction(list)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Project"

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    domain = factory.SubFactory(MarketDomainFactory)
    rate_min = 50
    rate_max = 120
    hours_per_week = 20
    seats = 1
    status = "open"


class ProjectSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.ProjectSkill"

    project = factory.SubFactory(ProjectFactory)
    organization = factory.LazyAttribute(lambda o: o.project.organization)
    skill = factory.SubFactory(SkillFactory)
    weight = 3
    must_have = False


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Offer"

    project = factory.SubFactory(ProjectFactory)
    organization = factory.LazyAttribute(lambda o: o.project.organization)
    candidate = factory.SubFactory(CandidateFactory)
    status = "sent"


# --- the interview side, just enough to build a credential ---------------------------------


class MarketResumeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.Resume"

    candidate = factory.SubFactory(CandidateFactory)
    version = factory.Sequence(lambda n: n + 1)
    file = ""
    original_name = "resume.pdf"
    sha256 = "0" * 64
    size_bytes = 1000
    page_count = 1
    parsed = factory.LazyFunction(dict)
    is_current = True


class MarketAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.Attempt"

    candidate = factory.SubFactory(CandidateFactory)
    domain = factory.SubFactory(MarketDomainFactory)
    resume = factory.LazyAttribute(
        lambda o: MarketResumeFactory(candidate=o.candidate, is_current=False)
    )
    state = "released"
    finished_at = factory.LazyFunction(timezone.now)


class MarketCredentialFactory(factory.django.DjangoModelFactory):
    """A released, active credential."""

    class Meta:
        model = "interviews.Credential"

    attempt = factory.SubFactory(MarketAttemptFactory)
    candidate = factory.LazyAttribute(lambda o: o.attempt.candidate)
    domain = factory.LazyAttribute(lambda o: o.attempt.domain)
    tier = Tier.EXPERT
    score = 78.0
    status = "active"
    release_at = factory.LazyFunction(timezone.now)
    released_at = factory.LazyAttribute(lambda o: o.release_at)
    valid_until = factory.LazyAttribute(lambda o: o.released_at + timedelta(days=180))
