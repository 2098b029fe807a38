"""E-mails to candidates about their tier and contests. Called after commit; text and HTML."""

from __future__ import annotations

from accounts.emails import email_send
from interviews.models import Contest, Credential, Tier
from interviews.policies import policy_for


def _send_about(credential: Credential, template: str, **extra: object) -> None:
    policy = policy_for(credential.domain)
    email_send(
        to=[credential.candidate.user.email],
        template=template,
        context={
            "credential": credential,
            "user": credential.candidate.user,
            "domain": credential.domain,
            "policy": policy,
            "declined": credential.tier == Tier.DECLINED,
            **extra,
        },
    )


def _credential(credential_id: int) -> Credential:
    return Credential.objects.select_related("candidate__user", "domain__policy").get(
        pk=credential_id
    )


def credential_released(*, credential_id: int) -> None:
    _send_about(_credential(credential_id), "tier_released")


def credential_expiry_reminder(*, credential_id: int) -> None:
    _send_about(_credential(credential_id), "tier_expiry_reminder")


def credential_expired(*, credential_id: int) -> None:
    _send_about(_credential(credential_id), "tier_expired")


def contest_received(*, contest_id: int) -> None:
    contest = Contest.objects.select_related(
        "credential__candidate__user", "credential__domain__policy"
    ).get(pk=contest_id)
    _send_about(contest.credential, "contest_received", contest=contest)


def contest_decided(*, contest_id: int) -> None:
    contest = Contest.objects.select_related(
        "credential__candidate__user", "credential__domain__policy"
    ).get(pk=contest_id)
    _send_about(contest.credential, "contest_decided", contest=contest)


def credential_overridden(*, credential_id: int, previous_tier: str) -> None:
    _send_about(
        _credential(credential_id),
        "tier_overridden",
        previous_tier=Tier(previous_tier).label,
    )
