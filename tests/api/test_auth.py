"""API keys: a usable key of the organization or 401, in the one error format."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from api import services as api_services
from api.models import OrganizationAPIKey
from tests.api.conftest import client_with, key_for

URL = "/api/v1/projects/"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)


def test_no_key_is_401(db, client):
    response = client.get(URL)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Api-Key")


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key",
        "Api-Key not-a-key",
        "Api-Key abc.def",
        "Bearer something",
        "Api-Key " + "x" * 500,
        "Api-Key .",
    ],
)
def test_malformed_keys_are_401(db, client, header):
    assert client.get(URL, HTTP_AUTHORIZATION=header).status_code == 401


def test_wrong_secret_with_a_real_prefix_is_401(key_a):
    _, raw = key_a
    prefix, _, secret = raw.partition(".")
    forged = f"{prefix}.{'A' * len(secret)}"
    assert_error(client_with(forged).get(URL), 401, "authentication_failed")


def test_revoked_key_is_401(owner_a, key_a):
    api_key, raw = key_a
    assert client_with(raw).get(URL).status_code == 200
    with scope(organization=owner_a.organization):
        api_services.api_key_revoke(actor=owner_a, api_key=api_key)
    assert_error(client_with(raw).get(URL), 401, "authentication_failed")


def test_expired_key_is_401(owner_a):
    with scope(organization=owner_a.organization):
        _, raw = api_services.api_key_create(
            actor=owner_a, name="short", expires_at=timezone.now() + timedelta(minutes=5)
        )
    assert client_with(raw).get(URL).status_code == 200  # and now in the key cache
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        assert_error(client_with(raw).get(URL), 401, "authentication_failed")


def test_a_changed_key_is_read_again(owner_a):
    """The key lookup is cached; a save (the admin's path) drops the cached copy."""
    with scope(organization=owner_a.organization):
        api_key, raw = api_services.api_key_create(
            actor=owner_a, name="short", expires_at=timezone.now() + timedelta(minutes=5)
        )
    assert client_with(raw).get(URL).status_code == 200
    with scopes_disabled():
        api_key.expiry_date = timezone.now() - timedelta(seconds=1)
        api_key.save()
    assert_error(client_with(raw).get(URL), 401, "authentication_failed")
    with scopes_disabled():
        api_key.delete()
    assert_error(client_with(raw).get(URL), 401, "authentication_failed")


def test_a_revoked_key_is_refused_after_the_key_cache_expires_anyway(settings, owner_a, key_a):
    """Even a revoke that skipped the service (a raw UPDATE) holds after KEY_CACHE_SECONDS."""
    from api.auth import KEY_CACHE_SECONDS

    # The per-process cache: its expiry follows time_machine's clock (Redis keeps its own).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    api_key, raw = key_a
    assert client_with(raw).get(URL).status_code == 200
    with scopes_disabled():
        OrganizationAPIKey.objects.filter(pk=api_key.pk).update(revoked=True)
    with time_machine.travel(timezone.now() + timedelta(seconds=KEY_CACHE_SECONDS + 1)):
        assert_error(client_with(raw).get(URL), 401, "authentication_failed")


def test_key_is_stored_hashed_with_a_visible_prefix(key_a):
    api_key, raw = key_a
    prefix = raw.split(".")[0]
    assert api_key.prefix == prefix
    assert raw not in api_key.hashed_key and raw.split(".")[1] not in api_key.hashed_key
    assert api_key.hashed_key.startswith("sha512$$")


def test_last_used_is_recorded(key_a):
    api_key, raw = key_a
    assert api_key.last_used_at is None
    client_with(raw).get(URL)
    with scopes_disabled():
        api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(key_a, django_assert_num_queries):
    api_key, raw = key_a
    client = client_with(raw)
    client.get(URL)  # reads and caches the key, writes last_used_at
    with scopes_disabled():
        first = OrganizationAPIKey.objects.get(pk=api_key.pk).last_used_at
    with django_assert_num_queries(1):  # the project list only: no key read, no write
        client.get(URL)
    later = timezone.now() + timedelta(minutes=1, seconds=1)
    with time_machine.travel(later):
        client.get(URL)
    with scopes_disabled():
        assert OrganizationAPIKey.objects.get(pk=api_key.pk).last_used_at > first


def test_only_admins_create_keys(viewer_a, recruiter_a):
    from accounts.errors import PermissionDeniedError

    for member in (viewer_a, recruiter_a):
        with pytest.raises(PermissionDeniedError), scope(organization=member.organization):
            api_services.api_key_create(actor=member, name="nope")


def test_unknown_api_url_is_404_json_after_the_key(api_a, client):
    assert_error(client.get("/api/v1/nothing-here/"), 401, "not_authenticated")
    assert_error(api_a.get("/api/v1/nothing-here/"), 404, "not_found")


def test_method_not_allowed_is_405_json(api_a):
    assert_error(api_a.delete(URL), 405, "method_not_allowed")


def test_throttled_per_key_is_429_json(settings, api_a, api_b):
    settings.VETTA_API_RATE = "3/minute"
    for _ in range(3):
        assert api_a.get(URL).status_code == 200
    response = api_a.get(URL)
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # Another key has its own count.
    assert api_b.get(URL).status_code == 200


def test_a_key_reaches_its_own_organization_only(key_a, owner_a, member_b):
    assert key_for(member_b)[0].organization_id != owner_a.organization_id
