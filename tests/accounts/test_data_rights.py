"""Candidates download all their data, and delete their account with every file of it."""

# Shared fixtures are imported by name, and pytest passes them in by that name.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Candidate, User
from fairness.models import FairnessRecord
from fairness.services import demographic_answer_save
from interviews.models import Answer, Attempt, AuditEntry, Credential, Resume
from interviews.review import credential_override
from tests.conftest import client_for
from tests.fairness.builders import make_attempt, make_domain
from tests.fairness.conftest import media

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(candidate, staff):
    """Two interviews, a resume with its file, a staff override and voluntary answers."""
    domain = make_domain()
    first = make_attempt(candidate, domain, score=55, tier="qualified")
    second = make_attempt(candidate, domain, score=78, tier="expert")
    credential_override(
        credential=Credential.objects.get(attempt=second),
        new_tier="verified_expert",
        actor=staff,
        reason="Resume claims confirmed by the recording.",
    )
    demographic_answer_save(candidate=candidate, sex="female", race_ethnicity="asian")
    return first, second


def files_under(root: Path) -> list[str]:
    return sorted(
        str(Path(dirpath, f).relative_to(root))
        for dirpath, _, names in os.walk(root)
        for f in names
    )


def test_export_holds_everything_about_the_candidate(candidate_client, candidate, history):
    response = candidate_client.get(reverse("candidate:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "candidate@example.test"
    assert data["profile"]["headline"] == candidate.headline
    assert data["resumes"][0]["parsed"]["text"].startswith("Alex built")
    assert [a["tier"] for a in data["attempts"]] == ["qualified", "expert"]
    answer = data["attempts"][1]["questions"][0]["answer"]
    assert answer["transcript"].startswith("Few-shot") and answer["words"][0][0] == "Few-shot"
    assert set(answer["score"]) >= {"fluency", "technical_accuracy", "coherence", "conciseness"}
    assert "evidence" not in answer["score"]  # the grader's answer key stays out
    assert "expected_concepts" not in data["attempts"][1]["questions"][0]
    assert answer["recording"]["kept"] is True
    assert {c["tier"] for c in data["credentials"]} == {"qualified", "verified_expert"}
    [change] = data["tier_changes_by_staff"]
    assert change["before"]["tier"] == "expert" and change["after"]["tier"] == "verified_expert"
    assert "staff@vetta.test" not in response.content.decode()
    assert data["demographic_answers"]["sex"] == "female"


def test_export_is_only_ever_of_the_signed_in_candidate(candidate, history):
    other = client_for(User.objects.create_user("other@example.test", "x-pass-12345"))
    body = other.get(reverse("candidate:data_export")).content.decode()
    assert "candidate@example.test" not in body and "Few-shot" not in body


def test_deleting_the_account_removes_every_file_and_keeps_anonymous_aggregates(
    candidate_client, candidate, history, media, django_capture_on_commit_callbacks
):
    first, second = history
    assert any(f.startswith("audio/") for f in files_under(media))
    assert any(f.startswith("resumes/") for f in files_under(media))
    candidate_pk, user_pk, email = candidate.pk, candidate.user.pk, candidate.user.email
    attempt_ids = [first.pk, second.pk]

    wrong = candidate_client.post(reverse("candidate:account_delete"), {"confirm_email": "no"})
    assert wrong.status_code == 400 and User.objects.filter(pk=user_pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post(
            reverse("candidate:account_delete"), {"confirm_email": email.upper()}
        )
    assert response.status_code == 302

    assert files_under(media) == []
    assert not User.objects.filter(pk=user_pk).exists()
    assert not Candidate.objects.filter(pk=candidate_pk).exists()
    assert not Attempt.objects.filter(pk__in=attempt_ids).exists()
    assert not Resume.objects.filter(candidate_id=candidate_pk).exists()
    assert not Answer.objects.filter(question__attempt_id__in=attempt_ids).exists()
    records = list(FairnessRecord.objects.order_by("score"))
    assert [(r.tier, r.score, r.sex, r.race_ethnicity) for r in records] == [
        ("qualified", 55, "female", "asian"),
        ("expert", 78, "female", "asian"),
    ]
    assert len({r.subject for r in records}) == 1
    assert AuditEntry.objects.filter(action="account_deleted").count() == 1
    # the session is gone with the account
    assert candidate_client.get(reverse("candidate:data_export")).status_code == 302


def test_no_page_returns_a_deleted_candidates_data(
    candidate, history, staff_client, django_capture_on_commit_callbacks
):
    _first, second = history
    answer = Answer.objects.filter(question__attempt=second).first()
    email = candidate.user.email
    with django_capture_on_commit_callbacks(execute=True):
        from accounts.data_rights import candidate_account_delete

        candidate_account_delete(user=candidate.user)
    pages = [
        reverse("admin:interviews_attempt_review", args=[second.pk]),
        reverse("admin:interviews_answer_audio", args=[answer.pk]),
        reverse("admin:interviews_attempt_review_queue"),
        reverse("admin:interviews_attempt_changelist"),
        reverse("admin:interviews_credential_changelist"),
        reverse("admin:interviews_resume_changelist"),
    ]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code in (200, 302, 404), url
        body = response.content.decode()
        assert email not in body and "Few-shot prompting um" not in body, url
    for changelist in ("attempt", "credential", "resume", "answer"):
        url = reverse(f"admin:interviews_{changelist}_changelist") + f"?q={email}"
        response = staff_client.get(url)
        assert response.status_code == 200 and response.context["cl"].result_count == 0, url
    assert not client_for_login(email)


def client_for_login(email: str) -> bool:
    from django.test import Client

    return Client().login(email=email, password="correct-horse-battery-staple")


def test_a_client_member_is_asked_to_leave_their_organization_first(owner_a):
    from accounts.data_rights import candidate_account_delete
    from accounts.errors import DomainError

    with pytest.raises(DomainError):
        candidate_account_delete(user=owner_a.user)
    assert User.objects.filter(pk=owner_a.user.pk).exists()


def test_data_pages_render_for_the_candidate(candidate_client):
    make_domain("ml", verified_threshold=85)
    for name in ("data", "account_delete", "demographics", "assessment"):
        response = candidate_client.get(reverse(f"candidate:{name}"))
        assert response.status_code == 200, name
    body = candidate_client.get(reverse("candidate:assessment")).content.decode()
    assert "Verified Expert" in body and "85" in body and "never scored" in body


def test_demographic_answers_can_be_given_changed_and_withdrawn(candidate_client, candidate):
    from fairness.services import demographic_answer_of

    url = reverse("candidate:demographics")
    candidate_client.post(url, {"sex": "male", "race_ethnicity": ""})
    assert demographic_answer_of(candidate=candidate).sex == "male"
    candidate_client.post(url, {"sex": "prefer_not_to_say", "race_ethnicity": "white"})
    answer = demographic_answer_of(candidate=candidate)
    assert (answer.sex, answer.race_ethnicity) == ("prefer_not_to_say", "white")
    candidate_client.post(url, {"withdraw": "1"})
    assert demographic_answer_of(candidate=candidate) is None
