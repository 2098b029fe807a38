"""Sign-in through allauth: e-mail login, verification, staff MFA, admin login, rate limits."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory


def test_signup_requires_email_verification(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "fresh@person.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="fresh@person.test")
    assert not EmailAddress.objects.get(user=user).verified
    assert any("confirm" in m.subject.lower() for m in mail.outbox)
    # Not signed in until the address is verified.
    assert client.get("/me/").status_code == 302


def test_login_with_email(client, db):
    UserFactory(email="login@person.test")
    response = client.post("/accounts/login/", {"login": "login@person.test", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_failed_logins_are_rate_limited(client, db, settings):
    UserFactory(email="target@person.test")
    pages = [
        client.post(
            "/accounts/login/", {"login": "target@person.test", "password": "wrong"}
        ).content
        for _ in range(6)
    ]
    assert b"Too many failed login attempts" not in pages[0]
    assert b"Too many failed login attempts" in pages[-1]
    # Even the right password is refused while the limit holds.
    right = client.post("/accounts/login/", {"login": "target@person.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in right.content


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert b'name="login"' in response.content


def test_staff_without_mfa_must_set_it_up(db):
    user = UserFactory(email="newstaff@vetta.test", is_staff=True, is_superuser=True)
    response = client_for(user).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_mfa_reaches_admin(staff_client):
    assert staff_client.get("/admin/").status_code == 200


def test_non_staff_cannot_use_admin(candidate_client):
    assert candidate_client.get("/admin/", follow=True).status_code == 403


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_public_pages_render(client, db, path):
    assert client.get(path).status_code == 200


def test_custom_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_home_routes_people_by_role(candidate_client, owner_a_client, owner_a):
    assert candidate_client.get("/")["Location"] == "/me/"
    assert owner_a_client.get("/")["Location"] == f"/o/{owner_a.organization.slug}/"
