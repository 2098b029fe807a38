"""Attempt policy in plain words: may this candidate start an interview in this domain now?

The same function answers the dashboard ("Your next attempt opens on 12 March 2027") and
guards ``attempt_start`` under a row lock, so what the candidate reads is what is enforced.

Cycles (PRODUCT.md §4): at most ``attempts_per_cycle`` attempts per domain per cycle, and
any finished attempt opens a wait before the next one. A cycle ends when the tier it
earned expires; then a new cycle starts with the attempt count back at zero and no wait.
A cycle that holds no tier (every attempt was abandoned before it began) ends once the
validity period has passed since its last attempt, the same rhythm as a tier's lifetime,
so a candidate is never locked out for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Candidate
from interviews.models import (
    FINISHED_ATTEMPT_STATES,
    OPEN_ATTEMPT_STATES,
    Attempt,
    AttemptState,
    Credential,
    CredentialStatus,
    Domain,
    DomainPolicy,
)

# Finished but without a result yet: the cycle cannot end before the result is known.
IN_FLIGHT_STATES = (AttemptState.SUBMITTED, AttemptState.SCORING)


@dataclass(frozen=True)
class StartEligibility:
    allowed: bool
    reason: str  # plain words for the candidate
    cycle: int
    attempts_used: int
    attempts_left: int
    attempts_per_cycle: int
    opens_at: datetime | None = None  # when the next attempt opens, if it is not open now
    open_attempt_id: int | None = None


def format_day(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


def format_moment(moment: datetime) -> str:
    """'12 March 2027 at 14:30 UTC': the wait is enforced to the minute, so say the minute."""
    local = timezone.localtime(moment)
    return f"{format_day(local)} at {local:%H:%M} {local.tzname()}"


def policy_for(domain: Domain) -> DomainPolicy:
    try:
        return domain.policy
    except DomainPolicy.DoesNotExist:
        return DomainPolicy(domain=domain)


def current_cycle(
    *, candidate: Candidate, domain: Domain, policy: DomainPolicy, now: datetime
) -> int:
    """The certification cycle a new attempt would count in (see the module docstring)."""
    last = (
        Attempt.objects.filter(candidate=candidate, domain=domain)
        .order_by("-cycle", "-created_at")
        .only("cycle", "finished_at", "created_at")
        .first()
    )
    if last is None:
        return 1
    credentials = Credential.objects.filter(candidate=candidate, domain=domain)
    if credentials.filter(status__in=[CredentialStatus.ACTIVE, CredentialStatus.PENDING]).exists():
        return last.cycle
    in_cycle = Attempt.objects.filter(candidate=candidate, domain=domain, cycle=last.cycle)
    in_flight = in_cycle.filter(state__in=[*OPEN_ATTEMPT_STATES, *IN_FLIGHT_STATES])
    latest_result = (
        credentials.filter(attempt__cycle=last.cycle)
        .order_by("-attempt__created_at")
        .values_list("attempt__created_at", flat=True)
        .first()
    )
    if latest_result is not None:
        # Only an attempt after the latest result can still produce the tier that stands.
        in_flight = in_flight.filter(created_at__gt=latest_result)
    if in_flight.exists():
        # A result is still coming; its credential will keep this cycle alive.
        return last.cycle
    if credentials.filter(attempt__cycle=last.cycle, status=CredentialStatus.EXPIRED).exists():
        return last.cycle + 1
    if (last.finished_at or last.created_at) + policy.validity <= now:
        return last.cycle + 1
    return last.cycle


def start_eligibility(
    *, candidate: Candidate, domain: Domain, now: datetime | None = None
) -> StartEligibility:
    now = now or timezone.now()
    policy = policy_for(domain)
    open_attempt = (
        Attempt.objects.filter(candidate=candidate, state__in=OPEN_ATTEMPT_STATES)
        .select_related("domain")
        .first()
    )
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
            attempts_per_cycle=policy.attempts_per_cycle,
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
        if ends is not None:
            when = f" A new cycle opens on {format_day(ends)}."
        else:
            when = (
                f" A new cycle opens {policy.validity_days} days after your latest result"
                " is released."
            )
        plural = "s" if policy.attempts_per_cycle != 1 else ""
        return result(
            False,
            f"You have used all {policy.attempts_per_cycle} attempt{plural} of this"
            f" certification cycle.{when}",
            ends,
        )
    last_finished = in_cycle.filter(state__in=FINISHED_ATTEMPT_STATES).aggregate(
        last=Max(Coalesce("finished_at", "created_at"))
    )["last"]
    if last_finished is not None:
        opens_at = last_finished + policy.wait
        if opens_at > now:
            return result(False, f"Your next attempt opens on {format_moment(opens_at)}.", opens_at)
    return result(True, "You can start now.")


def _cycle_ends(
    *, candidate: Candidate, domain: Domain, policy: DomainPolicy, cycle: int
) -> datetime | None:
    """When the current cycle ends, if it can be known now."""
    credentials = Credential.objects.filter(candidate=candidate, domain=domain)
    pending = credentials.filter(status=CredentialStatus.PENDING).first()
    if pending is not None:
        # The pending result replaces the standing tier when it is released.
        return pending.release_at + policy.validity
    active = credentials.filter(status=CredentialStatus.ACTIVE).first()
    if active is not None:
        return active.valid_until
    in_cycle = Attempt.objects.filter(candidate=candidate, domain=domain, cycle=cycle)
    if in_cycle.filter(state__in=IN_FLIGHT_STATES).exists():
        return None
    last = in_cycle.order_by("-created_at").values_list("finished_at", "created_at").first()
    if last is None:
        return None
    return (last[0] or last[1]) + policy.validity


def credential_valid_until(*, released_at: datetime, policy: DomainPolicy) -> datetime:
    return released_at + timedelta(days=policy.validity_days)


def contest_closes_at(*, credential: Credential, policy: DomainPolicy) -> datetime | None:
    if credential.released_at is None:
        return None
    return credential.released_at + timedelta(days=policy.contest_window_days)
