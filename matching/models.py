"""The matching profile: one denormalised row per (candidate, domain) that matching reads.

Everything eligibility and ranking need lives on the row, so one indexed query finds the
eligible set: tier, attempt score, release and expiry of the credential, rate, hours,
availability, and the skills as integer arrays (taxonomy ids, ancestors included) —
``skills`` is everything the candidate has (resume and interview), ``shown_skills`` the
part they named in scored interview answers. ``interviews`` keeps the truth; this row is
rebuilt from it by :func:`matching.services.match_profile_refresh`.
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
            )
        ]

    def __str__(self) -> str:
        return f"Match profile of {self.candidate_id} in {self.domain_id}"
