"""The matching profile: one denormalised row per (candidate, domain) that matching reads.

Everything eligibility and ranking need lives on the row, so one indexed query finds the
eligible set: tier, attempt score, release and expiry of the credential, rate, hours,
availability, and the skills as integer arrays (taxonomy ids, ancestors included) —
``skills`` is everything the candidate has (resume and interview), ``shown_skills`` the
part they named in scored interview answers. ``interviews`` keeps the truth; this row is
rebuilt from it by :func:`matching.services.match_profile_refresh`.

Every write to a profile, whoever makes it (the refresh, an admin, a bulk load, a cascade),
is numbered by database triggers (migration 0003): the domain's :class:`MatchIndexVersion`
row counts up under its row lock, the profile row gets the new number in ``seq``, and a
deletion leaves a :class:`MatchProfileTombstone`. The in-memory index of a domain
(:mod:`matching.index`) reads the version row per ranking and fetches only what changed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Candidate
from interviews.models import Credential, Domain, Tier
from matching.fields import IntArrayField


class MatchProfile(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="match_profiles"
    )
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="match_profiles")
    credential = models.ForeignKey(
        Credential, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tier = models.CharField(max_length=16, choices=Tier.choices)
    tier_rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    released_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    rate = models.PositiveIntegerField(null=True, blank=True)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    available = models.BooleanField(default=True)
    skills = IntArrayField(help_text="Skill ids (with ancestors) from resume and interview.")
    shown_skills = IntArrayField(help_text="Skill ids (with ancestors) named in scored answers.")
    updated_at = models.DateTimeField(default=timezone.now)
    # Set by the database (migration 0003), never by Python: the domain's change number.
    seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "domain"], name="one_match_profile_per_domain"
            )
        ]
        # The eligibility query starts from the domain and the standing of the credential;
        # on PostgreSQL a GIN index on ``skills`` (migration 0002) serves the must-haves.
        indexes = [
            models.Index(
                fields=["domain", "tier_rank", "valid_until"], name="match_profile_eligible"
            ),
            models.Index(fields=["domain", "seq"], name="match_profile_changes"),
        ]

    def __str__(self) -> str:
        return f"Match profile of {self.candidate_id} in {self.domain_id}"


class MatchIndexVersion(models.Model):
    """Per domain: the number of the latest profile change, kept by database triggers.

    The triggers update this row before numbering a profile write, so writers of one
    domain queue on its row lock and numbers commit in order: a reader that sees ``seq``
    committed sees every lower number committed too. ``token`` is random when the row is
    created (a new history: after a flush or restore, cached indexes are rebuilt);
    tombstones up to ``floor`` may have been pruned. ``writer_txid`` (PostgreSQL) is the
    transaction that wrote last, so a ranking can tell its own uncommitted writes.

    A plain domain id, not a foreign key: a deleted domain's profiles are deleted after it
    is collected, and their triggers must still find somewhere to count.
    """

    domain_id = models.BigIntegerField(unique=True)
    seq = models.BigIntegerField(default=0)
    token = models.BigIntegerField(default=0)
    floor = models.BigIntegerField(default=0)
    writer_txid = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Match index version {self.seq} of domain {self.domain_id}"


class MatchProfileTombstone(models.Model):
    """A deleted profile, so that cached indexes drop it (written by a trigger)."""

    domain_id = models.BigIntegerField()
    profile_id = models.BigIntegerField()
    seq = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["domain_id", "seq"], name="match_tombstone_changes")]

    def __str__(self) -> str:
        return f"Match profile {self.profile_id} deleted at {self.seq}"
