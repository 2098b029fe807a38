"""Reads of the marketplace. Constant query counts: lists select their relations up front."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Candidate, Organization, User
from accounts.tenancy import scopes_disabled
from interviews.models import TIER_RANK, Tier
from marketplace.models import Offer, OfferStatus, Project, ProjectStatus


def projects_of(*, organization: Organization) -> QuerySet[Project]:
    return (
        Project.objects.filter(organization=organization)
        .select_related("domain")
        .annotate(
            # distinct: the requirements join multiplies offer rows otherwise.
            accepted_count=Count(
                "offers", filter=Q(offers__status=OfferStatus.ACCEPTED), distinct=True
            ),
            open_offer_count=Count(
                "offers", filter=Q(offers__status=OfferStatus.SENT), distinct=True
            ),
            requirement_count=Count("requirements", distinct=True),
        )
    )


def project_requirements(*, project: Project):
    return project.requirements.select_related("skill")


def offers_of(*, organization: Organization, status: str = "") -> QuerySet[Offer]:
    queryset = Offer.objects.filter(organization=organization).select_related(
        "project", "candidate__user", "sent_by"
    )
    if status in OfferStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def offers_of_project(*, project: Project) -> QuerySet[Offer]:
    return Offer.objects.filter(project=project).select_related("candidate__user", "sent_by")


def offers_for_candidate(*, candidate: Candidate) -> QuerySet[Offer]:
    return Offer.objects.filter(candidate=candidate).select_related(
        "project", "project__domain", "organization"
    )


def organizations_offering(*, user: User) -> list[int]:
    """Ids of organizations that sent this person an offer: the candidate portal's scope."""
    # Candidates are global: which organizations reached them is known only across tenants.
    with scopes_disabled():
        return sorted(
            set(
                Offer.objects.filter(candidate__user=user).values_list("organization_id", flat=True)
            )
        )


def open_instant_projects_in(*, domain_id: int, tier_rank: int) -> list[int]:
    """Open projects with instant offers in a domain whose minimum tier the rank reaches."""
    allowed = [t for t in (Tier.EXPERT, Tier.VERIFIED_EXPERT) if TIER_RANK[t] <= tier_rank]
    # A newly released candidate may fit any organization's project.
    with scopes_disabled():
        return list(
            Project.objects.filter(
                domain_id=domain_id,
                status=ProjectStatus.OPEN,
                instant_offers=True,
                minimum_tier__in=allowed,
            ).values_list("pk", flat=True)
        )
