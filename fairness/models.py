"""Voluntary demographic answers and anonymised outcomes, kept apart from everything else.

``DemographicAnswer`` is the candidate's own answer, in its own table, with no reverse
accessor on ``Candidate``: templates, serializers and the engines cannot reach it by
following a relation. ``FairnessRecord`` keeps a deleted candidate's scored results for the
bias audit with no link to any account.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accounts.models import Candidate
from interviews.models import Domain, Tier

UNKNOWN = "unknown"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    ANOTHER = "another", "Another sex or gender"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class RaceEthnicity(models.TextChoices):
    """The EEO-1 categories that NYC Local Law 144 bias audits report on."""

    HISPANIC_LATINO = "hispanic_latino", "Hispanic or Latino"
    WHITE = "white", "White"
    BLACK = "black", "Black or African American"
    NATIVE_HAWAIIAN_PACIFIC = "native_hawaiian_pacific", "Native Hawaiian or Pacific Islander"
    ASIAN = "asian", "Asian"
    NATIVE_AMERICAN_ALASKA = "native_american_alaska", "American Indian or Alaska Native"
    TWO_OR_MORE = "two_or_more", "Two or more races"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


def category_of(value: str) -> str:
    """An answer as the report counts it: "prefer not to say" and no answer are unknown."""
    return value if value and value != "prefer_not_to_say" else UNKNOWN


class DemographicAnswer(models.Model):
    """One candidate's voluntary answers. Never shown to clients, never read by scoring."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="+", editable=False
    )
    sex = models.CharField(max_length=24, choices=Sex.choices, blank=True)
    race_ethnicity = models.CharField(max_length=32, choices=RaceEthnicity.choices, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()  # no staff role browses individual answers

    def __str__(self) -> str:
        return f"Demographic answers {self.pk}"


class FairnessRecord(models.Model):
    """A scored attempt of a deleted account: what the bias audit needs, and nothing else.

    ``subject`` is a random id shared by one deleted person's records, so the report can
    still count one result per person; it is derived from nothing and links to nothing.
    """

    subject = models.UUIDField(default=uuid.uuid4, db_index=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField()
    tier = models.CharField(max_length=16, choices=Tier.choices)
    score = models.FloatField()
    sex = models.CharField(max_length=24, blank=True)
    race_ethnicity = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scored_at"]
        verbose_name = "fairness report"
        verbose_name_plural = "fairness report"
        default_permissions = ()
        permissions = [("view_fairness_report", "Can see the fairness report")]
        indexes = [models.Index(fields=["domain", "scored_at"])]

    def __str__(self) -> str:
        return f"Anonymised result in {self.domain_id} on {self.scored_at:%Y-%m-%d}"
