"""Writes of the marketplace: projects, offers, instant offers, expiry.

Each rule-enforcing service guards first, then locks (``select_for_update`` inside
``transaction.atomic()``), then acts; e-mails go out after commit.

Roles: viewers read; recruiters (and above) create and edit projects, publish them and
send or withdraw offers; closing a project ends every open offer of it, so it takes an
admin or owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.emails import email_send
from accounts.errors import DomainError, PermissionDeniedError
from accounts.models import Candidate, Membership, Role
from accounts.tenancy import scope, scopes_disabled
from api.webhooks import offers_event, project_event
from interviews.models import Domain, Skill
from marketplace.models import (
    MinimumTier,
    Offer,
    OfferSource,
    OfferStatus,
    Project,
    ProjectSkill,
    ProjectStatus,
)
from matching import engine


@dataclass(frozen=True)
class RequirementInput:
    skill: Skill
    weight: int = 3
    must_have: bool = False


@dataclass(frozen=True)
class ProjectInput:
    title: str
    domain: Domain
    rate_min: int
    rate_max: int
    hours_per_week: int
    description: str = ""
    minimum_tier: str = MinimumTier.EXPERT
    seats: int = 1
    instant_offers: bool = False


# What a client sets on a project, in one place for the portal form, the API and updates.
PROJECT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclass_fields(ProjectInput))


def _require(actor: Membership, minimum: str, what: str) -> None:
    if not actor.has_role(minimum):
        raise PermissionDeniedError(f"Only an organization {minimum} or above can {what}.")


def _validate(data: ProjectInput, requirements: list[RequirementInput]) -> None:
    if not data.title.strip():
        raise DomainError("Give the project a title.")
    if data.rate_min > data.rate_max:
        raise DomainError("The lowest rate cannot be above the highest.")
    if data.seats < 1:
        raise DomainError("A project needs at least one seat.")
    if not 1 <= data.hours_per_week <= 80:
        raise DomainError("Hours per week must be between 1 and 80.")
    if data.minimum_tier not in MinimumTier.values:
        raise DomainError("The minimum tier must be Expert or Verified Expert.")
    skills = [r.skill.pk for r in requirements]
    if len(skills) != len(set(skills)):
        raise DomainError("Each skill can be required once.")
    if len(skills) > engine.MAX_REQUIREMENTS:
        raise DomainError(f"Require at most {engine.MAX_REQUIREMENTS} skills.")
    if any(not 1 <= r.weight <= 5 for r in requirements):
        raise DomainError("Skill weights go from 1 to 5.")


def _set_requirements(project: Project, requirements: list[RequirementInput]) -> None:
    ProjectSkill.objects.filter(project=project).delete()
    ProjectSkill.objects.bulk_create(
        ProjectSkill(
            organization=project.organization,
            project=project,
            skill=r.skill,
            weight=r.weight,
            must_have=r.must_have,
        )
        for r in requirements
    )


def project_create(
    *, actor: Membership, data: ProjectInput, requirements: list[RequirementInput]
) -> Project:
    _require(actor, Role.RECRUITER, "create projects")
    _validate(data, requirements)
    with transaction.atomic():
        project = Project.objects.create(
            organization=actor.organization,
            created_by=actor.user,
            title=data.title.strip(),
            description=data.description.strip(),
            domain=data.domain,
            minimum_tier=data.minimum_tier,
            rate_min=data.rate_min,
            rate_max=data.rate_max,
            hours_per_week=data.hours_per_week,
            seats=data.seats,
            instant_offers=data.instant_offers,
        )
        _set_requirements(project, requirements)
    return project


def project_update(
    *,
    actor: Membership,
    project: Project,
    data: ProjectInput,
    requirements: list[RequirementInput],
) -> Project:
    _require(actor, Role.RECRUITER, "edit projects")
    _validate(data, requirements)
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        if locked.status in (ProjectStatus.CLOSED, ProjectStatus.FILLED):
            raise DomainError("A closed or filled project can no longer be edited.")
        if data.seats < _accepted(locked):
            raise DomainError("There are more accepted offers than that many seats.")
        for field in PROJECT_FIELDS:
            setattr(locked, field, getattr(data, field))
        locked.title = data.title.strip()
        locked.updated_at = timezone.now()
        locked.save()
        _set_requirements(locked, requirements)
        reoffer = locked.status == ProjectStatus.OPEN and locked.instant_offers
    if reoffer:
        instant_offers_for_project(project_id=locked.pk)
    return locked


def project_publish(*, actor: Membership, project: Project) -> tuple[Project, int]:
    """Open the project for matching; with instant offers on, offer the top matches."""
    _require(actor, Role.RECRUITER, "publish projects")
    if not ProjectSkill.objects.filter(project=project).exists():
        raise DomainError("Add at least one required skill before publishing.")
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        if locked.status != ProjectStatus.DRAFT:
            raise DomainError("Only a draft project can be published.")
        locked.status = ProjectStatus.OPEN
        locked.published_at = locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
    sent = instant_offers_for_project(project_id=locked.pk) if locked.instant_offers else 0
    return locked, sent


def project_close(*, actor: Membership, project: Project) -> Project:
    _require(actor, Role.ADMIN, "close projects")
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        if locked.status == ProjectStatus.CLOSED:
            raise DomainError("The project is already closed.")
        locked.status = ProjectStatus.CLOSED
        locked.closed_at = locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _withdraw_open_offers(locked)
    return locked


# --- offers ----------------------------------------------------------------------------------


def _accepted(project: Project) -> int:
    return Offer.objects.filter(project=project, status=OfferStatus.ACCEPTED).count()


def _outstanding(project: Project, now: datetime) -> int:
    return Offer.objects.filter(
        project=project, status=OfferStatus.SENT, expires_at__gt=now
    ).count()


def _withdraw_open_offers(project: Project) -> None:
    """Withdraw the project's open offers (caller holds the project lock); tell candidates."""
    now = timezone.now()
    ids = list(
        Offer.objects.filter(project=project, status=OfferStatus.SENT).values_list("pk", flat=True)
    )
    Offer.objects.filter(pk__in=ids, status=OfferStatus.SENT).update(
        status=OfferStatus.WITHDRAWN, responded_at=now
    )
    organization_id = project.organization_id
    transaction.on_commit(lambda: _notify_candidates(ids, "offer_withdrawn", organization_id))
    offers_event(offer_ids=ids, type="offer.withdrawn")


def offer_send(
    *,
    actor: Membership | None,
    project: Project,
    candidate: Candidate,
    message: str = "",
    source: str = OfferSource.MANUAL,
    match_score: float | None = None,
    now: datetime | None = None,
) -> Offer:
    """Offer the project to a candidate who fits it. ``actor`` is None for instant offers."""
    from matching.services import candidate_fits

    if actor is not None:
        _require(actor, Role.RECRUITER, "send offers")
    now = now or timezone.now()
    if not candidate_fits(project, candidate_id=candidate.pk, now=now):
        raise DomainError("This candidate does not match the project (any more).")
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        if locked.status != ProjectStatus.OPEN:
            raise DomainError("Offers can only be sent for an open project.")
        if _accepted(locked) >= locked.seats:
            raise DomainError("Every seat of this project is filled.")
        if Offer.objects.filter(project=locked, candidate=candidate).exists():
            raise DomainError("This candidate already had an offer for this project.")
        try:
            with transaction.atomic():
                offer = Offer.objects.create(
                    organization=locked.organization,
                    project=locked,
                    candidate=candidate,
                    source=source,
                    message=message.strip(),
                    match_score=match_score,
                    sent_by=actor.user if actor else None,
                    sent_at=now,
                    expires_at=now + timedelta(days=settings.VETTA_OFFER_VALID_DAYS),
                )
        except IntegrityError:
            raise DomainError("This candidate already had an offer for this project.") from None
        offer_id, organization_id = offer.pk, locked.organization_id
        transaction.on_commit(lambda: _notify_candidates([offer_id], "offer_sent", organization_id))
        offers_event(offer_ids=[offer_id], type="offer.sent")
    return offer


def offer_withdraw(*, actor: Membership, offer: Offer) -> Offer:
    _require(actor, Role.RECRUITER, "withdraw offers")
    with transaction.atomic():
        locked = Offer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
        if locked.status != OfferStatus.SENT:
            raise DomainError("Only an offer waiting for an answer can be withdrawn.")
        locked.status = OfferStatus.WITHDRAWN
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        offer_id, organization_id = locked.pk, locked.organization_id
        transaction.on_commit(
            lambda: _notify_candidates([offer_id], "offer_withdrawn", organization_id)
        )
        offers_event(offer_ids=[offer_id], type="offer.withdrawn")
    return locked


def _guard_answer(offer: Offer, candidate: Candidate, now: datetime) -> None:
    if offer.candidate_id != candidate.pk:
        raise DomainError("This offer is not yours.")
    if offer.status != OfferStatus.SENT:
        raise DomainError(f"This offer was already {offer.get_status_display().lower()}.")
    if offer.expires_at <= now:
        raise DomainError("This offer has expired.")


def offer_accept(*, candidate: Candidate, offer: Offer, now: datetime | None = None) -> Offer:
    """Accept: fills a seat under the project's lock; the last seat withdraws the rest."""
    now = now or timezone.now()
    _guard_answer(offer, candidate, now)
    with transaction.atomic():
        # The project row is the lock every acceptance of this project queues on.
        project = Project.objects.select_for_update(of=("self",)).get(pk=offer.project_id)
        locked = Offer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
        _guard_answer(locked, candidate, now)
        if project.status != ProjectStatus.OPEN:
            raise DomainError("This project is no longer open.")
        accepted = _accepted(project)
        if accepted >= project.seats:
            raise DomainError("Every seat of this project was just filled.")
        locked.status = OfferStatus.ACCEPTED
        locked.responded_at = now
        locked.save(update_fields=["status", "responded_at"])
        if accepted + 1 >= project.seats:
            project.status = ProjectStatus.FILLED
            project.updated_at = now
            project.save(update_fields=["status", "updated_at"])
            _withdraw_open_offers(project)
        offer_id = locked.pk
        transaction.on_commit(lambda: _notify_organization(offer_id, "offer_accepted"))
        offers_event(offer_ids=[offer_id], type="offer.accepted")
        if project.status == ProjectStatus.FILLED:
            project_event(project=project, type="project.filled")
    return locked


def offer_decline(*, candidate: Candidate, offer: Offer, now: datetime | None = None) -> Offer:
    now = now or timezone.now()
    _guard_answer(offer, candidate, now)
    with transaction.atomic():
        locked = Offer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
        _guard_answer(locked, candidate, now)
        locked.status = OfferStatus.DECLINED
        locked.responded_at = now
        locked.save(update_fields=["status", "responded_at"])
        offer_id = locked.pk
        transaction.on_commit(lambda: _notify_organization(offer_id, "offer_declined"))
        offers_event(offer_ids=[offer_id], type="offer.declined")
    return locked


def offers_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Expire unanswered offers past their date. Safe to run twice or concurrently.

    Each batch is claimed with ``SKIP LOCKED`` and moved by a conditional update
    (``status='sent' AND expires_at<=now``), so two runners never expire the same offer
    and an offer being accepted at that moment is left to the acceptance.
    """
    now = now or timezone.now()
    expired = 0
    # A sweep by time: it crosses every organization.
    with scopes_disabled():
        while True:
            with transaction.atomic():
                ids = list(
                    Offer.objects.select_for_update(of=("self",), skip_locked=True)
                    .filter(status=OfferStatus.SENT, expires_at__lte=now)
                    .values_list("pk", flat=True)[:batch]
                )
                if not ids:
                    break
                Offer.objects.filter(
                    pk__in=ids, status=OfferStatus.SENT, expires_at__lte=now
                ).update(status=OfferStatus.EXPIRED, responded_at=now)
                transaction.on_commit(partial(_notify_expired, ids))
                offers_event(offer_ids=ids, type="offer.expired")
            expired += len(ids)
    return expired


# --- instant offers ----------------------------------------------------------------------


def instant_offers_for_project(*, project_id: int, only_candidate_id: int | None = None) -> int:
    """Offer the project to its top matches, up to open seats × factor outstanding offers.

    Candidates who ever had an offer of this project are skipped. With
    ``only_candidate_id`` just that candidate is considered (a newly released tier).
    Returns how many offers were sent.
    """
    from matching.services import project_matches

    # Runs from tasks and after publishing; the project's organization is the scope.
    with scopes_disabled():
        project = Project.objects.select_related("organization").filter(pk=project_id).first()
    if project is None:
        return 0
    with scope(organization=project.organization):
        if project.status != ProjectStatus.OPEN or not project.instant_offers:
            return 0
        now = timezone.now()
        open_seats = project.seats - _accepted(project)
        room = open_seats * settings.VETTA_INSTANT_OFFER_FACTOR - _outstanding(project, now)
        if room <= 0:
            return 0
        offered = set(Offer.objects.filter(project=project).values_list("candidate_id", flat=True))
        if only_candidate_id is not None and only_candidate_id in offered:
            return 0
        matches = project_matches(project, limit=room + len(offered), now=now)
        chosen = [
            m
            for m in matches
            if m.candidate_id not in offered
            and (only_candidate_id is None or m.candidate_id == only_candidate_id)
        ]
        if only_candidate_id is not None and not chosen:
            # The newcomer fits but ranks below the page fetched: offer if they fit at all.
            from matching.services import candidate_fits

            if candidate_fits(project, candidate_id=only_candidate_id, now=now):
                chosen_ids = [only_candidate_id]
            else:
                chosen_ids = []
            scores: dict[int, float | None] = {}
        else:
            chosen_ids = [m.candidate_id for m in chosen[:room]]
            scores = {m.candidate_id: m.score for m in chosen}
        sent = 0
        candidates = Candidate.objects.in_bulk(chosen_ids)
        for candidate_id in chosen_ids:
            try:
                offer_send(
                    actor=None,
                    project=project,
                    candidate=candidates[candidate_id],
                    source=OfferSource.INSTANT,
                    match_score=scores.get(candidate_id),
                    now=now,
                )
            except DomainError:
                continue  # filled, closed or offered meanwhile: the next run catches up
            sent += 1
        return sent


# --- e-mail --------------------------------------------------------------------------------


def _offers_for_mail(ids: Iterable[int], organization_id: int | None = None):
    # After commit, outside any request: the ids came from this organization's own offers.
    with scopes_disabled():
        queryset = Offer.objects.filter(pk__in=list(ids)).select_related(
            "project", "organization", "candidate__user", "sent_by"
        )
        if organization_id is not None:
            queryset = queryset.filter(organization_id=organization_id)
        return list(queryset)


def _notify_candidates(ids: list[int], template: str, organization_id: int) -> None:
    with scopes_disabled():
        for offer in _offers_for_mail(ids, organization_id):
            email_send(
                to=[offer.candidate.user.email],
                template=template,
                context={"offer": offer, "project": offer.project, "user": offer.candidate.user},
            )


def _notify_expired(ids: list[int]) -> None:
    with scopes_disabled():
        for offer in _offers_for_mail(ids):
            email_send(
                to=[offer.candidate.user.email],
                template="offer_expired",
                context={"offer": offer, "project": offer.project, "user": offer.candidate.user},
            )


def _notify_organization(offer_id: int, template: str) -> None:
    """The member who sent the offer hears the answer; instant offers go to every member who
    can act on them (recruiters and above)."""
    with scopes_disabled():
        offer = _offers_for_mail([offer_id])[0]
        if offer.sent_by is not None:
            recipients = [offer.sent_by.email]
        else:
            recipients = list(
                Membership.objects.filter(
                    organization_id=offer.organization_id,
                    role__in=[Role.OWNER, Role.ADMIN, Role.RECRUITER],
                ).values_list("user__email", flat=True)
            )
        if recipients:
            email_send(
                to=recipients,
                template=template,
                context={
                    "offer": offer,
                    "project": offer.project,
                    "candidate_name": offer.candidate.user.get_full_name()
                    or offer.candidate.user.email,
                },
            )
