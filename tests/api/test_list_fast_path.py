"""The project list serialises plain rows (api.serializers.project_rows) for speed; what it
answers must be exactly what ProjectSerializer gives, the contract and the schema."""

from __future__ import annotations

import json

from django_scopes import scope

from api.serializers import ProjectSerializer
from marketplace import services as marketplace
from marketplace.models import Project
from tests.api.conftest import make_project


def _serialised(organization, ids: list[int]) -> list[dict]:
    with scope(organization=organization):
        projects = (
            Project.objects.filter(pk__in=ids)
            .select_related("domain")
            .prefetch_related("requirements__skill")
            .order_by("-id")
        )
        return json.loads(json.dumps(ProjectSerializer(projects, many=True).data))


def test_list_rows_equal_the_serializer(api_a, owner_a, member_b, domain, skills):
    draft = make_project(owner_a, domain, skills, publish=False, title="Draft", description="")
    published = make_project(owner_a, domain, skills, title="Open", instant_offers=True)
    closed = make_project(owner_a, domain, skills, title="Closed", description="Long text é")
    with scope(organization=owner_a.organization):
        marketplace.project_close(actor=owner_a, project=closed)
        bare = marketplace.project_create(
            actor=owner_a,
            data=marketplace.ProjectInput(
                title="No skills", domain=domain, rate_min=1, rate_max=2, hours_per_week=1
            ),
            requirements=[],
        )
    make_project(member_b, domain, skills, title="B's, not shown")
    ids = [draft.pk, published.pk, closed.pk, bare.pk]

    response = api_a.get("/api/v1/projects/")
    assert response.status_code == 200
    assert response.json()["results"] == _serialised(owner_a.organization, ids)
    assert {r["id"] for r in response.json()["results"]} == set(ids)

    # Filters and cursor pages go through the same rows.
    response = api_a.get("/api/v1/projects/", {"status": ["open", "closed"]})
    assert response.json()["results"] == _serialised(
        owner_a.organization, [published.pk, closed.pk]
    )
    first = api_a.get("/api/v1/projects/", {"page_size": 3}).json()
    second = api_a.get(first["next"]).json()
    assert first["results"] + second["results"] == _serialised(owner_a.organization, ids)
    assert second["next"] is None
    previous = api_a.get(second["previous"]).json()
    assert previous["results"] == first["results"]
