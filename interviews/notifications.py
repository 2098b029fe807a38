"""E-mails to candidates about their tier. Called after commit; each has text and HTML."""

from __future__ import annotations

from accounts.emails import email_send
from interviews.models import Credential


def _send(credential_id: int, template: str) -> None:
    credential = Credential.objects.select_related("candidate__user", "domain").get(
        pk=credential_id
    )
    email_send(
        to=[credential.candidate.user.email],
        template=template,
        context={
            "credential": credential,
            "user": credential.candidate.user,
            "domain": credential.domain,
        },
    )


def credential_released(*, credential_id: int) -> None:
    _send(credential_id, "tier_released")


def credential_expiry_reminder(*, credential_id: int) -> None:
    _send(credential_id, "tier_expiry_reminder")


def credential_expired(*, credential_id: int) -> None:
    _send(credential_id, "tier_expired")
