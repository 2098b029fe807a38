from __future__ import annotations

from django.http import HttpRequest

from accounts.selectors import memberships_for_user


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: the user's organizations and their role in each."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_memberships": list(memberships_for_user(user=user)),
        "nav_is_candidate": hasattr(user, "candidate"),
        "current_membership": getattr(request, "membership", None),
    }
