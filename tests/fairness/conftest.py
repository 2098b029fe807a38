from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from fairness.roles import REVIEWER_GROUP, VIEWER_GROUP
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every trust test stores its files in its own folder, so 'nothing left' is checkable."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _staff(email: str, group: str | None):
    user = UserFactory(email=email, is_staff=True, is_superuser=False)
    if group:
        user.groups.add(Group.objects.get(name=group))
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff_viewer(db):
    return _staff("viewer@vetta.test", VIEWER_GROUP)


@pytest.fixture
def staff_reviewer(db):
    return _staff("reviewer@vetta.test", REVIEWER_GROUP)


@pytest.fixture
def staff_without_role(db):
    return _staff("norole@vetta.test", None)
