"""An in-memory index of one domain's match profiles: plain numpy, no Django.

The database stays the truth; this is a per-process copy that a ranking reads instead of
fetching the eligible set on every request. It holds one slot per profile version:

* column arrays (profile id, candidate id, tier rank, attempt score, release and expiry as
  epoch seconds, rate and hours with NaN for "not stated", availability);
* postings: for every skill id, the sorted slots whose profile has it (``skills``, with
  ancestors), and separately the slots that showed it in a scored interview answer;
* a ``dead`` mask: slots whose profile was changed (a newer slot holds it) or deleted.

A :class:`ProfileIndex` is an immutable snapshot: its arrays are views of the first ``n``
slots of growable buffers that only an :class:`IndexBuilder` writes, and it writes only past
the ``n`` of every snapshot it has handed out (or into fresh buffers), so readers never see
a half-applied change. Build and patch under one lock per builder; read without one.

Ranking is exact: eligibility and every part of the score are computed for every live slot
with the same floating-point operations as :func:`matching.engine.score_parts`, and the top
``k`` is :func:`matching.engine.top_k` (highest total first, lower profile id first).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching import engine

_COLUMNS = {
    "ids": np.int64,
    "candidate_ids": np.int64,
    "tier_rank": np.int8,
    "score": np.float64,
    "released_at": np.float64,
    "valid_until": np.float64,
    "rate": np.float64,
    "hours": np.float64,
    "available": np.bool_,
}
_MIN_CAPACITY = 1024
# Compact (drop dead slots) once they are this share of all slots.
_DEAD_SHARE = 0.25


@dataclass
class Batch:
    """Profile rows as column arrays; skills as lengths plus one flat array (CSR)."""

    ids: np.ndarray
    candidate_ids: np.ndarray
    tier_rank: np.ndarray
    score: np.ndarray
    released_at: np.ndarray
    valid_until: np.ndarray
    rate: np.ndarray
    hours: np.ndarray
    available: np.ndarray
    skill_lengths: np.ndarray
    skill_flat: np.ndarray
    shown_lengths: np.ndarray
    shown_flat: np.ndarray

    @classmethod
    def from_tuples(cls, rows: Iterable[Sequence]) -> Batch:
        """Rows of (id, candidate id, tier rank, score, released_at, valid_until, rate, hours,
        available, skills, shown skills); times as epoch seconds, rate/hours None if not
        stated, skills as lists of ids or JSON text."""
        rows = list(rows)
        if not rows:
            return cls.empty()
        cols = list(zip(*rows, strict=True))
        skills = [_ints(v) for v in cols[9]]
        shown = [_ints(v) for v in cols[10]]
        return cls(
            ids=np.asarray(cols[0], dtype=np.int64),
            candidate_ids=np.asarray(cols[1], dtype=np.int64),
            tier_rank=np.asarray(cols[2], dtype=np.int8),
            score=np.asarray(cols[3], dtype=np.float64),
            released_at=np.asarray(cols[4], dtype=np.float64),
            valid_until=np.asarray(cols[5], dtype=np.float64),
            rate=np.asarray([np.nan if v is None else v for v in cols[6]], dtype=np.float64),
            hours=np.asarray([np.nan if v is None else v for v in cols[7]], dtype=np.float64),
            available=np.asarray(cols[8], dtype=np.bool_),
            skill_lengths=np.fromiter(map(len, skills), dtype=np.int64, count=len(skills)),
            skill_flat=_flat(skills),
            shown_lengths=np.fromiter(map(len, shown), dtype=np.int64, count=len(shown)),
            shown_flat=_flat(shown),
        )

    @classmethod
    def empty(cls) -> Batch:
        arrays: dict[str, np.ndarray] = {n: np.empty(0, dtype=d) for n, d in _COLUMNS.items()}
        i = np.empty(0, dtype=np.int64)
        return cls(**arrays, skill_lengths=i, skill_flat=i, shown_lengths=i, shown_flat=i)

    @staticmethod
    def concat(parts: Sequence[Batch]) -> Batch:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Batch.empty()
        if len(parts) == 1:
            return parts[0]
        names = [*_COLUMNS, "skill_lengths", "skill_flat", "shown_lengths", "shown_flat"]
        return Batch(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})

    def __len__(self) -> int:
        return len(self.ids)


def _ints(value: Sequence[int] | str | None) -> Sequence[int]:
    if value is None:
        return ()
    if isinstance(value, str):
        return json.loads(value) if value else ()
    return value


def _flat(lists: Sequence[Sequence[int]]) -> np.ndarray:
    total = sum(map(len, lists))
    return np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=total)


def _postings(lengths: np.ndarray, flat: np.ndarray, first_slot: int) -> dict[int, np.ndarray]:
    """Skill id -> sorted slots, for rows numbered from ``first_slot``."""
    if len(flat) == 0:
        return {}
    slots = np.repeat(np.arange(first_slot, first_slot + len(lengths), dtype=np.int32), lengths)
    order = np.argsort(flat, kind="stable")  # stable: slots stay sorted within a skill
    skills, slots = flat[order], slots[order]
    starts = np.flatnonzero(np.r_[True, skills[1:] != skills[:-1]])
    ends = np.r_[starts[1:], len(skills)]
    return {int(skills[a]): slots[a:b] for a, b in zip(starts, ends, strict=True)}


@dataclass(frozen=True)
class ProfileIndex:
    """An immutable snapshot of one domain's profiles (see the module docstring)."""

    seq: int  # the highest profile change (MatchIndexVersion.seq) it includes
    token: int  # the version row's identity: a recreated row means a different history
    n: int
    columns: dict[str, np.ndarray]
    dead: np.ndarray
    postings: dict[int, np.ndarray]
    shown_postings: dict[int, np.ndarray]
    live: int = field(default=0)

    @classmethod
    def empty(cls, *, seq: int = 0, token: int = 0) -> ProfileIndex:
        columns: dict[str, np.ndarray] = {n: np.empty(0, dtype=d) for n, d in _COLUMNS.items()}
        return cls(seq, token, 0, columns, np.empty(0, dtype=np.bool_), {}, {}, 0)

    def eligible(self, spec: engine.ProjectSpec, *, now: float) -> np.ndarray:
        """Slots of profiles that stand, meet the must-haves, the rate and the hours."""
        c = self.columns
        ok = ~self.dead & c["available"]
        ok &= c["tier_rank"] >= spec.min_tier_rank
        ok &= c["released_at"] <= now
        ok &= c["valid_until"] > now
        ok &= ~(c["rate"] > spec.rate_max)  # NaN (not stated) passes
        ok &= ~(c["hours"] < spec.hours)
        for skill_id in spec.must_have_ids:
            held = np.zeros(self.n, dtype=np.bool_)
            held[self.postings.get(skill_id, _NO_SLOTS)] = True
            ok &= held
        return np.flatnonzero(ok)

    def _hits(self, postings: dict[int, np.ndarray], spec: engine.ProjectSpec) -> np.ndarray:
        hits = np.zeros(self.n, dtype=np.float64)
        for r in spec.requirements:
            # Postings hold each slot once per skill: a plain fancy-index add is exact.
            hits[postings.get(r.skill_id, _NO_SLOTS)] += float(r.weight)
        return hits

    def rank(
        self, spec: engine.ProjectSpec, *, now: float, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The exact top ``k`` eligible slots, best first, and their totals."""
        slots = self.eligible(spec, now=now)
        if len(slots) == 0 or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        c = self.columns
        parts = engine.parts_from_hits(
            self._hits(self.postings, spec)[slots],
            self._hits(self.shown_postings, spec)[slots],
            tier_rank=c["tier_rank"][slots],
            score=c["score"][slots],
            released_at=c["released_at"][slots],
            valid_until=c["valid_until"][slots],
            rate=c["rate"][slots],
            hours=c["hours"][slots],
            spec=spec,
            now=now,
        )
        total = parts.total
        best = engine.top_k(c["ids"][slots], total, k)
        return slots[best], total[best]

    def rows(self, slots: np.ndarray, skill_ids: Iterable[int]) -> engine.ProfileRows:
        """The slots as engine rows, their skills restricted to ``skill_ids`` (the project's
        required skills: all that scoring and the explanations read)."""
        c = self.columns
        wanted = sorted(set(skill_ids))

        def held(postings: dict[int, np.ndarray]) -> list[list[int]]:
            out: list[list[int]] = [[] for _ in slots]
            for skill_id in wanted:
                posting = postings.get(skill_id, _NO_SLOTS)
                if len(posting) == 0:
                    continue
                at = np.minimum(np.searchsorted(posting, slots), len(posting) - 1)
                for j in np.flatnonzero(posting[at] == slots):
                    out[j].append(skill_id)
            return out

        return engine.ProfileRows(
            ids=c["ids"][slots],
            tier_rank=c["tier_rank"][slots].astype(np.int64),
            score=c["score"][slots],
            released_at=c["released_at"][slots],
            valid_until=c["valid_until"][slots],
            rate=c["rate"][slots],
            hours=c["hours"][slots],
            skills=held(self.postings),
            shown_skills=held(self.shown_postings),
        )

    def slots_of(self, profile_ids: np.ndarray) -> np.ndarray:
        """Live slots holding any of ``profile_ids``."""
        if len(profile_ids) == 0 or self.n == 0:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.columns["ids"], profile_ids) & ~self.dead)


_NO_SLOTS = np.empty(0, dtype=np.int32)


def _grow(buffer: np.ndarray, used: int, extra: int) -> np.ndarray:
    """``buffer`` if it has room for ``extra`` more items after ``used``, else a larger copy."""
    if used + extra <= len(buffer):
        return buffer
    bigger = np.empty(max(_MIN_CAPACITY, 2 * (used + extra)), dtype=buffer.dtype)
    bigger[:used] = buffer[:used]
    return bigger


class IndexBuilder:
    """Owns the growable buffers behind the snapshots of one domain. Not thread-safe: the
    caller holds one lock per builder around :meth:`build` and :meth:`patch`."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {
            n: np.empty(0, dtype=d) for n, d in _COLUMNS.items()
        }
        self._postings: dict[int, tuple[np.ndarray, int]] = {}
        self._shown: dict[int, tuple[np.ndarray, int]] = {}
        self._current: ProfileIndex | None = None

    @property
    def current(self) -> ProfileIndex | None:
        return self._current

    def build(self, batch: Batch, *, seq: int, token: int) -> ProfileIndex:
        """A fresh index of ``batch`` (fresh buffers: older snapshots keep theirs)."""
        self._buffers = {name: getattr(batch, name).astype(d) for name, d in _COLUMNS.items()}
        n = len(batch)
        self._postings = {
            s: (p, len(p)) for s, p in _postings(batch.skill_lengths, batch.skill_flat, 0).items()
        }
        self._shown = {
            s: (p, len(p)) for s, p in _postings(batch.shown_lengths, batch.shown_flat, 0).items()
        }
        return self._snapshot(n, np.zeros(n, dtype=np.bool_), seq=seq, token=token)

    def patch(self, batch: Batch, removed_ids: np.ndarray, *, seq: int) -> ProfileIndex:
        """The current index with ``batch`` rows put in (new slots; their old slots die) and
        ``removed_ids`` taken out."""
        base = self._current
        if base is None:
            raise RuntimeError("build before patching")
        n = base.n
        dead = np.concatenate([base.dead, np.zeros(len(batch), dtype=np.bool_)])
        gone = base.slots_of(np.concatenate([batch.ids, np.asarray(removed_ids, np.int64)]))
        dead[gone] = True
        for name, dtype in _COLUMNS.items():
            buffer = _grow(self._buffers[name], n, len(batch))
            buffer[n : n + len(batch)] = getattr(batch, name).astype(dtype)
            self._buffers[name] = buffer
        self._append(self._postings, _postings(batch.skill_lengths, batch.skill_flat, n))
        self._append(self._shown, _postings(batch.shown_lengths, batch.shown_flat, n))
        snapshot = self._snapshot(n + len(batch), dead, seq=seq, token=base.token)
        if snapshot.n - snapshot.live > max(_MIN_CAPACITY, _DEAD_SHARE * snapshot.n):
            snapshot = self._compact(snapshot)
        return snapshot

    @staticmethod
    def _append(postings: dict[int, tuple[np.ndarray, int]], new: dict[int, np.ndarray]) -> None:
        # New slots are past every existing one: appending keeps each posting sorted.
        for skill_id, slots in new.items():
            buffer, used = postings.get(skill_id, (_NO_SLOTS, 0))
            buffer = _grow(buffer, used, len(slots))
            buffer[used : used + len(slots)] = slots
            postings[skill_id] = (buffer, used + len(slots))

    def _compact(self, snapshot: ProfileIndex) -> ProfileIndex:
        keep = ~snapshot.dead
        new_slot = np.cumsum(keep, dtype=np.int64) - 1
        self._buffers = {name: a[keep] for name, a in snapshot.columns.items()}

        def remap(postings: dict[int, np.ndarray]) -> dict[int, tuple[np.ndarray, int]]:
            out = {}
            for skill_id, slots in postings.items():
                kept = new_slot[slots[keep[slots]]].astype(np.int32)
                if len(kept):
                    out[skill_id] = (kept, len(kept))
            return out

        self._postings = remap(snapshot.postings)
        self._shown = remap(snapshot.shown_postings)
        n = int(keep.sum())
        dead = np.zeros(n, dtype=np.bool_)
        return self._snapshot(n, dead, seq=snapshot.seq, token=snapshot.token)

    def _snapshot(self, n: int, dead: np.ndarray, *, seq: int, token: int) -> ProfileIndex:
        snapshot = ProfileIndex(
            seq=seq,
            token=token,
            n=n,
            columns={name: buffer[:n] for name, buffer in self._buffers.items()},
            dead=dead,
            postings={s: b[:used] for s, (b, used) in self._postings.items()},
            shown_postings={s: b[:used] for s, (b, used) in self._shown.items()},
            live=n - int(dead.sum()),
        )
        self._current = snapshot
        return snapshot
