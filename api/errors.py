"""The API's one error format, for every 4xx and 5xx it answers::

    {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}

``code`` is stable and meant for programs, ``message`` for people; ``fields`` maps a
request field to its messages on validation errors (``{}`` otherwise). Errors raised
before a view runs (a missing key, an unknown URL) are built here too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.errors import DomainError, PermissionDeniedError

logger = logging.getLogger("api")


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(
    status_code: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _messages(v)]
    return [str(detail)]


def _fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested detail into ``{"skills[0].weight": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
            ):
                if isinstance(value, list):
                    for i, item in enumerate(value):
                        if item:
                            out.update(_fields(item, f"{name}[{i}]"))
                else:
                    out.update(_fields(value, name))
            else:
                out[name] = _messages(value)
    elif detail:
        out[prefix or "non_field_errors"] = _messages(detail)
    return out


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: every exception a view raises becomes the one format."""
    if isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DomainError):
        # A product rule refused the action in the object's current state (an offer that
        # is no longer open, a project that is already closed): a conflict, not bad input.
        return Response(error_body(exc.code, exc.message), status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DataError):
        # The database refused a value the request carried (a NUL in a query parameter, a
        # number out of range): bad input, said as such, not a server error.
        return Response(
            error_body("invalid", "A value in the request cannot be stored or searched for."),
            status=status.HTTP_400_BAD_REQUEST,
        )

    # Imported here: DRF imports this module while it is itself importing its views.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in the partner API", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side. Try again later."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        message = " ".join(non_field) or "The request has invalid fields."
        if non_field and not fields:
            fields = {}
        response.data = error_body("invalid", message, fields)
        return response
    code = exc.get_codes()
    code = code if isinstance(code, str) else exc.default_code
    message = " ".join(_messages(exc.detail))
    response.data = error_body(str(code), message)
    return response
