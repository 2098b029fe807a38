"""Input the database cannot hold is a 400 in the one error format, never a 500.

Found by the schemathesis run on PostgreSQL: a NUL character in a field used for a lookup
reached the database and failed there.
"""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from marketplace.models import Project
from tests.api.test_resources import PROJECT


@pytest.mark.parametrize(
    "field, value",
    [("domain", "api-machine\x00learning"), ("title", "Grade\x00answers")],
)
def test_nul_in_a_body_is_400_and_stores_nothing(api_a, skills, field, value):
    response = api_a.post("/api/v1/projects/", {**PROJECT, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "parse_error"
    with scopes_disabled():
        assert not Project.objects.exists()


def test_nul_in_a_nested_key_is_400(api_a, skills):
    body = {**PROJECT, "requirements": [{"skill\x00": "api-pytorch", "weight": 5}]}
    response = api_a.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400


def test_nul_in_a_filter_is_a_field_error(api_a, skills):
    response = api_a.get("/api/v1/projects/", {"domain": "api-machine\x00learning"})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["domain"] == ["Null characters are not allowed."]
