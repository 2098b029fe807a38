"""Writes for accounts and organizations. Guard, lock, act; side effects after commit."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.emails import email_send
from accounts.errors import DomainError, PermissionDeniedError
from accounts.models import Candidate, Invitation, Membership, Organization, Role, User
from accounts.tenancy import scope, scopes_disabled


def candidate_profile_ensure(*, user: User) -> Candidate:
    candidate, _ = Candidate.objects.get_or_create(user=user)
    return candidate


# What a match profile copies from the candidate: a change means the profiles are stale.
_MATCHED_FIELDS = frozenset({"hourly_rate", "hours_per_week", "available"})
CANDIDATE_PROFILE_FIELDS = frozenset({"headline"}) | _MATCHED_FIELDS


def candidate_profile_update(*, candidate: Candidate, **fields: object) -> Candidate:
    """Save the candidate's own profile fields; refresh their match profiles after commit
    when rate, hours or availability changed."""
    unknown = set(fields) - CANDIDATE_PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not candidate profile fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(candidate, name) != value]
    if not changed:
        return candidate
    for name in changed:
        setattr(candidate, name, fields[name])
    with transaction.atomic():
        candidate.save(update_fields=changed)
        if _MATCHED_FIELDS & set(changed):
            from matching.services import match_profile_refresh

            candidate_id = candidate.pk
            transaction.on_commit(lambda: match_profile_refresh(candidate_id=candidate_id))
    return candidate


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(*, name: str, owner: User) -> Organization:
    name = name.strip()
    if not name:
        raise DomainError("Give the organization a name.")
    organization = Organization.objects.create(name=name, slug=_unique_slug(name))
    with scope(organization=organization):
        Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    return organization


def _require(actor: Membership, minimum: str, what: str) -> None:
    if not actor.has_role(minimum):
        raise PermissionDeniedError(f"Only an organization {minimum} or above can {what}.")


def invitation_create(*, actor: Membership, email: str, role: str) -> Invitation:
    _require(actor, Role.ADMIN, "invite members")
    if role == Role.OWNER and not actor.has_role(Role.OWNER):
        raise PermissionDeniedError("Only an owner can invite another owner.")
    organization = actor.organization
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise DomainError(f"{email} is already a member.")
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization, email=email, role=role, invited_by=actor.user
            )
    except IntegrityError:
        raise DomainError(f"{email} already has an open invitation.") from None
    email_send(
        to=[email],
        template="invitation",
        context={"invitation": invitation, "organization": organization, "inviter": actor.user},
    )
    return invitation


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    _require(actor, Role.ADMIN, "revoke invitations")
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            f"This invitation was sent to {invitation.email}. "
            "Sign in with that address to accept it."
        )
    # The invitee is not a member yet: the invitation's token is what grants access.
    with scopes_disabled(), transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise DomainError("This invitation has expired or was already used.")
        membership, _created = Membership.objects.get_or_create(
            organization=locked.organization, user=user, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return membership


def _owners_left(organization: Organization, excluding: Membership) -> int:
    return (
        Membership.objects.filter(organization=organization, role=Role.OWNER)
        .exclude(pk=excluding.pk)
        .count()
    )


@transaction.atomic
def membership_role_change(*, actor: Membership, membership: Membership, role: str) -> Membership:
    _require(actor, Role.ADMIN, "change roles")
    if Role.OWNER in (role, membership.role) and not actor.has_role(Role.OWNER):
        raise PermissionDeniedError("Only an owner can grant or take away the owner role.")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if (
        locked.role == Role.OWNER
        and role != Role.OWNER
        and _owners_left(locked.organization, locked) == 0
    ):
        raise DomainError("An organization needs at least one owner.")
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    if actor.pk != membership.pk:  # anyone may leave; removing others needs admin
        _require(actor, Role.ADMIN, "remove members")
        if membership.role == Role.OWNER and not actor.has_role(Role.OWNER):
            raise PermissionDeniedError("Only an owner can remove an owner.")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.OWNER and _owners_left(locked.organization, locked) == 0:
        raise DomainError("An organization needs at least one owner.")
    locked.delete()
