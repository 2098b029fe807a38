"""Matches from the database: eligibility, ranking, exactness of the pruned ranking, queries."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Candidate, User
from interviews.models import Tier
from matching import engine
from matching.models import MatchProfile
from matching.services import project_matches, rank_profiles
from tests.marketplace.factories import (
    MarketDomainFactory,
    MatchProfileFactory,
    ProjectFactory,
    ProjectSkillFactory,
    SkillFactory,
)
from tests.matching.test_engine import brute_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills():
    return [SkillFactory(slug=f"s{i}") for i in range(6)]


def project_with(skills, spec, **fields):
    with scopes_disabled():
        project = ProjectFactory(**fields)
        for index, weight, must in spec:
            ProjectSkillFactory(project=project, skill=skills[index], weight=weight, must_have=must)
    return project


def ids(skills, *indices):
    return [skills[i].pk for i in indices]


def test_verified_expert_with_must_haves_above_expert_missing_nice_to_have(skills):
    project = project_with(skills, [(0, 5, True), (1, 3, True), (2, 1, False)])
    expert = MatchProfileFactory(tier=Tier.EXPERT, score=80, skills=ids(skills, 0, 1))
    verified = MatchProfileFactory(
        tier=Tier.VERIFIED_EXPERT, score=88, skills=ids(skills, 0, 1, 2), shown_skills=[]
    )
    with scopes_disabled():
        matches = project_matches(project)
    assert [m.profile_id for m in matches] == [verified.pk, expert.pk]
    assert [s.name for s in matches[1].missing] == [skills[2].name]


def test_interview_shown_skill_above_resume_only(skills):
    project = project_with(skills, [(0, 3, False)])
    resume_only = MatchProfileFactory(skills=ids(skills, 0))
    shown = MatchProfileFactory(skills=ids(skills, 0), shown_skills=ids(skills, 0))
    with scopes_disabled():
        matches = project_matches(project)
    assert [m.profile_id for m in matches] == [shown.pk, resume_only.pk]
    assert matches[0].skills[0].shown == "interview"
    assert matches[1].skills[0].shown == "resume"


def test_ineligible_profiles_never_appear(skills):
    project = project_with(skills, [(0, 3, True), (1, 2, False)], rate_max=100, hours_per_week=20)
    good = MatchProfileFactory(skills=ids(skills, 0, 1))
    now = timezone.now()
    MatchProfileFactory(  # expired
        skills=ids(skills, 0, 1),
        released_at=now - timedelta(days=200),
        valid_until=now - timedelta(days=20),
    )
    MatchProfileFactory(tier=Tier.QUALIFIED, score=65, skills=ids(skills, 0, 1))
    MatchProfileFactory(rate=150, skills=ids(skills, 0, 1))  # over the rate
    MatchProfileFactory(hours=10, skills=ids(skills, 0, 1))  # too few hours
    MatchProfileFactory(available=False, skills=ids(skills, 0, 1))
    MatchProfileFactory(skills=ids(skills, 1))  # lacks the must-have
    MatchProfileFactory(skills=ids(skills, 0, 1), domain=MarketDomainFactory(slug="other"))
    with scopes_disabled():
        matches = project_matches(project)
    assert [m.profile_id for m in matches] == [good.pk]


def test_verified_expert_minimum_excludes_experts(skills):
    project = project_with(skills, [(0, 3, False)], minimum_tier=Tier.VERIFIED_EXPERT)
    MatchProfileFactory(tier=Tier.EXPERT, skills=ids(skills, 0))
    verified = MatchProfileFactory(tier=Tier.VERIFIED_EXPERT, score=90, skills=ids(skills, 0))
    with scopes_disabled():
        assert [m.profile_id for m in project_matches(project)] == [verified.pk]


def test_parent_skills_count_through_the_profile_ancestors(skills):
    """A profile's skill ids include ancestors: a PyTorch requirement is met by HF Transformers."""
    project = project_with(skills, [(0, 3, True)])
    # skills[0] plays the parent; refresh would add it next to the child skill.
    profile = MatchProfileFactory(skills=ids(skills, 0, 5))
    with scopes_disabled():
        assert [m.profile_id for m in project_matches(project)] == [profile.pk]


def make_random_profiles(skills, n: int, rng: random.Random) -> None:
    domain = MarketDomainFactory()
    # Bulk rows, no password hashing: thousands of candidates in a second.
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@example.test", password="!") for i in range(n)
    )
    candidates = Candidate.objects.bulk_create(Candidate(user=u) for u in users)
    now = timezone.now()
    rows = []
    for candidate in candidates:
        held = rng.sample(skills, rng.randint(0, len(skills)))
        released = now - timedelta(days=rng.uniform(0, 190))
        rows.append(
            MatchProfile(
                candidate=candidate,
                domain=domain,
                tier=rng.choice([Tier.QUALIFIED, Tier.EXPERT, Tier.VERIFIED_EXPERT]),
                tier_rank=0,
                score=rng.uniform(60, 100),
                released_at=released,
                valid_until=released + timedelta(days=180),
                rate=rng.choice([None, 40, 60, 80, 100, 140]),
                hours=rng.choice([None, 10, 20, 40]),
                available=rng.random() < 0.9,
                skills=[s.pk for s in held],
                shown_skills=[s.pk for s in held if rng.random() < 0.5],
            )
        )
    for r in rows:
        r.tier_rank = {"qualified": 1, "expert": 2, "verified_expert": 3}[r.tier]
    MatchProfile.objects.bulk_create(rows)


@pytest.mark.slow
def test_pruned_top_50_equals_brute_force_over_thousands_of_profiles():
    rng = random.Random(7)
    skills = [SkillFactory(slug=f"r{i}") for i in range(14)]
    make_random_profiles(skills, 2500, rng)
    now = timezone.now()
    for trial in range(6):
        chosen = rng.sample(range(len(skills)), rng.randint(2, 6))
        reqs = tuple(
            engine.Requirement(skills[i].pk, rng.randint(1, 5), rng.random() < 0.15 * (trial % 2))
            for i in chosen
        )
        spec = engine.ProjectSpec(reqs, min_tier_rank=2, rate_min=50, rate_max=110, hours=20)
        domain = MatchProfile.objects.first().domain_id
        ranking = rank_profiles(domain_id=domain, spec=spec, limit=50, now=now)
        got = [int(ranking.rows.ids[i]) for i in ranking.ranked.index]
        eligible = [
            (
                p.pk,
                p.tier_rank,
                p.score,
                p.released_at.timestamp(),
                p.valid_until.timestamp(),
                p.rate,
                p.hours,
                p.skills,
                p.shown_skills,
            )
            for p in MatchProfile.objects.all()
            if p.tier_rank >= 2
            and p.released_at <= now < p.valid_until
            and p.available
            and (p.rate is None or p.rate <= 110)
            and (p.hours is None or p.hours >= 20)
        ]
        expected = [pid for _, pid in brute_force(eligible, spec, now.timestamp())[:50]]
        assert got == expected, f"trial {trial}"


def test_match_query_count_does_not_grow_with_profiles(skills, django_assert_max_num_queries):
    project = project_with(skills, [(0, 3, False), (1, 2, False)])
    MatchProfileFactory.create_batch(3, skills=ids(skills, 0))
    with scopes_disabled(), CaptureQueriesContext(connection) as few:
        project_matches(project)
    MatchProfileFactory.create_batch(40, skills=ids(skills, 0, 1))
    with scopes_disabled(), CaptureQueriesContext(connection) as many:
        assert len(project_matches(project)) == 43
    assert len(many) <= len(few) + 1  # a pruning level more at most, never per profile
    assert len(many) <= 8
