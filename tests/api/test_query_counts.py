"""The number of queries of every list endpoint does not grow with the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from api import services as api_services
from api.models import WebhookDelivery
from marketplace.models import Offer, Project, ProjectSkill
from tests.api.conftest import make_project, matchable_candidate

N = 60


def queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def many(settings, owner_a, domain, skills):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    first = make_project(owner_a, domain, skills, title="P0")
    with scopes_disabled():
        copies = Project.objects.bulk_create(
            Project(
                organization=owner_a.organization,
                title=f"P{n}",
                domain=domain,
                rate_min=50,
                rate_max=100,
                hours_per_week=20,
            )
            for n in range(1, N)
        )
        ProjectSkill.objects.bulk_create(
            ProjectSkill(organization=owner_a.organization, project=p, skill=s, weight=3)
            for p in copies
            for s in skills.values()
        )
    projects = [first, *copies]
    candidates = [matchable_candidate(domain, skills, n) for n in range(N)]
    with scopes_disabled():
        Offer.objects.bulk_create(
            Offer(organization=owner_a.organization, project=projects[0], candidate=c)
            for c in candidates
        )
    with scope(organization=owner_a.organization):
        endpoint = api_services.webhook_endpoint_create(
            organization=owner_a.organization, url="https://a.example/h", events=["offer.sent"]
        )
        for n in range(N):
            api_services.webhook_endpoint_create(
                organization=owner_a.organization,
                url=f"https://a.example/{n}",
                events=["offer.sent"],
            )
    with scopes_disabled():
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                organization=owner_a.organization,
                endpoint=endpoint,
                event_id=f"msg_{n}",
                event_type="offer.sent",
                payload={"n": n},
            )
            for n in range(N)
        )
    return {"project": projects[0], "endpoint": endpoint}


def test_list_queries_do_not_grow_with_the_page_size(api_a, many):
    lists = [
        "/api/v1/projects/",
        "/api/v1/offers/",
        "/api/v1/webhooks/",
        f"/api/v1/webhooks/{many['endpoint'].pk}/deliveries/",
    ]
    api_a.get("/api/v1/projects/")  # last_used_at is written once a minute: not in the counts
    for url in lists:
        small = queries(api_a, url, {"page_size": 5})
        large = queries(api_a, url, {"page_size": 50})
        assert small == large, (url, small, large)
        assert large <= 6, (url, large)


def test_match_queries_do_not_grow_with_the_limit(api_a, many, owner_a):
    url = f"/api/v1/projects/{many['project'].pk}/matches/"
    api_a.get(url)
    small = queries(api_a, url, {"limit": 5})
    large = queries(api_a, url, {"limit": 50})
    # On PostgreSQL matching fetches candidates in bands of required-skill weight until
    # the top k is settled: a bigger k may take one band query more, never one per row.
    with scope(organization=owner_a.organization):
        levels = len({r.weight for r in many["project"].requirements.all()}) + 1
    assert small <= large <= small + levels, (small, large)
    assert large <= 12
