"""Matching: keep profiles current, rank a project's matches, offer newcomers instantly.

Hooks for the interview side (called after commit):

* :func:`match_profile_refresh` when a tier is released or expires, a resume changes, a
  skill is shown in an interview or the candidate edits rate, hours or availability;
* :func:`instant_offers_for_new_credential` when an Expert or Verified Expert tier is
  released (``match_profile_refresh`` already enqueues it when a profile starts to stand
  on a new credential, so the interview side need not call it itself).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import Candidate
from interviews.models import (
    MATCHABLE_TIERS,
    TIER_RANK,
    AnswerStatus,
    Credential,
    CredentialStatus,
    Question,
    Resume,
    Skill,
    Tier,
)
from matching import engine
from matching.index import Batch, ProfileIndex
from matching.index import IndexBuilder as ProfileIndexBuilder
from matching.models import MatchProfile

if TYPE_CHECKING:
    from marketplace.models import Project

_PROFILE_COLUMNS = (
    "id",
    "tier_rank",
    "score",
    "released_at",
    "valid_until",
    "rate",
    "hours",
    "skills",
    "shown_skills",
)


# --- profiles ------------------------------------------------------------------------------


def _taxonomy():
    from interviews.selectors import taxonomy_current

    return taxonomy_current()


def _skill_ids(slugs: set[str]) -> set[int]:
    if not slugs:
        return set()
    return set(Skill.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def _shown_slugs(credential: Credential) -> set[str]:
    """Skills the candidate named in the scored answers of the credential's attempt."""
    taxonomy = _taxonomy()
    transcripts = Question.objects.filter(
        attempt_id=credential.attempt_id, answer__status=AnswerStatus.SCORED
    ).values_list("answer__transcript", flat=True)
    slugs: set[str] = set()
    for text in transcripts:
        slugs.update(taxonomy.find_slugs(text or ""))
    return slugs


def match_profile_refresh(*, candidate_id: int, domain_id: int | None = None) -> list[int]:
    """Rebuild the candidate's profile in one domain (or every domain they stand in).

    A profile exists while the candidate has an active, released credential in the domain;
    otherwise it is removed. Returns the ids of credentials that a profile newly stands on
    (and for which instant offers were enqueued).
    """
    now = timezone.now()
    credentials = Credential.objects.filter(
        candidate_id=candidate_id, status=CredentialStatus.ACTIVE, released_at__isnull=False
    )
    profiles = MatchProfile.objects.filter(candidate_id=candidate_id)
    if domain_id is not None:
        credentials = credentials.filter(domain_id=domain_id)
        profiles = profiles.filter(domain_id=domain_id)
    standing = {c.domain_id: c for c in credentials.order_by("released_at")}
    existing = {p.domain_id: p for p in profiles}
    candidate = Candidate.objects.get(pk=candidate_id)
    resume = Resume.objects.filter(candidate_id=candidate_id, is_current=True).first()
    taxonomy = _taxonomy()
    resume_slugs = set(resume.skill_slugs) if resume else set()
    new_credentials: list[int] = []

    current = {d for d, c in standing.items() if c.valid_until and c.valid_until > now}
    for gone in set(existing) - current:
        existing[gone].delete()
    for domain, credential in standing.items():
        if credential.valid_until is None or credential.valid_until <= now:
            continue
        shown = taxonomy.with_ancestors(_shown_slugs(credential))
        has = taxonomy.with_ancestors(resume_slugs) | shown
        fields = {
            "credential_id": credential.pk,
            "tier": credential.tier,
            "tier_rank": TIER_RANK[Tier(credential.tier)],
            "score": credential.score,
            "released_at": credential.released_at,
            "valid_until": credential.valid_until,
            "rate": candidate.hourly_rate,
            "hours": candidate.hours_per_week,
            "available": candidate.available,
            "skills": sorted(_skill_ids(has)),
            "shown_skills": sorted(_skill_ids(shown)),
            "updated_at": now,
        }
        previous = existing.get(domain)
        MatchProfile.objects.update_or_create(
            candidate_id=candidate_id, domain_id=domain, defaults=fields
        )
        if credential.tier in MATCHABLE_TIERS and (
            previous is None or previous.credential_id != credential.pk
        ):
            new_credentials.append(credential.pk)

    if new_credentials:
        from matching.tasks import instant_offers_for_credential

        for credential_id in new_credentials:
            instant_offers_for_credential.delay_on_commit(credential_id)
    return new_credentials


# --- ranking ---------------------------------------------------------------------------------


def project_spec(project: Project) -> engine.ProjectSpec:
    requirements = tuple(
        engine.Requirement(skill_id=r.skill_id, weight=r.weight, must_have=r.must_have)
        for r in project.requirements.all()
    )
    return engine.ProjectSpec(
        requirements=requirements,
        min_tier_rank=TIER_RANK[Tier(project.minimum_tier)],
        rate_min=float(project.rate_min),
        rate_max=float(project.rate_max),
        hours=float(project.hours_per_week),
    )


def eligible_profiles(*, domain_id: int, spec: engine.ProjectSpec, now: datetime):
    """The eligible set as one indexed query (must-haves in SQL on PostgreSQL only)."""
    queryset = MatchProfile.objects.filter(
        domain_id=domain_id,
        tier_rank__gte=spec.min_tier_rank,
        released_at__lte=now,
        valid_until__gt=now,
        available=True,
    ).filter(
        Q(rate__isnull=True) | Q(rate__lte=spec.rate_max),
        Q(hours__isnull=True) | Q(hours__gte=spec.hours),
    )
    if connection.vendor == "postgresql" and spec.must_have_ids:
        queryset = queryset.filter(skills__contains_all=list(spec.must_have_ids))
    return queryset


def _rows(queryset) -> engine.ProfileRows:
    return engine.ProfileRows.from_tuples(
        (i, t, s, r.timestamp(), v.timestamp(), rate, hours, skills, shown)
        for i, t, s, r, v, rate, hours, skills, shown in queryset.values_list(*_PROFILE_COLUMNS)
    )


# --- the per-process index of each domain ---------------------------------------------------


@dataclass
class _DomainIndex:
    lock: threading.Lock = field(default_factory=threading.Lock)
    builder: ProfileIndexBuilder = field(default_factory=ProfileIndexBuilder)
    snapshot: ProfileIndex | None = None


_indexes: dict[tuple[str, int], _DomainIndex] = {}
_indexes_lock = threading.Lock()
_FETCH_CHUNK = 20_000


def _domain_entry(domain_id: int) -> _DomainIndex:
    key = (connection.alias, domain_id)
    with _indexes_lock:
        entry = _indexes.get(key)
        if entry is None:
            entry = _indexes[key] = _DomainIndex()
        return entry


def match_index_forget() -> None:
    """Drop every cached index of this process (tests; after restoring a database)."""
    with _indexes_lock:
        _indexes.clear()


@dataclass(frozen=True)
class _Version:
    seq: int
    token: int
    floor: int
    own_write: bool  # this transaction changed the domain's profiles and has not committed


def _version(domain_id: int) -> _Version | None:
    if connection.vendor == "postgresql":
        sql = (
            "SELECT seq, token, floor, "
            "COALESCE(writer_txid = txid_current_if_assigned(), false) "
            "FROM matching_matchindexversion WHERE domain_id = %s"
        )
    else:
        sql = "SELECT seq, token, floor, 0 FROM matching_matchindexversion WHERE domain_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [domain_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _Version(int(row[0]), int(row[1]), int(row[2]), bool(row[3]))


_PG_FETCH = """
    SELECT id, candidate_id, tier_rank, score,
           EXTRACT(EPOCH FROM released_at)::float8, EXTRACT(EPOCH FROM valid_until)::float8,
           rate, hours, available, skills, shown_skills, seq, false
    FROM matching_matchprofile WHERE domain_id = %s AND seq > %s
    UNION ALL
    SELECT profile_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, seq, true
    FROM matching_matchprofiletombstone WHERE domain_id = %s AND seq > %s
"""
_SQLITE_FETCH = """
    SELECT id, candidate_id, tier_rank, score, released_at, valid_until,
           rate, hours, available, skills, shown_skills, seq, 0
    FROM matching_matchprofile WHERE domain_id = %s AND seq > %s
    UNION ALL
    SELECT profile_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, seq, 1
    FROM matching_matchprofiletombstone WHERE domain_id = %s AND seq > %s
"""


def _epoch(value: datetime | str) -> float:
    # SQLite keeps naive UTC datetimes; the same seconds as Django's datetime.timestamp().
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC).timestamp()


def _fetch_changes(domain_id: int, *, since: int) -> tuple[Batch, np.ndarray, int]:
    """Profiles of the domain changed after ``since`` and those deleted, in one query
    (streamed in chunks): (the rows, the deleted ids, the highest change number seen)."""
    postgres = connection.vendor == "postgresql"
    parts: list[Batch] = []
    removed: list[int] = []
    top = since
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            _PG_FETCH if postgres else _SQLITE_FETCH, [domain_id, since, domain_id, since]
        )
        while chunk := cursor.fetchmany(_FETCH_CHUNK):
            rows = []
            for row in chunk:
                top = max(top, int(row[11]))
                if row[12]:
                    removed.append(int(row[0]))
                elif postgres:
                    rows.append(row[:11])
                else:
                    rows.append((*row[:4], _epoch(row[4]), _epoch(row[5]), *row[6:11]))
            parts.append(Batch.from_tuples(rows))
    return Batch.concat(parts), np.asarray(removed, dtype=np.int64), top


def _current_index(domain_id: int) -> tuple[ProfileIndex, int]:
    """The domain's index as of now, and the number of queries it took (one or two).

    One query reads the domain's version row. A cached index that is current is used as is;
    otherwise one more query fetches what changed since it (or every row, on first use) and
    the index is patched under the domain's lock. Only committed data reaches the shared
    cache: a transaction that has changed the domain's profiles itself (PostgreSQL tells;
    on SQLite any open transaction counts) ranks over a private index of everything.
    """
    version = _version(domain_id)
    if version is None:
        return ProfileIndex.empty(), 1
    shared = not version.own_write and (
        connection.vendor == "postgresql" or not connection.in_atomic_block
    )
    if not shared:
        batch, removed, top = _fetch_changes(domain_id, since=0)
        private = ProfileIndexBuilder().build(batch, seq=max(top, version.seq), token=version.token)
        return private, 2
    entry = _domain_entry(domain_id)

    def current(snapshot: ProfileIndex | None) -> bool:
        return (
            snapshot is not None and snapshot.token == version.token and snapshot.seq >= version.seq
        )

    snapshot = entry.snapshot
    if current(snapshot):
        assert snapshot is not None
        return snapshot, 1
    with entry.lock:
        snapshot = entry.snapshot
        if current(snapshot):  # another thread brought it up to date meanwhile
            assert snapshot is not None
            return snapshot, 1
        if snapshot is None or snapshot.token != version.token or snapshot.seq < version.floor:
            batch, removed, top = _fetch_changes(domain_id, since=0)
            snapshot = entry.builder.build(batch, seq=max(top, version.seq), token=version.token)
        else:
            batch, removed, top = _fetch_changes(domain_id, since=snapshot.seq)
            snapshot = entry.builder.patch(batch, removed, seq=max(top, version.seq))
        entry.snapshot = snapshot
        return snapshot, 2


@dataclass
class Ranking:
    """The page: its rows (skills restricted to the project's), their ranking, the reasons."""

    rows: engine.ProfileRows
    ranked: engine.Ranked
    explanations: list[engine.Explanation]
    queries: int


def rank_profiles(
    *, domain_id: int, spec: engine.ProjectSpec, limit: int, now: datetime | None = None
) -> Ranking:
    """The exact top ``limit`` of the eligible set, with reasons for those rows only.

    Ranks over the domain's in-memory index (one or two queries, whatever the number of
    profiles); the page is then re-scored by :func:`matching.engine.rank`, which explains it.
    """
    now = now or timezone.now()
    now_s = now.timestamp()
    index, queries = _current_index(domain_id)
    slots, _ = index.rank(spec, now=now_s, k=limit)
    rows = index.rows(slots, (r.skill_id for r in spec.requirements))
    ranked = engine.rank(rows, spec, now=now_s, k=limit)
    return Ranking(rows, ranked, engine.explain(rows, ranked, spec), queries)


# --- matches for people ------------------------------------------------------------------


@dataclass(frozen=True)
class SkillMatch:
    name: str
    weight: int
    must_have: bool
    shown: str  # interview, resume, missing
    points: float


@dataclass(frozen=True)
class Match:
    """A candidate ranked for a project: the profile summary a client may see, and why."""

    candidate_id: int
    profile_id: int
    rank: int
    display_name: str
    initials: str
    headline: str
    tier: str
    tier_label: str
    score: float
    band: str
    rate: int | None
    hours: int | None
    available: bool
    skills: tuple[SkillMatch, ...]
    parts: dict[str, float]
    rate_fit: str
    hours_fit: str
    other_skills: tuple[str, ...]

    @property
    def matched(self) -> tuple[SkillMatch, ...]:
        return tuple(s for s in self.skills if s.shown != "missing")

    @property
    def missing(self) -> tuple[SkillMatch, ...]:
        return tuple(s for s in self.skills if s.shown == "missing")


def public_name(candidate: Candidate) -> tuple[str, str]:
    """First name and last initial: enough to tell matches apart, no more."""
    user = candidate.user
    first, last = user.first_name.strip(), user.last_name.strip()
    if first:
        name = f"{first} {last[:1]}." if last else first
        initials = (first[:1] + last[:1]).upper()
    else:
        name, initials = f"Candidate #{candidate.pk}", "?"
    return name, initials


def project_matches(project: Project, limit: int = 50, now: datetime | None = None) -> list[Match]:
    """The project's ranked matches with their reasons. Query count independent of N."""
    spec = project_spec(project)
    ranking = rank_profiles(domain_id=project.domain_id, spec=spec, limit=limit, now=now)
    ids = [e.profile_id for e in ranking.explanations]
    if not ids:
        return []
    profiles = {
        p.pk: p for p in MatchProfile.objects.filter(pk__in=ids).select_related("candidate__user")
    }
    wanted = {r.skill_id for r in spec.requirements}
    shown_ids = {s for p in profiles.values() for s in p.skills}
    names = dict(Skill.objects.filter(pk__in=wanted | shown_ids).values_list("pk", "name"))
    matches = []
    for rank, explanation in enumerate(ranking.explanations, start=1):
        profile = profiles[explanation.profile_id]
        name, initials = public_name(profile.candidate)
        matches.append(
            Match(
                candidate_id=profile.candidate_id,
                profile_id=profile.pk,
                rank=rank,
                display_name=name,
                initials=initials,
                headline=profile.candidate.headline,
                tier=profile.tier,
                tier_label=Tier(profile.tier).label,
                score=round(explanation.total, 1),
                band=explanation.band,
                rate=profile.rate,
                hours=profile.hours,
                available=profile.available,
                skills=tuple(
                    SkillMatch(names.get(s.skill_id, "?"), s.weight, s.must_have, s.shown, s.points)
                    for s in explanation.skills
                ),
                parts={k: round(v, 1) for k, v in explanation.parts.items()},
                rate_fit=explanation.rate_fit,
                hours_fit=explanation.hours_fit,
                other_skills=tuple(
                    sorted(names[s] for s in profile.skills if s not in wanted and s in names)
                ),
            )
        )
    return matches


def candidate_fits(project: Project, *, candidate_id: int, now: datetime | None = None) -> bool:
    """Whether the candidate is in the project's eligible set right now (one or two queries)."""
    now = now or timezone.now()
    spec = project_spec(project)
    queryset = eligible_profiles(domain_id=project.domain_id, spec=spec, now=now).filter(
        candidate_id=candidate_id
    )
    rows = _rows(queryset)
    return bool(len(rows)) and bool(engine.must_have_mask(rows, spec).all())


# --- instant offers for a newcomer ---------------------------------------------------------


def instant_offers_for_new_credential(*, credential_id: int) -> int:
    """Offer a newly released Expert or Verified Expert every open project they fit.

    Each project with instant offers on, in the credential's domain, re-runs its instant
    offers: the candidate is offered it if they fit and the project's quota of outstanding
    offers (open seats × factor) has room. Returns the number of offers sent.
    """
    from marketplace.selectors import open_instant_projects_in
    from marketplace.services import instant_offers_for_project

    credential = Credential.objects.filter(pk=credential_id).first()
    if credential is None or credential.status != CredentialStatus.ACTIVE:
        return 0
    if credential.tier not in MATCHABLE_TIERS:
        return 0
    sent = 0
    for project_id in open_instant_projects_in(
        domain_id=credential.domain_id, tier_rank=TIER_RANK[Tier(credential.tier)]
    ):
        sent += instant_offers_for_project(
            project_id=project_id, only_candidate_id=credential.candidate_id
        )
    return sent


# Deleted profiles leave tombstones so cached indexes can drop them; once this many changes
# have happened since, any cache that old rebuilds from scratch instead, and they can go.
TOMBSTONE_KEEP_CHANGES = 100_000


def tombstones_prune(*, keep_changes: int = TOMBSTONE_KEEP_CHANGES) -> int:
    """Delete tombstones older than ``keep_changes`` changes of their domain.

    Raising ``floor`` to the cut in the same transaction makes every cached index older
    than the cut rebuild fully on its next ranking, so none can miss a pruned deletion.
    """
    from django.db import transaction

    from matching.models import MatchIndexVersion, MatchProfileTombstone

    pruned = 0
    for version in MatchIndexVersion.objects.all().only("domain_id", "seq", "floor"):
        cut = version.seq - keep_changes
        if cut <= version.floor:
            continue
        with transaction.atomic():
            MatchIndexVersion.objects.filter(pk=version.pk, floor__lt=cut).update(floor=cut)
            deleted, _ = MatchProfileTombstone.objects.filter(
                domain_id=version.domain_id, seq__lte=cut
            ).delete()
            pruned += deleted
    return pruned
