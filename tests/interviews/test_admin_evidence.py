"""Interview evidence cannot be invented in the admin: there is no "add" for it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("model", ["resume", "attempt", "answer", "credential", "integrityevent"])
def test_staff_cannot_add_interview_evidence(staff_client, model):
    assert staff_client.get(f"/admin/interviews/{model}/add/").status_code == 403
    assert staff_client.get(f"/admin/interviews/{model}/").status_code == 200


def test_staff_still_edit_the_catalog(staff_client):
    for model in ("domain", "skill", "bankquestion"):
        assert staff_client.get(f"/admin/interviews/{model}/add/").status_code == 200
