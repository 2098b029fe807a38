"""Personas, always with an outsider (see CONVENTIONS.md):

* ``owner_a`` and ``viewer_a`` (and ``admin_a``, ``recruiter_a``) belong to organization A;
* ``member_b`` is the owner of organization B: the outsider for everything of A;
* ``candidate`` is a candidate; ``staff`` is a staff user with TOTP set up.

Fixtures that create organization-owned rows do it with scopes disabled, as fixtures
that build several tenants must.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django_scopes import scopes_disabled

from accounts.models import Membership, Organization, Role, User
from tests.factories import CandidateFactory, MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def org_a(db) -> Organization:
    return OrganizationFactory(name="Acme A", slug="acme-a")


@pytest.fixture
def org_b(db) -> Organization:
    return OrganizationFactory(name="Bolt B", slug="bolt-b")


def _member(org: Organization, role: str, email: str) -> Membership:
    with scopes_disabled():
        return MembershipFactory(organization=org, role=role, user=UserFactory(email=email))


@pytest.fixture
def owner_a(org_a) -> Membership:
    return _member(org_a, Role.OWNER, "owner@a.test")


@pytest.fixture
def admin_a(org_a) -> Membership:
    return _member(org_a, Role.ADMIN, "admin@a.test")


@pytest.fixture
def recruiter_a(org_a) -> Membership:
    return _member(org_a, Role.RECRUITER, "recruiter@a.test")


@pytest.fixture
def viewer_a(org_a) -> Membership:
    return _member(org_a, Role.VIEWER, "viewer@a.test")


@pytest.fixture
def member_b(org_b) -> Membership:
    return _member(org_b, Role.OWNER, "owner@b.test")


@pytest.fixture
def candidate(db):
    return CandidateFactory(user=UserFactory(email="candidate@example.test"))


@pytest.fixture
def staff(db) -> User:
    user = UserFactory(email="staff@vetta.test", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_a_client(owner_a) -> Client:
    return client_for(owner_a.user)


@pytest.fixture
def viewer_a_client(viewer_a) -> Client:
    return client_for(viewer_a.user)


@pytest.fixture
def member_b_client(member_b) -> Client:
    return client_for(member_b.user)


@pytest.fixture
def candidate_client(candidate) -> Client:
    return client_for(candidate.user)


@pytest.fixture
def staff_client(staff) -> Client:
    return client_for(staff)


@pytest.fixture
def celery_eager(settings):
    """Run tasks in-process for tests about what a task does, not about delivery."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
