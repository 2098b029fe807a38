"""Staff roles as Django groups and permissions.

* "Staff viewer": reads every interview, score, audit entry and the fairness report;
  cannot change anything.
* "Staff reviewer": a viewer who may also override tiers (``interviews.override_tier``)
  and mark attempts reviewed.

Superusers have every permission. The override permission hangs on the ``Credential``
content type so it reads ``interviews.override_tier`` while living in this app's code
(the interviews migrations belong to the policy work).
"""

from __future__ import annotations

from typing import Any

OVERRIDE_TIER = "interviews.override_tier"
VIEW_FAIRNESS_REPORT = "fairness.view_fairness_report"
VIEWER_GROUP = "Staff viewer"
REVIEWER_GROUP = "Staff reviewer"

# Models whose rows a viewer may read in the admin.
_VIEWABLE = {
    "interviews": [
        "domain",
        "domainpolicy",
        "skill",
        "bankquestion",
        "resume",
        "attempt",
        "question",
        "answer",
        "score",
        "credential",
        "integrityevent",
        "auditentry",
    ],
    "accounts": ["candidate"],
}


def staff_roles_ensure(**kwargs: Any) -> None:
    """Create the override permission and the two staff groups (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    credential_type, _created = ContentType.objects.get_or_create(
        app_label="interviews", model="credential"
    )
    override, _created = Permission.objects.get_or_create(
        content_type=credential_type,
        codename="override_tier",
        defaults={"name": "Can override a tier (with a written reason)"},
    )
    view_codenames = [f"view_{model}" for models in _VIEWABLE.values() for model in models]
    view_perms = list(
        Permission.objects.filter(
            content_type__app_label__in=list(_VIEWABLE), codename__in=view_codenames
        )
    )
    view_perms += list(
        Permission.objects.filter(
            content_type__app_label="fairness", codename="view_fairness_report"
        )
    )
    viewer, _created = Group.objects.get_or_create(name=VIEWER_GROUP)
    viewer.permissions.add(*view_perms)
    reviewer, _created = Group.objects.get_or_create(name=REVIEWER_GROUP)
    reviewer.permissions.add(*view_perms, override)
