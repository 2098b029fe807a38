"""The marketplace's changes reach the organization's webhook endpoints as events."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled

from api import services as api_services
from api.models import WebhookDelivery, WebhookEvent
from marketplace import services as marketplace
from tests.api.conftest import make_project, offer_for


def events(org) -> list[tuple[str, dict]]:
    with scopes_disabled():
        return [
            (d.event_type, d.payload["data"])
            for d in WebhookDelivery.objects.filter(organization=org).order_by("id")
        ]


def subscribe(org):
    with scope(organization=org):
        api_services.webhook_endpoint_create(
            organization=org, url="https://a.example/h", events=[e.value for e in WebhookEvent]
        )


def test_offer_lifecycle_emits_events(owner_a, member_b, domain, skills, candidates):
    subscribe(owner_a.organization)
    subscribe(member_b.organization)
    project = make_project(owner_a, domain, skills, seats=1)
    accepted = offer_for(owner_a, project, candidates[0])
    declined = offer_for(owner_a, project, candidates[1])
    pending = offer_for(owner_a, project, candidates[2])
    with scope(organization=owner_a.organization):
        marketplace.offer_decline(candidate=candidates[1], offer=declined)
        marketplace.offer_accept(candidate=candidates[0], offer=accepted)
    kinds = [kind for kind, _ in events(owner_a.organization)]
    assert kinds == [
        "offer.sent",
        "offer.sent",
        "offer.sent",
        "offer.declined",
        "offer.withdrawn",  # the last seat went: the open offer is withdrawn
        "offer.accepted",
        "project.filled",
    ]
    data = dict(events(owner_a.organization))
    assert data["offer.withdrawn"]["offer"]["id"] == pending.pk
    assert data["project.filled"]["project"] == {
        "id": project.pk,
        "title": project.title,
        "status": "filled",
        "seats": 1,
    }
    assert events(member_b.organization) == []


def test_expiry_and_withdrawal_emit_events(owner_a, domain, skills, candidates):
    from datetime import timedelta

    from django.utils import timezone

    subscribe(owner_a.organization)
    project = make_project(owner_a, domain, skills)
    first = offer_for(owner_a, project, candidates[0])
    offer_for(owner_a, project, candidates[1])
    with scope(organization=owner_a.organization):
        marketplace.offer_withdraw(actor=owner_a, offer=first)
    marketplace.offers_expire(now=timezone.now() + timedelta(days=30))
    kinds = [kind for kind, _ in events(owner_a.organization)]
    assert kinds == ["offer.sent", "offer.sent", "offer.withdrawn", "offer.expired"]
