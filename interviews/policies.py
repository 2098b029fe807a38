"""Attempt policy in plain words: may this candidate start an interview in this domain now?

The same function answers the dashboard ("Your next attempt opens on 12 March 2027") and
guards ``attempt_start`` under a row lock, so what the candidate reads is what is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Candidate
from interviews.models import (
    FINISHED_ATTEMPT_STATES,
    OPEN_ATTEMPT_STATES,
    Attempt,
    Credential,
    CredentialStatus,
    Domain,
    DomainPolicy,
)


@dataclass(frozen=True)
class StartEligibility:
    allowed: bool
    reason: str  # plain words for the candidate
    cycle: int
    attempts_used: int
    attempts_left: int
    opens_at: datetime | None = None  # when the next attempt opens, if it is not open now
    open_attempt_id: int | None = None


def format_day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y")


def policy_for(domain: Domain) -> DomainPolicy:
    policy = getattr(domain, "policy", None)
    return policy if policy is not None else DomainPolicy(domain=domain)


def current_cycle(
    *, candidate: Candidate, domain: Domain, policy: DomainPolicy, now: datetime
) -> int:
    """The certification cycle a new attempt would count in.

    A cycle ends when the tier it earned expires (PRODUCT.md §4). A cycle that earned no
    standing tier ends when the validity period has passed since its last attempt, so a
    candidate who used every attempt is never locked out for good.
    """
    last = (
        Attempt.objects.filter(candidate=candidate, domain=domain)
        .order_by("-cycle", "-created_at")
        .only("cycle", "finished_at", "created_at")
        .first()
    )
    if last is None:
        return 1
    expired = Credential.objects.filter(
        candidate=candidate,
        domain=domain,
        attempt__cycle=last.cycle,
        status=CredentialStatus.EXPIRED,
    ).exists()
    standing = Credential.objects.filter(
        candidate=candidate,
        domain=domain,
        status__in=[CredentialStatus.ACTIVE, CredentialStatus.PENDING],
    ).exists()
    finished = last.finished_at or last.created_at
    if expired and not standing:
        return last.cycle + 1
    if not standing and finished + policy.validity <= now:
        return last.cycle + 1
    return last.cycle


def start_eligibility(
    *, candidate: Candidate, domain: Domain, now: datetime | None = None
) -> StartEligibility:
    now = now or timezone.now()
    policy = policy_for(domain)
    open_attempt = Attempt.objects.filter(
        candidate=candidate, state__in=OPEN_ATTEMPT_STATES
    ).first()
    cycle = current_cycle(candidate=candidate, domain=domain, policy=policy, now=now)
    in_cycle = Attempt.objects.filter(candidate=candidate, domain=domain, cycle=cycle)
    used = in_cycle.count()
    left = max(0, policy.attempts_per_cycle - used)

    def result(allowed: bool, reason: str, opens_at: datetime | None = None) -> StartEligibility:
        return StartEligibility(
            allowed=allowed,
            reason=reason,
            cycle=cycle,
            attempts_used=used,
            attempts_left=left,
            opens_at=opens_at,
            open_attempt_id=open_attempt.pk if open_attempt else None,
        )

    if open_attempt is not None:
        if open_attempt.domain_id == domain.pk:
            return result(False, "You have an interview in progress in this domain. Continue it.")
        return result(
            False, f"Finish your interview in {open_attempt.domain.name} before starting another."
        )
    if left == 0:
        ends = _cycle_ends(candidate=candidate, domain=domain, policy=policy, cycle=cycle)
        when = f" A new cycle opens on {format_day(ends)}." if ends else ""
        return result(
            False,
            f"You have used all {policy.attempts_per_cycle} attempts of this certification cycle."
            f"{when}",
            ends,
        )
    last_finished = (
        in_cycle.filter(state__in=FINISHED_ATTEMPT_STATES)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last_finished is not None:
        opens_at = last_finished + policy.wait
        if opens_at > now:
            return result(False, f"Your next attempt opens on {format_day(opens_at)}.", opens_at)
    plural = "s" if left != 1 else ""
    return result(True, f"You can start now. {left} attempt{plural} left in this cycle.")


def _cycle_ends(
    *, candidate: Candidate, domain: Domain, policy: DomainPolicy, cycle: int
) -> datetime | None:
    standing = (
        Credential.objects.filter(
            candidate=candidate, domain=domain, status=CredentialStatus.ACTIVE
        )
        .values_list("valid_until", flat=True)
        .first()
    )
    if standing:
        return standing
    last = (
        Attempt.objects.filter(candidate=candidate, domain=domain, cycle=cycle)
        .order_by("-created_at")
        .values_list("finished_at", "created_at")
        .first()
    )
    if last is None:
        return None
    return (last[0] or last[1]) + policy.validity


def credential_valid_until(*, released_at: datetime, policy: DomainPolicy) -> datetime:
    return released_at + timedelta(days=policy.validity_days)
