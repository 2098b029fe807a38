"""Tenancy: organization B never reaches A's pages; unscoped queries raise."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import get_resolver
from django_scopes import ScopeError, scope, scopes_disabled

from accounts.models import Invitation, Membership, Role


def org_routes() -> list[str]:
    """Every URL pattern of the client portal, with placeholders, discovered from the URLconf."""
    resolver = get_resolver()
    _, org_resolver = resolver.namespace_dict["org"]
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                routes.append(prefix + str(p.pattern))

    walk(org_resolver.url_patterns, "")
    return routes


def fill(route: str, slug: str, object_id: int) -> str:
    path = re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: slug if m.group(1) == "org_slug" else str(object_id), route
    )
    return f"/o/{slug}/{path}"


def test_org_routes_are_discovered():
    assert len(org_routes()) >= 5


@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_b_gets_404_on_every_page_of_a(method, owner_a, viewer_a, member_b_client):
    with scopes_disabled():
        object_id = Membership.objects.filter(organization=owner_a.organization).first().pk
    for route in org_routes():
        response = getattr(member_b_client, method)(
            fill(route, owner_a.organization.slug, object_id)
        )
        assert response.status_code == 404, route


def test_not_yours_answers_like_not_found(owner_a, member_b_client):
    mine = member_b_client.get(f"/o/{owner_a.organization.slug}/members/")
    missing = member_b_client.get("/o/no-such-org/members/")
    assert mine.status_code == missing.status_code == 404
    assert mine.content == missing.content


def test_anonymous_is_sent_to_login(owner_a, client):
    response = client.get(f"/o/{owner_a.organization.slug}/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_of_a_sees_a(owner_a, owner_a_client):
    response = owner_a_client.get(f"/o/{owner_a.organization.slug}/members/")
    assert response.status_code == 200
    assert b"owner@a.test" in response.content


def test_b_membership_ids_are_404_inside_a(owner_a, member_b, owner_a_client):
    """Another organization's object id placed in A's URL answers 404, not 403."""
    url = f"/o/{owner_a.organization.slug}/members/{member_b.pk}/role/"
    response = owner_a_client.post(url, {"role": Role.VIEWER})
    assert response.status_code == 404
    with scopes_disabled():
        member_b.refresh_from_db()
    assert member_b.role == Role.OWNER


def scoped_models():
    return [
        model
        for model in apps.get_models()
        if "ScopedManager" in type(model._default_manager).__qualname__
        or hasattr(model._default_manager, "with_scopes_disabled")
    ]


def test_every_organization_owned_model_is_scoped():
    owned = {m for m in apps.get_models() if any(f.name == "organization" for f in m._meta.fields)}
    assert owned, "expected organization-owned models"
    missing = owned - set(scoped_models())
    assert not missing, f"organization-owned models without a ScopedManager: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", scoped_models(), ids=lambda m: m.__name__)
def test_unscoped_query_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_scope_filters_to_the_organization(owner_a, member_b):
    with scope(organization=owner_a.organization):
        assert list(Membership.objects.values_list("user__email", flat=True)) == ["owner@a.test"]
        assert not Invitation.objects.exists()
