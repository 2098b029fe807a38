"""Filters of the list endpoints. Every filter is declared: django-filter would otherwise
build them from model fields at import time, with a query that a scoped model refuses."""

from __future__ import annotations

import django_filters

from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from marketplace.models import Offer, OfferSource, OfferStatus, Project, ProjectStatus


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices)
    domain = django_filters.CharFilter(field_name="domain__slug", help_text="Domain slug.")
    instant_offers = django_filters.BooleanFilter()
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Project
        fields: list[str] = []


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices)
    source = django_filters.ChoiceFilter(choices=OfferSource.choices)
    project = django_filters.NumberFilter(field_name="project_id")
    candidate = django_filters.NumberFilter(field_name="candidate_id")
    sent_after = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte")
    sent_before = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="lt")

    class Meta:
        model = Offer
        fields: list[str] = []


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(choices=WebhookEvent.choices)

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []
