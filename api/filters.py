"""Filters of the list endpoints. Every filter is declared: django-filter would otherwise
build them from model fields at import time, with a query that a scoped model refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend

from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from marketplace.models import Offer, OfferSource, OfferStatus, Project, ProjectStatus

MAX_ID = 2**63 - 1  # a BIGINT; a larger number is nobody's id (and overflows SQLite)


class DeclaredFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters.

    Building and validating a filter form costs about as much as the list's query, and an
    empty form filters nothing. Every filter here is one query parameter of its own name.
    """

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 with any offset, handed to the database in UTC (PostgreSQL refuses odd
    offsets such as -19:26 that ISO 8601 allows)."""

    def to_python(self, value: object) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a date and time within range.") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices)
    domain = django_filters.CharFilter(field_name="domain__slug", help_text="Domain slug.")
    instant_offers = django_filters.BooleanFilter()
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Project
        fields: list[str] = []


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices)
    source = django_filters.ChoiceFilter(choices=OfferSource.choices)
    project = IdFilter(field_name="project_id")
    candidate = IdFilter(field_name="candidate_id")
    sent_after = UTCDateTimeFilter(field_name="sent_at", lookup_expr="gte")
    sent_before = UTCDateTimeFilter(field_name="sent_at", lookup_expr="lt")

    class Meta:
        model = Offer
        fields: list[str] = []


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(choices=WebhookEvent.choices)

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []
