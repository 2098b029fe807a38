"""Property-based run of schemathesis against /api/schema/, through the WSGI app, with a
valid key: no 5xx, and every response conforms to the schema (status, content type,
body, headers)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_project

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def wsgi_app(db):
    # Like Django's test client: the app must not close the test's connection (which
    # holds the test transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(
    settings, wsgi_app, owner_a, project_a, offer_a, domain, skills, key_a
):
    """schemathesis' pytest plugin does not run under pytest 9 (it reaches for a private
    attribute), so each operation gets its own Hypothesis run here."""
    settings.VETTA_API_RATE = "100000/minute"
    make_project(owner_a, domain, skills, publish=False, title="Draft")
    from django_scopes import scope

    from api import services as api_services

    with scope(organization=owner_a.organization):
        endpoint = api_services.webhook_endpoint_create(
            organization=owner_a.organization, url="https://a.example/h", events=["offer.sent"]
        )
    real_ids = {"projects": project_a.pk, "offers": offer_a.pk, "webhooks": endpoint.pk}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    headers = {"Authorization": f"Api-Key {key_a[1]}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        resource = operation.path.split("/")[3]
        variants: list[dict | None] = [None]
        if "{id}" in operation.path:
            variants.append({"id": real_ids[resource]})
        for path_parameters in variants:
            strategy = operation.as_strategy(path_parameters=path_parameters)

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            run()
