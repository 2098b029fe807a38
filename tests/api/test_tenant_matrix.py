"""Every endpoint and method: organization B's key gets 404 for A's objects, exactly like
for ids that do not exist; A's ids in B's request bodies are refused; no key is 401."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver
from django_scopes import scope

from api import services as api_services
from tests.api.conftest import client_with

METHODS = ["get", "put", "patch", "post", "delete"]


def api_routes() -> list[tuple[str, frozenset[str]]]:
    """(route, methods) of every /api/v1/ pattern, discovered from the URLconf."""
    _, resolver = get_resolver().namespace_dict["api"]
    routes = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions is None:
            continue  # the catch-all 404
        routes.append((route, frozenset(actions)))
    return routes


def fill(route: str, ids: dict[str, int]) -> str:
    resource = route.split("/")[0]
    path = re.sub(r"\(\?P<pk>[^)]*\)", str(ids[resource]), route)
    return "/api/v1/" + path.replace("\\.", ".")


def test_routes_are_discovered():
    routes = dict(api_routes())
    assert len(routes) >= 10
    detail = [r for r in routes if "(?P<pk>" in r]
    assert {r.split("/")[0] for r in detail} == {"projects", "offers", "webhooks"}


@pytest.fixture
def a_objects(owner_a, project_a, offer_a):
    with scope(organization=owner_a.organization):
        endpoint = api_services.webhook_endpoint_create(
            organization=owner_a.organization, url="https://a.example/hook", events=["offer.sent"]
        )
    return {"projects": project_a.pk, "offers": offer_a.pk, "webhooks": endpoint.pk}


def _body():
    return {"title": "x", "url": "https://b.example/hook", "events": ["offer.sent"]}


def test_b_gets_404_for_every_object_of_a(a_objects, api_b):
    missing = {k: 999_999_999 for k in a_objects}
    checked = 0
    for route, actions in api_routes():
        if "(?P<pk>" not in route:
            continue  # lists: test_lists_show_only_the_keys_organization
        for method in METHODS:
            if method not in actions:
                continue
            checked += 1
            theirs = getattr(api_b, method)(fill(route, a_objects), _body(), format="json")
            nothing = getattr(api_b, method)(fill(route, missing), _body(), format="json")
            assert theirs.status_code == 404, (method, route, theirs.content)
            assert theirs.json() == nothing.json()
    assert checked >= 12


@pytest.mark.parametrize("auth", ["none", "malformed", "revoked"])
def test_every_endpoint_refuses_without_a_usable_key(auth, a_objects, key_a, owner_a):
    raw = {"none": None, "malformed": "Api-Key-ish", "revoked": key_a[1]}[auth]
    if auth == "revoked":
        with scope(organization=owner_a.organization):
            api_services.api_key_revoke(actor=owner_a, api_key=key_a[0])
    client = client_with(raw)
    for route, _actions in api_routes():
        for method in METHODS:
            response = getattr(client, method)(fill(route, a_objects), _body(), format="json")
            assert response.status_code == 401, (method, route)
            codes = {"not_authenticated", "authentication_failed"}
            assert response.json()["error"]["code"] in codes


def test_lists_show_only_the_keys_organization(a_objects, project_b, offer_b, api_b):
    for resource in ("projects", "offers", "webhooks"):
        ids = {row["id"] for row in api_b.get(f"/api/v1/{resource}/").json()["results"]}
        assert a_objects[resource] not in ids, resource
    assert {p["id"] for p in api_b.get("/api/v1/projects/").json()["results"]} == {project_b.pk}


def test_filters_cannot_reach_another_organization(a_objects, api_b):
    response = api_b.get("/api/v1/offers/", {"project": a_objects["projects"]})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_foreign_project_in_an_offer_body_is_refused(a_objects, candidates, api_b, project_b):
    response = api_b.post(
        "/api/v1/offers/",
        {"project": a_objects["projects"], "candidate": candidates[1].pk},
        format="json",
    )
    nothing = api_b.post(
        "/api/v1/offers/", {"project": 999_999_999, "candidate": candidates[1].pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "project" in response.json()["error"]["fields"]
    assert response.json() == nothing.json()
