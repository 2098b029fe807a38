from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Invitation, Membership, Organization, User
from accounts.tenancy import scopes_disabled


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's own memberships in every organization (for navigation and the org list)."""
    # Crosses tenants on purpose: a person may belong to several organizations, and this
    # query is filtered by the person, not by an organization.
    with scopes_disabled():
        return (
            Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("organization__name")
        )


def membership_for(*, user: User, organization: Organization) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.with_scope(organization=organization)
        .filter(user=user)
        .select_related("organization")
        .first()
    )


def members_of(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user")


def open_invitations_of(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    # The token is the secret that grants access; the invitee is not yet a member, so the
    # lookup cannot be scoped to an organization they belong to.
    with scopes_disabled():
        return Invitation.objects.select_related("organization").filter(token=token).first()
