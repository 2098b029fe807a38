import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hundreds of factory users: the production hasher would take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
