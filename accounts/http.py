"""Request types for the type checker: what the middleware and login guarantee a view has."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Membership, Organization, User


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


class OrganizationRequest(AuthenticatedRequest):
    """A client-portal request: ``TenantScopeMiddleware`` set these after checking membership."""

    organization: Organization
    membership: Membership
