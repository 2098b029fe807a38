"""Matching benchmark: rank a project's top 50 over N synthetic profiles.

    DATABASE_URL=postgres://… python benchmarks/matching.py --profiles 100000

Generates N profiles in the configured database (a domain of its own, "bench-matching",
and candidates ``bench-<n>@bench.invalid``; re-runs top up to N), about 85 % of them
eligible for the benchmark project and the rest not (expired, Qualified, over the rate
range, too few hours, unavailable). Skills follow a Zipf-like popularity over 300 skills,
5–15 per profile, about 40 % of them shown in interview answers.

Prints the median and p95 wall time of ``matching.services.rank_profiles`` (the exact top
50, with explanations) and its SQL query count, then the same for a bare SQL top 50 by
weighted skill overlap on the same rows, and the ratio. The last line is JSON.
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

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Candidate, User  # noqa: E402
from interviews.models import Domain, Skill  # noqa: E402
from matching import engine  # noqa: E402
from matching.models import MatchProfile  # noqa: E402
from matching.services import rank_profiles  # noqa: E402

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

    with CaptureQueriesContext(connection) as queries:
        ranking = rank_profiles(domain_id=domain.pk, spec=spec, limit=50, now=now)
    fetched = len(ranking.rows)
    full = timed(
        lambda: rank_profiles(domain_id=domain.pk, spec=spec, limit=50, now=now), args.runs
    )
    bare = timed(lambda: bare_sql(domain.pk, spec, now), args.runs)
    result = {
        "database": connection.vendor,
        "profiles": total,
        "eligible": eligible,
        "rows_fetched": fetched,
        "generated_s": round(generated_s, 1),
        "median_ms": round(statistics.median(full), 2),
        "p95_ms": round(p95(full), 2),
        "queries": len(queries),
        "bare_sql_median_ms": round(statistics.median(bare), 2),
        "bare_sql_p95_ms": round(p95(bare), 2),
        "ratio_to_bare_sql": round(statistics.median(full) / statistics.median(bare), 3),
        "must_have": args.must_have,
    }
    print(f"profiles {total:,} (eligible {eligible:,}), rows fetched by the ranking {fetched:,}")
    print(
        f"rank top 50: median {result['median_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['queries']} queries"
    )
    print(
        f"bare SQL top 50 by weighted overlap: median {result['bare_sql_median_ms']} ms, "
        f"p95 {result['bare_sql_p95_ms']} ms; ratio {result['ratio_to_bare_sql']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
