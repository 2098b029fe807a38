"""Tenant scoping: every organization-owned model uses :func:`OrganizationScopedManager`.

A query on such a model raises ``ScopeError`` unless a scope is active, so forgetting
the tenant is a crash in tests, not a leak in production. Scopes are entered in one place
per surface (:mod:`accounts.middleware`); ``scopes_disabled()`` is used only where code
must cross tenants, each time with a comment saying why.
"""

from django_scopes import ScopedManager, scope, scopes_disabled

__all__ = ["OrganizationScopedManager", "scope", "scopes_disabled"]


def OrganizationScopedManager():  # noqa: N802 - reads like the manager class it returns
    return ScopedManager(organization="organization")
