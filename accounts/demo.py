"""Demo data for accounts: a demo organization with an owner and a recruiter, staff, candidates.

Idempotent: running it again finds what exists and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.models import Candidate, Membership, Organization, Role, User
from accounts.tenancy import scopes_disabled

DEMO_PASSWORD = "vetta-demo-2026"
# A fixed TOTP secret so the demo staff login is reproducible; never used outside demo data.
DEMO_STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    what: str


def demo_user(
    email: str, *, first_name: str = "", last_name: str = "", is_staff: bool = False
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_staff,
            is_superuser=is_staff,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def demo_candidate(email: str, first_name: str, last_name: str, **profile: object) -> Candidate:
    user = demo_user(email, first_name=first_name, last_name=last_name)
    candidate, _ = Candidate.objects.get_or_create(user=user, defaults=profile)
    return candidate


def seed() -> list[DemoLogin]:
    # Fixtures build several tenants at once.
    with scopes_disabled():
        organization, _ = Organization.objects.get_or_create(
            slug="acme", defaults={"name": "Acme Analytics"}
        )
        owner = demo_user("owner@acme.test", first_name="Olivia", last_name="Owner")
        recruiter = demo_user("recruiter@acme.test", first_name="Ravi", last_name="Recruiter")
        Membership.objects.get_or_create(
            organization=organization, user=owner, defaults={"role": Role.OWNER}
        )
        Membership.objects.get_or_create(
            organization=organization, user=recruiter, defaults={"role": Role.RECRUITER}
        )

        staff = demo_user("staff@vetta.test", first_name="Sam", last_name="Staff", is_staff=True)
        if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(staff, DEMO_STAFF_TOTP_SECRET)

        demo_candidate(
            "alex@candidates.test",
            "Alex",
            "Rivera",
            headline="ML engineer",
            hourly_rate=95,
            hours_per_week=30,
        )
        demo_candidate(
            "bea@candidates.test",
            "Bea",
            "Okafor",
            headline="AI evaluation specialist",
            hourly_rate=70,
            hours_per_week=20,
        )
        demo_candidate(
            "chen@candidates.test",
            "Chen",
            "Li",
            headline="Prompt engineer",
            hourly_rate=60,
            hours_per_week=40,
        )
    return [
        DemoLogin("owner@acme.test", "client owner of Acme Analytics"),
        DemoLogin("recruiter@acme.test", "client recruiter of Acme Analytics"),
        DemoLogin(
            "staff@vetta.test",
            f"staff (TOTP secret {DEMO_STAFF_TOTP_SECRET}; "
            "`.venv/bin/python manage.py demo_totp` prints the code)",
        ),
        DemoLogin("alex@candidates.test", "candidate"),
    ]
