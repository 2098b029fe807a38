"""Projects, matches and offers through the partner API: thin over the marketplace services."""

from __future__ import annotations

from django_scopes import scopes_disabled

from marketplace.models import Offer, OfferStatus, Project, ProjectStatus

PROJECT = {
    "title": "Grade LLM answers",
    "description": "Rubric design for code generation.",
    "domain": "api-machine-learning",
    "rate_min": 50,
    "rate_max": 110,
    "hours_per_week": 15,
    "seats": 1,
    "requirements": [
        {"skill": "api-pytorch", "weight": 5, "must_have": True},
        {"skill": "api-rlhf", "weight": 2},
    ],
}


def test_project_lifecycle(api_a, owner_a, skills, candidates):
    created = api_a.post("/api/v1/projects/", PROJECT, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert [r["skill"] for r in body["requirements"]] == ["api-pytorch", "api-rlhf"]
    url = f"/api/v1/projects/{body['id']}/"
    with scopes_disabled():
        project = Project.objects.get(pk=body["id"])
    assert project.organization_id == owner_a.organization_id
    assert project.created_by == owner_a.user

    assert api_a.get(url).json()["title"] == "Grade LLM answers"
    patched = api_a.patch(url, {"seats": 2, "title": "Grade LLM answers well"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["seats"] == 2
    assert len(patched.json()["requirements"]) == 2  # untouched by a partial update

    assert api_a.post(f"{url}publish/").json()["status"] == "open"
    matches = api_a.get(f"{url}matches/").json()["results"]
    assert len(matches) == 3
    assert [m["rank"] for m in matches] == [1, 2, 3]

    closed = api_a.post(f"{url}close/")
    assert closed.json()["status"] == "closed"
    again = api_a.post(f"{url}close/")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "The project is already closed."


def test_invalid_project_is_400_with_fields(api_a, skills):
    response = api_a.post(
        "/api/v1/projects/",
        {**PROJECT, "rate_min": -1, "domain": "nope", "requirements": [{"skill": "zzz"}]},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"rate_min", "domain", "requirements[0].skill"} <= set(fields)


def test_a_rule_of_the_service_is_400_on_create(api_a, skills):
    response = api_a.post(
        "/api/v1/projects/", {**PROJECT, "rate_min": 200, "rate_max": 100}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The lowest rate cannot be above the highest."


def test_matches_show_only_the_profile_summary(api_a, project_a, candidates):
    response = api_a.get(f"/api/v1/projects/{project_a.pk}/matches/", {"limit": 2})
    assert response.status_code == 200
    matches = response.json()["results"]
    assert len(matches) == 2
    allowed = {
        "rank",
        "candidate",
        "tier",
        "score_band",
        "match_score",
        "rate",
        "hours_per_week",
        "available",
        "skills",
        "other_skills",
        "parts",
        "rate_fit",
        "hours_fit",
    }
    for match in matches:
        assert set(match) == allowed
        assert {s["shown"] for s in match["skills"]} <= {"interview", "resume", "missing"}
    text = response.content.decode()
    for secret in ("Match0", "match0@", "transcript", "audio", "headline"):
        assert secret not in text


def test_matches_limit_is_checked(api_a, project_a):
    for bad in ("0", "101", "x"):
        response = api_a.get(f"/api/v1/projects/{project_a.pk}/matches/", {"limit": bad})
        assert response.status_code == 400
        assert "limit" in response.json()["error"]["fields"]


def test_offer_create_list_read_withdraw(api_a, project_a, candidates):
    response = api_a.post(
        "/api/v1/offers/",
        {"project": project_a.pk, "candidate": candidates[1].pk, "message": "Join us"},
        format="json",
    )
    assert response.status_code == 201, response.content
    offer = response.json()
    assert offer["status"] == "sent" and offer["project"] == project_a.pk

    listed = api_a.get("/api/v1/offers/", {"status": "sent"}).json()["results"]
    assert [o["id"] for o in listed] == [offer["id"]]
    assert api_a.get(f"/api/v1/offers/{offer['id']}/").json()["message"] == "Join us"

    withdrawn = api_a.post(f"/api/v1/offers/{offer['id']}/withdraw/")
    assert withdrawn.json()["status"] == "withdrawn"
    assert api_a.post(f"/api/v1/offers/{offer['id']}/withdraw/").status_code == 409
    with scopes_disabled():
        assert Offer.objects.get(pk=offer["id"]).status == OfferStatus.WITHDRAWN


def test_offer_to_a_non_matching_or_unknown_candidate_is_the_same_409(api_a, project_a, candidate):
    outsider = api_a.post(
        "/api/v1/offers/", {"project": project_a.pk, "candidate": candidate.pk}, format="json"
    )
    unknown = api_a.post(
        "/api/v1/offers/", {"project": project_a.pk, "candidate": 987654321}, format="json"
    )
    assert outsider.status_code == unknown.status_code == 409
    assert outsider.json() == unknown.json()


def test_cursor_pagination_and_filters(api_a, owner_a, domain, skills):
    from tests.api.conftest import make_project

    for n in range(7):
        make_project(owner_a, domain, skills, publish=n % 2 == 0, title=f"P{n}")
    page = api_a.get("/api/v1/projects/", {"page_size": 3}).json()
    assert [p["title"] for p in page["results"]] == ["P6", "P5", "P4"]
    following = api_a.get(page["next"]).json()
    assert [p["title"] for p in following["results"]] == ["P3", "P2", "P1"]
    drafts = api_a.get("/api/v1/projects/", {"status": "draft"}).json()["results"]
    assert {p["status"] for p in drafts} == {ProjectStatus.DRAFT}
    assert len(drafts) == 3
