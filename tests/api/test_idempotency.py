"""Idempotency-Key on POST: replay, reuse with another body, and a concurrent duplicate."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django_scopes import scopes_disabled

from api.models import IdempotencyRecord
from marketplace.models import Project
from tests.api.test_resources import PROJECT


def count_projects() -> int:
    with scopes_disabled():
        return Project.objects.count()


def test_replay_returns_the_first_response(api_a, skills):
    first = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert count_projects() == 1
    other = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["id"] != first.json()["id"]


def test_same_key_different_body_is_422(api_a, skills):
    api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    changed = {**PROJECT, "title": "Something else"}
    response = api_a.post("/api/v1/projects/", changed, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert count_projects() == 1


def test_keys_belong_to_one_api_key(api_a, api_b, skills):
    a = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    b = api_b.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_validation_errors_are_replayed_but_server_errors_are_not(api_a, skills, monkeypatch):
    bad = {**PROJECT, "rate_min": -5}
    for _ in range(2):
        response = api_a.post("/api/v1/projects/", bad, format="json", HTTP_IDEMPOTENCY_KEY="v")
        assert response.status_code == 400
    from marketplace import services

    def boom(**kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(services, "project_create", boom)
    response = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="s")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    monkeypatch.undo()
    retry = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="s")
    assert retry.status_code == 201


def test_a_request_in_flight_answers_409(api_a, key_a, skills):
    api_key = key_a[0]
    with scopes_disabled():
        IdempotencyRecord.objects.create(
            organization=api_key.organization, api_key=api_key, key="busy", request_fingerprint="x"
        )
    response = api_a.post("/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_use"


def test_too_long_key_is_400(api_a):
    response = api_a.post(
        "/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_gets_409(owner_a, domain, skills, monkeypatch):
    """Two threads, two connections, the same key at once: one runs, the other gets 409."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises the two requests' connections in tests, so "
            "the duplicate cannot arrive while the first is in flight"
        )
    from marketplace import services
    from tests.api.conftest import client_with, key_for

    raw = key_for(owner_a)[1]
    entered, release = threading.Event(), threading.Event()
    real_create = services.project_create

    def slow_create(**kwargs):
        entered.set()
        assert release.wait(10)
        return real_create(**kwargs)

    monkeypatch.setattr(services, "project_create", slow_create)
    results: dict[str, int] = {}

    def post(name: str) -> None:
        try:
            response = client_with(raw).post(
                "/api/v1/projects/", PROJECT, format="json", HTTP_IDEMPOTENCY_KEY="same"
            )
            results[name] = response.status_code
        finally:
            connections.close_all()

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert entered.wait(10), "the first request never reached the service"
    second = threading.Thread(target=post, args=("second",))
    second.start()
    deadline = time.monotonic() + 10
    while "second" not in results and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": 201, "second": 409}
    assert count_projects() == 1
