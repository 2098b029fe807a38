"""The per-process index against the database: current after every change, constant queries,
exact through patches, untorn under concurrent refreshes, never fed rolled-back data."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Candidate, User
from interviews.models import Tier
from matching import engine, services
from matching.models import MatchProfile
from matching.services import match_index_forget, project_matches, rank_profiles
from tests.marketplace.factories import (
    MarketDomainFactory,
    MatchProfileFactory,
    ProjectFactory,
    ProjectSkillFactory,
    SkillFactory,
)
from tests.matching.test_engine import brute_force
from tests.matching.test_matches import make_random_profiles


def more_random_profiles(skills, n: int, rng: random.Random, *, prefix: str) -> None:
    """Like make_random_profiles, with e-mails under ``prefix`` so a test can call it twice."""
    domain = MarketDomainFactory()
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.test", password="!") for i in range(n)
    )
    candidates = Candidate.objects.bulk_create(Candidate(user=u) for u in users)
    now = timezone.now()
    MatchProfile.objects.bulk_create(
        MatchProfile(
            candidate=candidate,
            domain=domain,
            tier=Tier.EXPERT,
            tier_rank=2,
            score=rng.uniform(70, 100),
            released_at=now - timedelta(days=1),
            valid_until=now + timedelta(days=100),
            rate=rng.choice([None, 60, 80]),
            hours=rng.choice([None, 20, 40]),
            skills=[s.pk for s in rng.sample(skills, rng.randint(0, len(skills)))],
        )
        for candidate in candidates
    )


@pytest.fixture(autouse=True)
def forget_indexes():
    match_index_forget()
    yield
    match_index_forget()


def spec_of(*requirements: tuple[int, int, bool], **fields) -> engine.ProjectSpec:
    reqs = tuple(engine.Requirement(s, w, m) for s, w, m in requirements)
    return engine.ProjectSpec(reqs, **{"rate_min": 50, "rate_max": 110, "hours": 20, **fields})


def ranked(domain_id: int, spec: engine.ProjectSpec) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        ranking = rank_profiles(domain_id=domain_id, spec=spec, limit=50)
    return [int(i) for i in ranking.rows.ids[ranking.ranked.index]], [q["sql"] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_the_next_ranking_with_one_small_query():
    python, rust = SkillFactory(slug="python"), SkillFactory(slug="rust")
    a = MatchProfileFactory(skills=[python.pk], score=95)
    b = MatchProfileFactory(skills=[python.pk], score=85)
    c = MatchProfileFactory(skills=[python.pk], score=75)
    domain = a.domain_id
    spec = spec_of((python.pk, 3, False), (rust.pk, 3, False))

    order, cold = ranked(domain, spec)
    assert order == [a.pk, b.pk, c.pk] and len(cold) == 2
    order, warm = ranked(domain, spec)
    assert order == [a.pk, b.pk, c.pk] and len(warm) == 1
    index = services._domain_entry(domain).snapshot
    assert index is not None

    def after(change) -> list[int]:
        before = services._domain_entry(domain).snapshot
        assert before is not None
        change()
        order, queries = ranked(domain, spec)
        assert len(queries) == 2, queries  # the version row, then the changed rows only
        assert "seq >" in queries[1]
        now = services._domain_entry(domain).snapshot
        assert now is not None and now.n == before.n + 1  # one row fetched, one slot added
        return order

    # A tier expires: gone from the matches.
    expired = timezone.now() - timedelta(days=1)
    assert after(lambda: MatchProfile.objects.filter(pk=a.pk).update(valid_until=expired)) == [
        b.pk,
        c.pk,
    ]
    # A new resume skill: c now has both and leads.
    assert after(
        lambda: MatchProfile.objects.filter(pk=c.pk).update(skills=[python.pk, rust.pk])
    ) == [c.pk, b.pk]
    # A rate over the project's range: b drops out.
    assert after(lambda: MatchProfile.objects.filter(pk=b.pk).update(rate=150)) == [c.pk]
    # A deletion (a tombstone, not a row): nothing left.
    _, queries_before = ranked(domain, spec)
    assert len(queries_before) == 1
    MatchProfile.objects.filter(pk=c.pk).delete()
    order, queries = ranked(domain, spec)
    assert order == [] and len(queries) == 2


def test_query_count_is_the_same_for_50_and_2000_profiles(db):
    skills = [SkillFactory(slug=f"q{i}") for i in range(6)]
    with scopes_disabled():
        project = ProjectFactory()
        for skill, weight in zip(skills[:3], (5, 3, 1), strict=True):
            ProjectSkillFactory(project=project, skill=skill, weight=weight)
    rng = random.Random(3)
    more_random_profiles(skills, 50, rng, prefix="few")
    with scopes_disabled(), CaptureQueriesContext(connection) as few:
        project_matches(project)
    more_random_profiles(skills, 1950, rng, prefix="many")
    assert MatchProfile.objects.count() == 2000
    with scopes_disabled(), CaptureQueriesContext(connection) as many:
        matches = project_matches(project)
    assert len(matches) == 50
    assert len(many) == len(few)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_top_50_through_the_patched_index_equals_brute_force():
    rng = random.Random(11)
    skills = [SkillFactory(slug=f"b{i}") for i in range(14)]
    make_random_profiles(skills, 3000, rng)
    domain = MatchProfile.objects.first().domain_id
    ids = list(MatchProfile.objects.values_list("pk", flat=True))
    now = timezone.now()
    for trial in range(5):
        if trial:  # change, add and delete profiles between rankings
            for pk in rng.sample(ids, 40):
                held = rng.sample(skills, rng.randint(0, 8))
                MatchProfile.objects.filter(pk=pk).update(
                    skills=[s.pk for s in held],
                    shown_skills=[s.pk for s in held if rng.random() < 0.5],
                    rate=rng.choice([None, 60, 100, 140]),
                )
            gone = rng.sample(ids, 20)
            MatchProfile.objects.filter(pk__in=gone).delete()
            ids = [i for i in ids if i not in gone]
        chosen = rng.sample(range(len(skills)), rng.randint(2, 6))
        spec = spec_of(
            *((skills[i].pk, rng.randint(1, 5), rng.random() < 0.1 * (trial % 2)) for i in chosen)
        )
        got, queries = ranked(domain, spec)
        assert len(queries) == 2
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
        ranking = rank_profiles(domain_id=domain, spec=spec, limit=50, now=now)
        got = [int(i) for i in ranking.rows.ids[ranking.ranked.index]]
        expected = [pid for _, pid in brute_force(eligible, spec, now.timestamp())[:50]]
        assert got == expected, f"trial {trial}"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_changes_never_reach_the_shared_index():
    skill = SkillFactory(slug="go")
    a = MatchProfileFactory(skills=[skill.pk], score=95)
    b = MatchProfileFactory(skills=[skill.pk], score=75)
    spec = spec_of((skill.pk, 3, False))
    assert ranked(a.domain_id, spec)[0] == [a.pk, b.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        MatchProfile.objects.filter(pk=b.pk).update(score=99)
        # Inside the writing transaction the ranking sees its own change...
        assert ranked(a.domain_id, spec)[0] == [b.pk, a.pk]
        raise RuntimeError("roll back")
    # ...and afterwards the shared index is still the committed one, and current.
    order, queries = ranked(a.domain_id, spec)
    assert order == [a.pk, b.pk] and len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_rankings_never_see_a_torn_index_while_profiles_change():
    """Two threads rank while a third moves a skill from one profile to another, one
    transaction per move: every ranking sees exactly one holder and every profile once."""
    token, common = SkillFactory(slug="token"), SkillFactory(slug="common")
    profiles = [MatchProfileFactory(skills=[common.pk]) for _ in range(30)]
    MatchProfile.objects.filter(pk=profiles[0].pk).update(skills=[common.pk, token.pk])
    domain = profiles[0].domain_id
    must = spec_of((token.pk, 3, True))
    everyone = spec_of((common.pk, 3, False))
    rank_profiles(domain_id=domain, spec=must, limit=50)  # the shared index exists
    stop = threading.Event()
    errors: list[str] = []
    rankings = [0, 0]

    def mover() -> None:
        try:
            rng = random.Random(1)
            holder = profiles[0].pk
            for _ in range(60):
                nxt = rng.choice([p.pk for p in profiles if p.pk != holder])
                with transaction.atomic():
                    MatchProfile.objects.filter(pk=holder).update(skills=[common.pk])
                    MatchProfile.objects.filter(pk=nxt).update(skills=[common.pk, token.pk])
                holder = nxt
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))
        finally:
            stop.set()
            connections.close_all()

    def ranker(slot: int) -> None:
        try:
            deadline = time.monotonic() + 60
            while not stop.is_set() and time.monotonic() < deadline:
                holders = rank_profiles(domain_id=domain, spec=must, limit=50)
                if len(holders.ranked.index) != 1:
                    errors.append(f"{len(holders.ranked.index)} holders")
                all_ = rank_profiles(domain_id=domain, spec=everyone, limit=50)
                seen = [int(i) for i in all_.rows.ids[all_.ranked.index]]
                if sorted(seen) != sorted(p.pk for p in profiles):
                    errors.append(f"{len(seen)} profiles, {len(set(seen))} distinct")
                rankings[slot] += 1
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ranker, args=(i,)) for i in range(2)]
    threads.append(threading.Thread(target=mover))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:5]
    assert min(rankings) > 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite trigger's column list")
def test_sqlite_update_trigger_watches_every_profile_column(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            ["matching_profile_update"],
        )
        (sql,) = cursor.fetchone()
    watched = sql.split(" OF ", 1)[1].split(" ON ", 1)[0]
    columns = {f.column for f in MatchProfile._meta.concrete_fields} - {"id", "seq"}
    assert {c.strip() for c in watched.split(",")} == columns


def test_profiles_of_other_domains_do_not_leak_into_the_index(db):
    skill = SkillFactory(slug="ml")
    here = MatchProfileFactory(skills=[skill.pk])
    MatchProfileFactory(skills=[skill.pk], domain=MarketDomainFactory(slug="elsewhere"))
    order, _ = ranked(here.domain_id, spec_of((skill.pk, 1, False)))
    assert order == [here.pk]


@pytest.mark.django_db(transaction=True)
def test_pruned_tombstones_make_stale_indexes_rebuild_and_keep_recent_ones():
    from matching.models import MatchIndexVersion, MatchProfileTombstone

    python = SkillFactory(slug="python")
    keep = MatchProfileFactory(skills=[python.pk], score=90)
    gone = MatchProfileFactory(skills=[python.pk], score=80, domain=keep.domain)
    late = MatchProfileFactory(skills=[python.pk], score=70, domain=keep.domain)
    domain = keep.domain_id
    spec = spec_of((python.pk, 3, False))
    assert ranked(domain, spec)[0] == [keep.pk, gone.pk, late.pk]  # a cached index at seq S
    stale = services._domain_entry(domain).snapshot
    assert stale is not None

    MatchProfile.objects.filter(pk=gone.pk).delete()
    for score in (91, 92, 93):  # later changes, so the deletion is "old"
        MatchProfile.objects.filter(pk=keep.pk).update(score=score)
    MatchProfile.objects.filter(pk=late.pk).delete()
    assert MatchProfileTombstone.objects.filter(domain_id=domain).count() == 2

    # Pruning runs over every domain; earlier transactional tests' flushes can leave other
    # domains' tombstones behind (the delete trigger fires), so count this domain's only.
    assert services.tombstones_prune(keep_changes=2) >= 1  # the deletion before the cut
    assert list(
        MatchProfileTombstone.objects.filter(domain_id=domain).values_list("profile_id", flat=True)
    ) == [late.pk]
    version = MatchIndexVersion.objects.get(domain_id=domain)
    assert version.floor == version.seq - 2
    assert stale.seq < version.floor

    # The index cached before the cut cannot see the pruned deletion: it rebuilds instead.
    order, _ = ranked(domain, spec)
    assert order == [keep.pk]
    assert services.tombstones_prune(keep_changes=2) == 0  # running again changes nothing
