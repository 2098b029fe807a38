"""The in-memory index on its own: build, patch and compact give the engine's exact ranking."""

from __future__ import annotations

import random

import numpy as np
import pytest

from matching import engine
from matching.index import Batch, IndexBuilder, ProfileIndex
from tests.matching.test_engine import NOW, brute_force, random_rows, random_spec


def batch_of(rows: list[tuple]) -> Batch:
    # engine rows: (id, tier, score, released, valid_until, rate, hours, skills, shown)
    return Batch.from_tuples(
        (pid, pid * 10, tier, score, rel, until, rate, hours, True, skills, shown)
        for pid, tier, score, rel, until, rate, hours, skills, shown in rows
    )


def expected_ids(rows: list[tuple], spec: engine.ProjectSpec, k: int = 50) -> list[int]:
    """Brute force over the rows the index counts as eligible (the engine tests rank all)."""
    eligible = [r for r in rows if r[5] is None or r[5] <= spec.rate_max]
    return [pid for _, pid in brute_force(eligible, spec, NOW)[:k]]


def ranked_ids(index: ProfileIndex, spec: engine.ProjectSpec, k: int = 50) -> list[int]:
    slots, _ = index.rank(spec, now=NOW, k=k)
    return [int(i) for i in index.columns["ids"][slots]]


@pytest.mark.parametrize("seed", range(4))
def test_index_ranking_equals_brute_force(seed):
    rng = random.Random(seed)
    data = random_rows(rng, 4000)
    spec = random_spec(rng)
    index = IndexBuilder().build(batch_of(data), seq=1, token=1)
    assert ranked_ids(index, spec) == expected_ids(data, spec)


@pytest.mark.parametrize("seed", range(3))
def test_patches_and_compaction_keep_the_ranking_exact(seed):
    rng = random.Random(100 + seed)
    data = {r[0]: r for r in random_rows(rng, 3000)}
    builder = IndexBuilder()
    snapshots = [builder.build(batch_of(list(data.values())), seq=1, token=7)]
    next_id = len(data) + 1
    for step in range(12):  # enough dead slots to compact at least once
        fresh = random_rows(rng, 400)
        changed = []
        for row in fresh[:300]:  # new versions of existing profiles
            pid = rng.choice(list(data))
            changed.append((pid, *row[1:]))
        for row in fresh[300:]:  # newcomers
            changed.append((next_id, *row[1:]))
            next_id += 1
        changed = list({r[0]: r for r in changed}.values())
        removed = rng.sample([p for p in data if p not in {r[0] for r in changed}], 50)
        for pid in removed:
            del data[pid]
        data.update({r[0]: r for r in changed})
        index = builder.patch(batch_of(changed), np.asarray(removed), seq=step + 2)
        snapshots.append(index)
        assert index.live == len(data)
        spec = random_spec(rng)
        assert ranked_ids(index, spec) == expected_ids(list(data.values()), spec), f"step {step}"
    assert min(s.n for s in snapshots[1:]) < max(s.n for s in snapshots)  # it compacted


def test_older_snapshots_do_not_change_when_the_builder_patches():
    rng = random.Random(5)
    data = random_rows(rng, 500)
    spec = random_spec(rng)
    builder = IndexBuilder()
    old = builder.build(batch_of(data), seq=1, token=1)
    before = ranked_ids(old, spec, k=500)
    for step in range(30):
        changed = [(rng.randint(1, 500), *r[1:]) for r in random_rows(rng, 100)]
        changed = list({r[0]: r for r in changed}.values())
        builder.patch(batch_of(changed), np.asarray([], dtype=np.int64), seq=step + 2)
    assert ranked_ids(old, spec, k=500) == before


def test_page_rows_carry_the_required_skills_and_rank_like_the_engine():
    rng = random.Random(9)
    data = random_rows(rng, 800)
    spec = random_spec(rng)
    index = IndexBuilder().build(batch_of(data), seq=1, token=1)
    slots, totals = index.rank(spec, now=NOW, k=20)
    rows = index.rows(slots, [r.skill_id for r in spec.requirements])
    ranked = engine.rank(rows, spec, now=NOW, k=20)
    assert ranked.index.tolist() == list(range(len(slots)))
    assert ranked.total.tolist() == totals.tolist()
    wanted = {r.skill_id for r in spec.requirements}
    by_id = {r[0]: r for r in data}
    for pid, skills in zip(rows.ids, rows.skills, strict=True):
        assert set(skills) == set(by_id[int(pid)][7]) & wanted
