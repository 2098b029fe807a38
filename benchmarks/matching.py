"""Matching benchmark: rank a project's top 50 over N synthetic profiles.

    DATABASE_URL=postgres://… python benchmarks/matching.py --profiles 100000

Generates N profiles in the configured database (a domain of its own, "bench-matching",
and candidates ``bench-<n>@bench.invalid``; re-runs top up to N), about 85 % of them
eligible for the benchmark project and the rest not (expired, Qualified, over the rate
range, too few hours, unavailable). Skills follow a Zipf-like popularity over 300 skills,
5–15 per profile, about 40 % of them shown in interview answers.

Prints the median and p95 wall time of ``matching.services.rank_profiles`` (the exact top
50, with explanations, over the domain's in-memory index, including the query that checks
it is current) and its SQL query count, then the same for a bare SQL top 50 by weighted
skill overlap on the same rows, and the ratio; also the cold build of the index (first
ranking in a process) and the ranking right after one profile changed. The last line is
JSON. On PostgreSQL the profiles are generated with generate_series and COPY.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Candidate, User  # noqa: E402
from interviews.models import Domain, Skill  # noqa: E402
from matching import engine  # noqa: E402
from matching.models import MatchProfile  # noqa: E402
from matching.services import match_index_forget, rank_profiles  # noqa: E402

DOMAIN = "bench-matching"
N_SKILLS = 300
BATCH = 20_000


def skills() -> list[int]:
    existing = list(
        Skill.objects.filter(slug__startswith="bench-skill-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(existing) < N_SKILLS:
        Skill.objects.bulk_create(
            Skill(slug=f"bench-skill-{i}", name=f"Bench skill {i}")
            for i in range(len(existing), N_SKILLS)
        )
        existing = list(
            Skill.objects.filter(slug__startswith="bench-skill-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return existing


def generate(n: int, skill_ids: list[int], seed: int = 1) -> float:
    domain, _ = Domain.objects.get_or_create(slug=DOMAIN, defaults={"name": "Benchmark"})
    have = MatchProfile.objects.filter(domain=domain).count()
    if have >= n:
        return 0.0
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        generate_postgres(n, have, domain.pk, skill_ids, seed)
        return time.perf_counter() - started
    rng = np.random.default_rng(seed + have)
    popularity = 1.0 / np.arange(1, N_SKILLS + 1) ** 0.8
    popularity /= popularity.sum()
    ids = np.asarray(skill_ids)
    now = timezone.now()
    for start in range(have, n, BATCH):
        size = min(BATCH, n - start)
        users = User.objects.bulk_create(
            User(email=f"bench-{start + i}@bench.invalid", password="!") for i in range(size)
        )
        candidates = Candidate.objects.bulk_create(Candidate(user=u) for u in users)
        kind = rng.random(size)
        tier_rank = np.where(rng.random(size) < 0.3, 3, 2)
        tier_rank[kind < 0.04] = 1  # Qualified
        age = rng.uniform(0, 175, size)
        age[(kind >= 0.04) & (kind < 0.08)] = rng.uniform(181, 300)  # expired
        rate = rng.integers(40, 120, size)
        rate[(kind >= 0.08) & (kind < 0.11)] = 200  # over the range
        hours = rng.choice([20, 25, 30, 40], size)
        hours[(kind >= 0.11) & (kind < 0.13)] = 5  # too few hours
        available = ~((kind >= 0.13) & (kind < 0.15))
        score = np.where(tier_rank == 3, rng.uniform(85, 100, size), rng.uniform(70, 85, size))
        score[tier_rank == 1] = rng.uniform(50, 70, (tier_rank == 1).sum())
        counts = rng.integers(5, 16, size)
        rows = []
        for i, candidate in enumerate(candidates):
            held = np.unique(rng.choice(ids, counts[i], p=popularity))
            shown = held[rng.random(len(held)) < 0.4]
            released = now - timedelta(days=float(age[i]))
            rows.append(
                MatchProfile(
                    candidate=candidate,
                    domain=domain,
                    tier=("qualified", "expert", "verified_expert")[tier_rank[i] - 1],
                    tier_rank=int(tier_rank[i]),
                    score=float(score[i]),
                    released_at=released,
                    valid_until=released + timedelta(days=180),
                    rate=int(rate[i]),
                    hours=int(hours[i]),
                    available=bool(available[i]),
                    skills=held.tolist(),
                    shown_skills=shown.tolist(),
                )
            )
        with transaction.atomic():
            MatchProfile.objects.bulk_create(rows, batch_size=5000)
        print(f"  generated {start + size:,} / {n:,}", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE matching_matchprofile")
    return time.perf_counter() - started


def generate_postgres(n: int, have: int, domain_id: int, skill_ids: list[int], seed: int) -> None:
    """Users and candidates by generate_series, profiles by COPY (numbered as one change)."""
    rng = np.random.default_rng(seed + have)
    size = n - have
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff,"
            " is_active, date_joined, email) SELECT '!', false, '', '', false, true, now(),"
            " 'bench-' || i || '@bench.invalid' FROM generate_series(%s, %s) i",
            [have, n - 1],
        )
        cursor.execute(
            "INSERT INTO accounts_candidate (headline, available, created_at, user_id)"
            " SELECT '', true, now(), u.id FROM accounts_user u"
            " WHERE u.email LIKE 'bench-%%@bench.invalid' AND NOT EXISTS"
            " (SELECT 1 FROM accounts_candidate c WHERE c.user_id = u.id) ORDER BY u.id"
            " RETURNING id"
        )
        candidates = np.asarray([r[0] for r in cursor.fetchall()], dtype=np.int64)
        assert len(candidates) == size, (len(candidates), size)
        # One change number for the whole load: the per-row triggers are bypassed (a million
        # updates of one version row in one transaction would crawl), their work done here.
        cursor.execute(
            "INSERT INTO matching_matchindexversion AS v (domain_id, seq, token, floor)"
            " VALUES (%s, 1, floor(random() * 9.0e18)::bigint, 0) ON CONFLICT (domain_id)"
            " DO UPDATE SET seq = v.seq + 1 RETURNING seq",
            [domain_id],
        )
        seq = cursor.fetchone()[0]
        cursor.execute("SET LOCAL session_replication_role = replica")
        kind = rng.random(size)
        tier_rank = np.where(rng.random(size) < 0.3, 3, 2)
        tier_rank[kind < 0.04] = 1
        age = rng.uniform(0, 175, size)
        expired = (kind >= 0.04) & (kind < 0.08)
        age[expired] = rng.uniform(181, 300, expired.sum())
        rate = rng.integers(40, 120, size)
        rate[(kind >= 0.08) & (kind < 0.11)] = 200
        hours = rng.choice([20, 25, 30, 40], size)
        hours[(kind >= 0.11) & (kind < 0.13)] = 5
        available = ~((kind >= 0.13) & (kind < 0.15))
        score = np.where(tier_rank == 3, rng.uniform(85, 100, size), rng.uniform(70, 85, size))
        score[tier_rank == 1] = rng.uniform(50, 70, (tier_rank == 1).sum())
        popularity = 1.0 / np.arange(1, N_SKILLS + 1) ** 0.8
        popularity /= popularity.sum()
        counts = rng.integers(5, 16, size)
        row = np.repeat(np.arange(size), counts)
        drawn = np.asarray(skill_ids)[rng.choice(N_SKILLS, counts.sum(), p=popularity)]
        order = np.lexsort((drawn, row))
        row, drawn = row[order], drawn[order]
        first = np.r_[True, (row[1:] != row[:-1]) | (drawn[1:] != drawn[:-1])]
        row, drawn = row[first], drawn[first]
        shown = rng.random(len(drawn)) < 0.4
        bounds = np.searchsorted(row, np.arange(size + 1))
        now = timezone.now()
        released = [now - timedelta(days=float(a)) for a in age]
        tiers = ("qualified", "expert", "verified_expert")
        columns = (
            "candidate_id, domain_id, tier, tier_rank, score, released_at, valid_until, rate,"
            " hours, available, skills, shown_skills, updated_at, seq"
        )
        with cursor.cursor.copy(f"COPY matching_matchprofile ({columns}) FROM STDIN") as copy:
            lines = []
            for i in range(size):
                a, b = bounds[i], bounds[i + 1]
                held = drawn[a:b]
                lines.append(
                    f"{candidates[i]}\t{domain_id}\t{tiers[tier_rank[i] - 1]}\t{tier_rank[i]}\t"
                    f"{float(score[i])!r}\t{released[i].isoformat()}\t"
                    f"{(released[i] + timedelta(days=180)).isoformat()}\t{rate[i]}\t{hours[i]}\t"
                    f"{'t' if available[i] else 'f'}\t{{{','.join(map(str, held))}}}\t"
                    f"{{{','.join(map(str, held[shown[a:b]]))}}}\t{now.isoformat()}\t{seq}\n"
                )
                if len(lines) >= BATCH:
                    copy.write("".join(lines))
                    lines = []
                    print(f"  generated {have + i + 1:,} / {n:,}", file=sys.stderr)
            copy.write("".join(lines))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matching_matchprofile")


def bare_sql(domain_id: int, spec: engine.ProjectSpec, now) -> list[int]:
    """Top 50 by weighted skill overlap, eligibility in the WHERE, nothing else."""
    if connection.vendor == "postgresql":
        overlap = " + ".join(
            f"(CASE WHEN skills @> ARRAY[{r.skill_id}] THEN {r.weight} ELSE 0 END)"
            for r in spec.requirements
        )
    else:
        cases = " ".join(f"WHEN {r.skill_id} THEN {r.weight}" for r in spec.requirements)
        overlap = f"(SELECT COALESCE(SUM(CASE value {cases} ELSE 0 END), 0) FROM json_each(skills))"
    sql = f"""
        SELECT id FROM matching_matchprofile
        WHERE domain_id = %s AND tier_rank >= %s AND released_at <= %s AND valid_until > %s
          AND available AND (rate IS NULL OR rate <= %s) AND (hours IS NULL OR hours >= %s)
        ORDER BY {overlap} DESC, id LIMIT 50
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [domain_id, spec.min_tier_rank, now, now, spec.rate_max, spec.hours])
        return [r[0] for r in cursor.fetchall()]


def ranking_by_sql_bruteforce(domain_id: int, spec: engine.ProjectSpec, now) -> list[int]:
    """The top 50 by the engine over every eligible row fetched afresh (no index)."""
    from matching.services import _rows, eligible_profiles

    rows = _rows(eligible_profiles(domain_id=domain_id, spec=spec, now=now))
    rows = rows.take(np.flatnonzero(engine.must_have_mask(rows, spec)))
    ranked = engine.rank(rows, spec, now=now.timestamp(), k=50)
    return [int(i) for i in rows.ids[ranked.index]]


def timed(fn, runs: int) -> list[float]:
    for _ in range(3):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--must-have", action="store_true", help="make the top skill a must")
    args = parser.parse_args()

    skill_ids = skills()
    generated_s = generate(args.profiles, skill_ids)
    domain = Domain.objects.get(slug=DOMAIN)
    total = MatchProfile.objects.filter(domain=domain).count()
    # A project asking for mid-popularity skills: the top 50 is not trivially "has them all".
    weights = [5, 4, 3, 3, 2, 1]
    chosen = [skill_ids[i] for i in (3, 8, 15, 30, 60, 120)]
    spec = engine.ProjectSpec(
        tuple(
            engine.Requirement(s, w, args.must_have and i == 0)
            for i, (s, w) in enumerate(zip(chosen, weights, strict=True))
        ),
        min_tier_rank=2,
        rate_min=50,
        rate_max=110,
        hours=20,
    )
    now = timezone.now()
    from matching.services import eligible_profiles

    eligible = eligible_profiles(domain_id=domain.pk, spec=spec, now=now).count()

    match_index_forget()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as cold_queries:
        rank_profiles(domain_id=domain.pk, spec=spec, limit=50, now=now)
    cold_s = time.perf_counter() - started
    with CaptureQueriesContext(connection) as queries:
        ranking = rank_profiles(domain_id=domain.pk, spec=spec, limit=50, now=now)
    top = [int(i) for i in ranking.rows.ids[ranking.ranked.index]]
    full = timed(
        lambda: rank_profiles(domain_id=domain.pk, spec=spec, limit=50, now=now), args.runs
    )
    bare = timed(lambda: bare_sql(domain.pk, spec, now), args.runs)
    # One profile changes (a rate edit) before each ranking: the delta path.
    changed = list(
        MatchProfile.objects.filter(domain=domain).order_by("?").values_list("pk", flat=True)[:10]
    )
    after_change = []
    for pk in changed:
        MatchProfile.objects.filter(pk=pk).update(rate=models.F("rate") + 1)
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as delta_queries:
            rank_profiles(domain_id=domain.pk, spec=spec, limit=50, now=now)
        after_change.append((time.perf_counter() - t) * 1000)
        MatchProfile.objects.filter(pk=pk).update(rate=models.F("rate") - 1)
    exact = top == [int(i) for i in ranking_by_sql_bruteforce(domain.pk, spec, now)]
    result = {
        "database": connection.vendor,
        "profiles": total,
        "eligible": eligible,
        "generated_s": round(generated_s, 1),
        "median_ms": round(statistics.median(full), 2),
        "p95_ms": round(p95(full), 2),
        "queries": len(queries),
        "bare_sql_median_ms": round(statistics.median(bare), 2),
        "bare_sql_p95_ms": round(p95(bare), 2),
        "ratio_to_bare_sql": round(statistics.median(full) / statistics.median(bare), 3),
        "cold_build_s": round(cold_s, 2),
        "cold_queries": len(cold_queries),
        "after_one_change_median_ms": round(statistics.median(after_change), 2),
        "after_one_change_queries": len(delta_queries),
        "top_50_equals_full_ranking": exact,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "must_have": args.must_have,
    }
    print(f"profiles {total:,} (eligible {eligible:,}); cold index build {cold_s:.2f} s")
    print(
        f"rank top 50: median {result['median_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['queries']} queries"
    )
    print(
        f"bare SQL top 50 by weighted overlap: median {result['bare_sql_median_ms']} ms, "
        f"p95 {result['bare_sql_p95_ms']} ms; ratio {result['ratio_to_bare_sql']}"
    )
    print(
        f"right after one profile changed: median {result['after_one_change_median_ms']} ms, "
        f"{result['after_one_change_queries']} queries; top 50 equals a full ranking: {exact}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
