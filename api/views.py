"""The partner API's views. Thin: the middleware has scoped the request to the key's
organization; serializers check shapes; services enforce the product's rules.

Ids in URLs that are not the organization's answer 404; ids of another organization
placed in a request body answer 400 with a field error, exactly like ids that do not
exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import DomainError
from accounts.models import Candidate, Membership, Role
from api import services as api_services
from api.errors import error_response
from api.filters import DeclaredFilterBackend, DeliveryFilter, OfferFilter, ProjectFilter
from api.idempotency import IdempotentPostMixin
from api.models import OrganizationAPIKey, WebhookDelivery, WebhookEndpoint
from api.serializers import (
    PROJECT_ROW_FIELDS,
    REQUIREMENT_ROW_FIELDS,
    MatchListSerializer,
    MatchSerializer,
    OfferSerializer,
    ProjectSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
    project_rows,
)
from marketplace import services as marketplace
from marketplace.models import Offer, Project, ProjectSkill
from matching.services import project_matches

MATCH_LIMIT_DEFAULT = 20
MATCH_LIMIT_MAX = 100


def request_key(request: Request) -> OrganizationAPIKey:
    """The key the middleware authenticated (HasOrganizationAPIKey guarantees one)."""
    return request._request.api_key  # type: ignore[attr-defined]


def api_actor(request: Request) -> Membership:
    """Who the services see acting: the organization itself, with admin rights.

    A key is an organization's credential, created and revoked by its admins; what it
    does is recorded as done by the member who created it (if they still exist).
    """
    api_key = request_key(request)
    return Membership(organization=api_key.organization, user=api_key.created_by, role=Role.ADMIN)


def _invalid(error: DomainError) -> serializers.ValidationError:
    return serializers.ValidationError({"non_field_errors": [error.message]})


class PartnerViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    filter_backends = [DeclaredFilterBackend]
    lookup_value_regex = r"[0-9]{1,18}"  # below BIGINT's limit; longer is the catch-all 404


def _project_input(
    data: dict[str, Any], instance: Project | None
) -> tuple[marketplace.ProjectInput, list[marketplace.RequirementInput]]:
    values = {
        f: data[f] if f in data else getattr(instance, f)
        for f in marketplace.PROJECT_FIELDS
        if f in data or instance is not None
    }
    if "requirements" in data:
        requirements = [
            marketplace.RequirementInput(
                skill=r["skill"], weight=r["weight"], must_have=r["must_have"]
            )
            for r in data["requirements"]
        ]
    else:
        assert instance is not None
        requirements = [
            marketplace.RequirementInput(skill=r.skill, weight=r.weight, must_have=r.must_have)
            for r in instance.requirements.all()
        ]
    return marketplace.ProjectInput(**values), requirements


@extend_schema_view(
    list=extend_schema(summary="List your projects"),
    create=extend_schema(summary="Create a project (as a draft)"),
    retrieve=extend_schema(summary="Read a project"),
    update=extend_schema(summary="Replace a project's fields"),
    partial_update=extend_schema(summary="Change some of a project's fields"),
)
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    PartnerViewSet,
):
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    queryset = Project.objects.none()

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.select_related("domain").prefetch_related(
            Prefetch("requirements", queryset=ProjectSkill.objects.select_related("skill"))
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The busiest endpoint: two queries of plain rows, no model instances, no serializer
        # per row (the same output as ProjectSerializer: see project_rows). No docstring:
        # drf-spectacular would publish it.
        queryset = self.filter_queryset(Project.objects.all()).values(*PROJECT_ROW_FIELDS)
        page = self.paginate_queryset(queryset)
        assert page is not None  # the API always paginates its lists
        requirements = ProjectSkill.objects.filter(
            project_id__in=[row["id"] for row in page]
        ).values_list(*REQUIREMENT_ROW_FIELDS)
        return self.get_paginated_response(project_rows(page, requirements))

    def _respond(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, requirements = _project_input(serializer.validated_data, None)
        try:
            project = marketplace.project_create(
                actor=api_actor(request), data=data, requirements=requirements
            )
        except DomainError as error:
            raise _invalid(error) from error
        return self._respond(project, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, requirements = _project_input(serializer.validated_data, instance)
        try:
            project = marketplace.project_update(
                actor=api_actor(request), project=instance, data=data, requirements=requirements
            )
        except DomainError as error:
            if "closed or filled" in error.message:
                raise
            raise _invalid(error) from error
        return self._respond(project)

    @extend_schema(summary="Open a draft project for matching and offers", request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        project, _ = marketplace.project_publish(
            actor=api_actor(request), project=self.get_object()
        )
        return self._respond(project)

    @extend_schema(summary="Close a project (withdraws its open offers)", request=None)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        project = marketplace.project_close(actor=api_actor(request), project=self.get_object())
        return self._respond(project)

    @extend_schema(
        summary="The project's ranked matches, with reasons",
        description="Ranked best first. Each match is the candidate's profile summary "
        "(tier, skills, score band, availability, rate) and why they rank where they do.",
        parameters=[
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"How many (1–{MATCH_LIMIT_MAX}, default {MATCH_LIMIT_DEFAULT}).",
            )
        ],
        responses=MatchListSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def matches(self, request: Request, pk: str | None = None) -> Response:
        raw = request.query_params.get("limit", str(MATCH_LIMIT_DEFAULT))
        try:
            limit = int(raw)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MATCH_LIMIT_MAX:
            raise serializers.ValidationError(
                {"limit": [f"Give a whole number from 1 to {MATCH_LIMIT_MAX}."]}
            )
        project = self.get_object()
        matches = project_matches(project, limit=limit)
        return Response({"results": MatchSerializer(matches, many=True).data})


@extend_schema_view(
    list=extend_schema(summary="List your offers"),
    create=extend_schema(summary="Send an offer to a matched candidate"),
    retrieve=extend_schema(summary="Read an offer"),
)
class OfferViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PartnerViewSet
):
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet[Offer]:
        return Offer.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidate = Candidate.objects.filter(pk=data["candidate_id"]).first()
        if candidate is None:
            # Same answer as a candidate who exists but does not match: ids are not probes.
            raise DomainError("This candidate does not match the project (any more).")
        offer = marketplace.offer_send(
            actor=api_actor(request),
            project=data["project"],
            candidate=candidate,
            message=data.get("message", ""),
        )
        return Response(self.get_serializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Withdraw an offer that waits for an answer", request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        offer = marketplace.offer_withdraw(actor=api_actor(request), offer=self.get_object())
        return Response(self.get_serializer(offer).data)


@extend_schema_view(
    list=extend_schema(summary="List your webhook endpoints"),
    create=extend_schema(
        summary="Add a webhook endpoint",
        responses={201: WebhookEndpointWithSecretSerializer},
        description="The response carries the signing secret, once.",
    ),
    retrieve=extend_schema(summary="Read a webhook endpoint"),
    destroy=extend_schema(summary="Delete a webhook endpoint"),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    PartnerViewSet,
):
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()
    filterset_class = None

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            endpoint = api_services.webhook_endpoint_create(
                organization=request_key(request).organization,
                created_by=request_key(request).created_by,
                **serializer.validated_data,
            )
        except DomainError as error:
            raise _invalid(error) from error
        return Response(
            WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        api_services.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(
        summary="Rotate the signing secret",
        description="Returns the new secret, once. Messages are signed with both the new "
        "and the previous secret until previous_secret_expires_at.",
        request=None,
        responses=WebhookEndpointWithSecretSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint = api_services.webhook_endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        summary="Recent deliveries to this endpoint",
        responses=WebhookDeliverySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=WebhookDeliverySerializer,
        filterset_class=DeliveryFilter,
        queryset=WebhookDelivery.objects.none(),  # for the schema: this lists deliveries
    )
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        endpoint = get_object_or_404(self.get_queryset(), pk=pk)
        queryset = self.filter_queryset(WebhookDelivery.objects.filter(endpoint=endpoint))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any other URL under /api/v1/: 404 in the API's format (after the key was checked)."""
    return error_response(404, "not_found", "Not found.")
