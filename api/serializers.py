"""Shapes of the partner API. Serializers check types and shapes only: every rule of the
product is enforced by the service the view calls."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from interviews.models import Domain, Skill
from marketplace.models import MinimumTier, Offer, Project


class RequirementSerializer(serializers.Serializer):
    skill = serializers.SlugRelatedField(
        slug_field="slug", queryset=Skill.objects.all(), help_text="Skill slug (taxonomy)."
    )
    skill_name = serializers.CharField(source="skill.name", read_only=True)
    weight = serializers.IntegerField(min_value=1, max_value=5, default=3)
    must_have = serializers.BooleanField(default=False)


class ProjectSerializer(serializers.ModelSerializer):
    domain = serializers.SlugRelatedField(
        slug_field="slug", queryset=Domain.objects.filter(active=True), help_text="Domain slug."
    )
    minimum_tier = serializers.ChoiceField(choices=MinimumTier.choices, default=MinimumTier.EXPERT)
    requirements = RequirementSerializer(many=True, required=False, default=list)
    rate_min = serializers.IntegerField(min_value=0, max_value=100_000)
    rate_max = serializers.IntegerField(min_value=0, max_value=100_000)
    hours_per_week = serializers.IntegerField(min_value=1, max_value=80)
    seats = serializers.IntegerField(min_value=1, max_value=1000, default=1)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "description",
            "domain",
            "minimum_tier",
            "rate_min",
            "rate_max",
            "hours_per_week",
            "seats",
            "instant_offers",
            "requirements",
            "status",
            "created_at",
            "updated_at",
            "published_at",
            "closed_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "created_at",
            "updated_at",
            "published_at",
            "closed_at",
        ]
        extra_kwargs = {"description": {"required": False, "default": ""}}


# The project list's fast path: rows from ``values()`` turned into exactly what
# ProjectSerializer(many=True).data gives (tests/api/test_list_fast_path.py compares them),
# without a serializer and a model instance per row. ProjectSerializer stays the contract:
# the schema, input validation and every single-project response use it.
PROJECT_ROW_FIELDS = (
    "id",
    "title",
    "description",
    "domain__slug",
    "minimum_tier",
    "rate_min",
    "rate_max",
    "hours_per_week",
    "seats",
    "instant_offers",
    "status",
    "created_at",
    "updated_at",
    "published_at",
    "closed_at",
)
REQUIREMENT_ROW_FIELDS = ("project_id", "skill__slug", "skill__name", "weight", "must_have")


def _iso(value: datetime | None, tz: tzinfo) -> str | None:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, ``Z`` for UTC)."""
    if value is None:
        return None
    value = value.astimezone(tz) if timezone.is_aware(value) else timezone.make_aware(value, tz)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def project_rows(
    rows: Iterable[dict[str, Any]], requirements: Iterable[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """Projects as the API shows them, from ``PROJECT_ROW_FIELDS`` rows and
    ``REQUIREMENT_ROW_FIELDS`` tuples (in ProjectSkill's ordering)."""
    by_project: dict[int, list[dict[str, Any]]] = {}
    for project_id, skill, skill_name, weight, must_have in requirements:
        by_project.setdefault(project_id, []).append(
            {"skill": skill, "skill_name": skill_name, "weight": weight, "must_have": must_have}
        )
    tz = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "domain": row["domain__slug"],
            "minimum_tier": row["minimum_tier"],
            "rate_min": row["rate_min"],
            "rate_max": row["rate_max"],
            "hours_per_week": row["hours_per_week"],
            "seats": row["seats"],
            "instant_offers": row["instant_offers"],
            "requirements": by_project.get(row["id"], []),
            "status": row["status"],
            "created_at": _iso(row["created_at"], tz),
            "updated_at": _iso(row["updated_at"], tz),
            "published_at": _iso(row["published_at"], tz),
            "closed_at": _iso(row["closed_at"], tz),
        }
        for row in rows
    ]


class SkillReasonSerializer(serializers.Serializer):
    name = serializers.CharField()
    weight = serializers.IntegerField()
    must_have = serializers.BooleanField()
    shown = serializers.ChoiceField(
        choices=["interview", "resume", "missing"],
        help_text="Where the candidate showed the skill: in interview answers, only on the "
        "resume, or not at all.",
    )
    points = serializers.FloatField(help_text="What this skill added to the match score.")


class MatchSerializer(serializers.Serializer):
    """The profile summary a client may see (PRODUCT §6) and the reasons of the rank.
    Never audio, transcripts, names or per-question scores."""

    rank = serializers.IntegerField()
    candidate = serializers.IntegerField(source="candidate_id", help_text="Use it in offers.")
    tier = serializers.CharField()
    score_band = serializers.CharField(source="band", help_text="Interview score band.")
    match_score = serializers.FloatField(source="score", help_text="0–100, the ranking score.")
    rate = serializers.IntegerField(allow_null=True, help_text="US dollars per hour.")
    hours_per_week = serializers.IntegerField(source="hours", allow_null=True)
    available = serializers.BooleanField()
    skills = SkillReasonSerializer(many=True, help_text="The project's required skills.")
    other_skills = serializers.ListField(child=serializers.CharField())
    parts = serializers.DictField(
        child=serializers.FloatField(), help_text="What each part added to the match score."
    )
    rate_fit = serializers.CharField()
    hours_fit = serializers.CharField()


class MatchListSerializer(serializers.Serializer):
    results = MatchSerializer(many=True)


class OrganizationProjectField(serializers.PrimaryKeyRelatedField):
    """A project id looked up in the request's organization scope, when it is validated."""

    def get_queryset(self) -> Any:
        return Project.objects.all()


class OfferSerializer(serializers.ModelSerializer):
    project = OrganizationProjectField(
        queryset=Project.objects.none(),
        error_messages={"does_not_exist": "No project with this id in your organization."},
        help_text="One of your organization's projects (another organization's id is "
        "refused with 400, exactly like an id that does not exist).",
    )
    candidate = serializers.IntegerField(
        source="candidate_id", help_text="A candidate id from the project's matches."
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "project",
            "candidate",
            "status",
            "source",
            "message",
            "match_score",
            "sent_at",
            "expires_at",
            "responded_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "source",
            "match_score",
            "sent_at",
            "expires_at",
            "responded_at",
        ]
        extra_kwargs = {"message": {"required": False, "default": ""}}


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "is_active", "created_at"]
        read_only_fields = ["id", "is_active", "created_at"]
        extra_kwargs = {"description": {"required": False, "default": ""}}


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="whsec_<base64>: the signing secret. Shown only now; store it.",
    )
    previous_secret_expires_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret", "previous_secret_expires_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "response_code",
            "last_error",
            "next_retry_at",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields
