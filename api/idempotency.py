"""``Idempotency-Key`` on POST: a retry gets the first answer instead of a second action.

* first request with a key: a row is inserted (committed at once) before the view runs,
  and the response is stored on it afterwards;
* the same key and the same request again: the stored response, with
  ``Idempotent-Replayed: true``;
* the same key with a different request (method, path, query or body): 422;
* the same key while the first request is still running: 409 — the unique constraint
  on (key, API key) decides which of two concurrent first tries runs.

Keys belong to one API key and are kept ``VETTA_API_IDEMPOTENCY_TTL`` (24 h by default).
A 5xx, 409 or 429 is not stored, so the client may retry with the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from api.errors import error_response
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
NOT_STORED = {409, 429}


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _ttl() -> timedelta:
    return timedelta(seconds=settings.VETTA_API_IDEMPOTENCY_TTL_S)


def idempotent_response(
    request: HttpRequest, key: str, respond: Callable[[], HttpResponse]
) -> HttpResponse:
    if not key or len(key) > MAX_LENGTH:
        return error_response(
            400, "invalid_idempotency_key", f"{HEADER} must be 1 to {MAX_LENGTH} characters."
        )
    api_key = request.api_key  # type: ignore[attr-defined]
    fingerprint = _fingerprint(request)
    # Expired keys may be used again; the hourly purge deletes them too.
    IdempotencyRecord.objects.filter(
        api_key=api_key, key=key, created_at__lt=timezone.now() - _ttl()
    ).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                organization=api_key.organization,
                api_key=api_key,
                key=key,
                request_fingerprint=fingerprint,
            )
    except IntegrityError:
        return _existing(api_key, key, fingerprint)

    try:
        response = respond()
        if hasattr(response, "render"):
            response.render()
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 500 or response.status_code in NOT_STORED:
        record.delete()
        return response
    record.response_status = response.status_code
    record.response_body = bytes(response.content)
    record.response_content_type = response.get("Content-Type", "application/json")
    record.save(update_fields=["response_status", "response_body", "response_content_type"])
    return response


def _existing(api_key, key: str, fingerprint: str) -> HttpResponse:
    record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
    if record is None or record.response_status is None:
        return error_response(
            409,
            "idempotency_key_in_use",
            f"A request with this {HEADER} is still being processed. Retry later.",
        )
    if record.request_fingerprint != fingerprint:
        return error_response(
            422,
            "idempotency_key_reused",
            f"This {HEADER} was used with a different request. Use a new key.",
        )
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.response_status,
        content_type=record.response_content_type,
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_records_purge() -> int:
    """Delete records past their time to live (all organizations: a housekeeping task)."""
    from accounts.tenancy import scopes_disabled

    with scopes_disabled():  # housekeeping by age across every organization
        deleted, _ = IdempotencyRecord.objects.filter(
            created_at__lt=timezone.now() - _ttl()
        ).delete()
    return deleted


class IdempotentPostMixin:
    """For API views: a POST with ``Idempotency-Key`` goes through :func:`idempotent_response`."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        parent = super().dispatch  # type: ignore[misc]
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not hasattr(request, "api_key"):
            return parent(request, *args, **kwargs)
        return idempotent_response(request, key.strip(), lambda: parent(request, *args, **kwargs))
