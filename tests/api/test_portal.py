"""Client-portal pages for API keys and webhooks: admins and owners only."""

from __future__ import annotations

import re

from django_scopes import scopes_disabled

from api.models import OrganizationAPIKey, WebhookEndpoint


def test_owner_creates_a_key_shown_once(owner_a, owner_a_client):
    url = f"/o/{owner_a.organization.slug}/api/keys/"
    response = owner_a_client.post(url, {"name": "ATS sync"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    shown = re.search(rb'value="([A-Za-z0-9]{8}\.[A-Za-z0-9]+)"', response.content).group(1)
    with scopes_disabled():
        key = OrganizationAPIKey.objects.get(name="ATS sync")
    assert shown.decode().startswith(key.prefix + ".")
    again = owner_a_client.get(url)
    assert shown not in again.content and key.prefix.encode() in again.content


def test_owner_revokes_a_key(owner_a, owner_a_client):
    base = f"/o/{owner_a.organization.slug}/api/keys/"
    owner_a_client.post(base, {"name": "old"})
    with scopes_disabled():
        key = OrganizationAPIKey.objects.get(name="old")
    response = owner_a_client.post(f"{base}{key.prefix}/revoke/")
    assert response.status_code == 302
    with scopes_disabled():
        key.refresh_from_db()
    assert key.revoked and key.revoked_at


def test_viewers_may_not_manage_the_api(owner_a, viewer_a, viewer_a_client):
    slug = owner_a.organization.slug
    for path in ("api/keys/", "api/webhooks/"):
        assert viewer_a_client.get(f"/o/{slug}/{path}").status_code == 403
        assert viewer_a_client.post(f"/o/{slug}/{path}", {"name": "x"}).status_code == 403


def test_owner_adds_an_endpoint_rotates_and_reads_deliveries(owner_a, owner_a_client):
    slug = owner_a.organization.slug
    response = owner_a_client.post(
        f"/o/{slug}/api/webhooks/",
        {"url": "https://a.example/hook", "events": ["offer.sent", "project.filled"]},
    )
    assert response.status_code == 200
    with scopes_disabled():
        endpoint = WebhookEndpoint.objects.get(url="https://a.example/hook")
    assert endpoint.secret.encode() in response.content
    assert endpoint.events == ["offer.sent", "project.filled"]
    detail = owner_a_client.get(f"/o/{slug}/api/webhooks/{endpoint.pk}/")
    assert detail.status_code == 200 and endpoint.secret.encode() not in detail.content
    rotated = owner_a_client.post(f"/o/{slug}/api/webhooks/{endpoint.pk}/rotate/")
    with scopes_disabled():
        endpoint.refresh_from_db()
    assert endpoint.secret.encode() in rotated.content
    assert owner_a_client.post(f"/o/{slug}/api/webhooks/{endpoint.pk}/delete/").status_code == 302


def test_docs_and_schema_are_public(client):
    assert client.get("/api/docs/").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/projects/{id}/matches/" in schema.content
