"""Members, roles and invitations in the client portal."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from accounts.models import Invitation, Membership, Role
from tests.conftest import client_for
from tests.factories import UserFactory


def members_url(m: Membership, suffix: str = "") -> str:
    return f"/o/{m.organization.slug}/members/{suffix}"


def test_viewer_cannot_change_roles(owner_a, viewer_a, viewer_a_client):
    response = viewer_a_client.post(
        members_url(owner_a, f"{owner_a.pk}/role/"), {"role": Role.VIEWER}
    )
    assert response.status_code == 403
    with scopes_disabled():
        owner_a.refresh_from_db()
    assert owner_a.role == Role.OWNER


def test_viewer_cannot_invite_and_sees_no_controls(viewer_a, viewer_a_client):
    page = viewer_a_client.get(members_url(viewer_a))
    assert b"Send invitation" not in page.content
    response = viewer_a_client.post(
        members_url(viewer_a, "invite/"), {"email": "x@y.test", "role": "viewer"}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_admin_cannot_grant_owner(owner_a, admin_a, viewer_a):
    client = client_for(admin_a.user)
    response = client.post(members_url(admin_a, f"{viewer_a.pk}/role/"), {"role": Role.OWNER})
    assert response.status_code == 403


def test_owner_changes_role(owner_a, viewer_a, owner_a_client):
    response = owner_a_client.post(
        members_url(owner_a, f"{viewer_a.pk}/role/"), {"role": Role.RECRUITER}
    )
    assert response.status_code == 302
    with scopes_disabled():
        viewer_a.refresh_from_db()
    assert viewer_a.role == Role.RECRUITER


def test_last_owner_cannot_step_down(owner_a, owner_a_client):
    response = owner_a_client.post(
        members_url(owner_a, f"{owner_a.pk}/role/"), {"role": Role.ADMIN}, follow=True
    )
    assert b"at least one owner" in response.content
    with scopes_disabled():
        owner_a.refresh_from_db()
    assert owner_a.role == Role.OWNER


def test_owner_removes_member(owner_a, viewer_a, owner_a_client):
    owner_a_client.post(members_url(owner_a, f"{viewer_a.pk}/remove/"))
    with scopes_disabled():
        assert not Membership.objects.filter(pk=viewer_a.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_invitation_round_trip(owner_a, owner_a_client, celery_eager):
    response = owner_a_client.post(
        members_url(owner_a, "invite/"), {"email": "New@Person.test", "role": "recruiter"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert invitation.email == "new@person.test"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert invitation.token in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]

    newcomer = client_for(UserFactory(email="new@person.test"))
    accepted = newcomer.post(f"/invitations/{invitation.token}/")
    assert accepted.status_code == 302
    with scopes_disabled():
        assert Membership.objects.get(user__email="new@person.test").role == Role.RECRUITER
    again = newcomer.post(f"/invitations/{invitation.token}/", follow=True)
    assert b"expired or was already used" in again.content


def test_invitation_for_someone_else_is_refused(owner_a, org_a):
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organization=org_a, email="right@person.test", role="viewer"
        )
    wrong = client_for(UserFactory(email="wrong@person.test"))
    response = wrong.post(f"/invitations/{invitation.token}/", follow=True)
    assert b"Sign in with that address" in response.content
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="wrong@person.test").exists()


def test_create_organization_makes_owner(db):
    client = client_for(UserFactory(email="founder@new.test"))
    response = client.post("/organizations/new/", {"name": "New Co"})
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(user__email="founder@new.test")
    assert membership.role == Role.OWNER
    assert response["Location"] == f"/o/{membership.organization.slug}/"
