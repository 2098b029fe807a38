"""Projects (a client's need), their required skills, and offers to candidates.

All three are organization-owned and scoped (django-scopes): a query outside the
organization's scope raises instead of leaking.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Candidate, Organization
from accounts.tenancy import OrganizationScopedManager
from interviews.models import Domain, Skill, Tier


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class MinimumTier(models.TextChoices):
    """The tiers a project may ask for: only these are ever matched."""

    EXPERT = Tier.EXPERT.value, Tier.EXPERT.label
    VERIFIED_EXPERT = Tier.VERIFIED_EXPERT.value, Tier.VERIFIED_EXPERT.label


class Project(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="projects")
    minimum_tier = models.CharField(
        max_length=16, choices=MinimumTier.choices, default=MinimumTier.EXPERT
    )
    rate_min = models.PositiveIntegerField(help_text="US dollars per hour.")
    rate_max = models.PositiveIntegerField(help_text="US dollars per hour.")
    hours_per_week = models.PositiveSmallIntegerField()
    seats = models.PositiveSmallIntegerField(default=1)
    instant_offers = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_min__lte=F("rate_max")), name="project_rate_range"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="project_at_least_one_seat"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title


class ProjectSkill(models.Model):
    """A required skill of a project. Carries the organization so it is scoped like its project."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirements")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(default=3)
    must_have = models.BooleanField(default=False)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-must_have", "-weight", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "skill"], name="project_skill_once"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5), name="project_skill_weight_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} (weight {self.weight}) for {self.project_id}"


class OfferStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OfferSource(models.TextChoices):
    MANUAL = "manual", "Sent by a member"
    INSTANT = "instant", "Instant offer"


def offer_expiry():
    return timezone.now() + timedelta(days=settings.VETTA_OFFER_VALID_DAYS)


class Offer(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="offers")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="offers")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="offers")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.SENT)
    source = models.CharField(max_length=8, choices=OfferSource.choices, default=OfferSource.MANUAL)
    message = models.TextField(blank=True)
    match_score = models.FloatField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=offer_expiry)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # Never the same project twice to one candidate, whatever became of the first.
            models.UniqueConstraint(fields=["project", "candidate"], name="one_offer_per_project")
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["candidate", "status"]),
        ]

    def __str__(self) -> str:
        return f"Offer of {self.project_id} to {self.candidate_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.SENT and self.expires_at > timezone.now()
