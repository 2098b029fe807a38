"""OpenAPI details drf-spectacular cannot infer: the error format on every operation and
the ``Idempotency-Key`` header on every POST."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: not_found, invalid, …")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → messages, on validation errors; empty otherwise.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERRORS = {
    "400": "Invalid request: see error.fields.",
    "401": "No API key, or a malformed, revoked or expired one.",
    "403": "The key may not do this.",
    "404": "No such object in your organization.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "The object's state refuses the action, or the Idempotency-Key is in use.",
    "415": "Unsupported media type: send application/json.",
    "422": "The Idempotency-Key was used with a different request.",
    "429": "Too many requests for this key: see Retry-After.",
}
WITH_BODY = {"409", "415", "422"}


class PartnerAutoSchema(AutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="Any unique string (≤ 255 characters). A retry with the same "
                    "key and body returns the first response.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400", direction=direction)
        for code, description in ERRORS.items():
            if code in responses:
                continue
            if code in WITH_BODY and self.method not in ("POST", "PUT", "PATCH"):
                continue
            responses[code] = {**error, "description": description}
        return responses
