"""Staff review: the review page, recordings behind permissions, the queue, audited overrides."""

# Shared fixtures are imported by name, and pytest passes them in by that name.
# ruff: noqa: F401, F811

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from accounts.errors import DomainError, PermissionDeniedError
from interviews.models import Answer, AnswerStatus, Attempt, AuditEntry, Credential
from interviews.review import credential_override, review_queue
from tests.conftest import client_for
from tests.fairness.builders import add_integrity_event, make_attempt, make_candidate, make_domain
from tests.fairness.conftest import media, staff_reviewer, staff_viewer, staff_without_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    return make_attempt(make_candidate("alex@example.test"), make_domain(), tier="expert")


def review_url(attempt: Attempt) -> str:
    return reverse("admin:interviews_attempt_review", args=[attempt.pk])


def override_url(attempt: Attempt) -> str:
    return reverse("admin:interviews_attempt_override", args=[attempt.pk])


def test_review_page_shows_everything_staff_need(staff_client, attempt):
    add_integrity_event(attempt, "tab_hidden")
    html = staff_client.get(review_url(attempt)).content.decode()
    answer = Answer.objects.filter(question__attempt=attempt).first()
    assert reverse("admin:interviews_answer_audio", args=[answer.pk]) in html
    assert "/media/" not in html  # recordings never from a public media URL
    assert 'data-start="3.5"' in html and "[2.5 s pause]" in html  # word timings and a long pause
    assert "Technical accuracy" in html and "concepts_matched" in html  # evidence
    assert "builtin-test" in html and "chosen by <code>builtin</code>" in html
    assert "tab_hidden" in html
    assert "Override tier" in html


def test_recordings_stream_to_staff_with_the_right_permission(
    staff_client, staff_viewer, staff_without_role, candidate_client, attempt
):
    answer = Answer.objects.filter(question__attempt=attempt).first()
    url = reverse("admin:interviews_answer_audio", args=[answer.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"webm!"
    assert response["Content-Type"] == "audio/webm"
    assert "no-store" in response["Cache-Control"]
    viewer_response = client_for(staff_viewer).get(url)
    assert viewer_response.status_code == 200
    assert b"".join(viewer_response.streaming_content) == b"webm!"  # read, so it is closed
    assert client_for(staff_without_role).get(url).status_code == 403
    assert candidate_client.get(url).status_code == 302  # to the staff sign-in


def test_override_keeps_who_when_before_after_and_why(staff, staff_client, attempt):
    response = staff_client.post(
        override_url(attempt),
        {"tier": "verified_expert", "reason": "Audio shows depth the transcriber missed on Q2."},
    )
    assert response.status_code == 302
    credential = Credential.objects.get(attempt=attempt)
    assert credential.tier == "verified_expert"
    attempt.refresh_from_db()
    assert attempt.tier == "expert"  # what the interview decided stays on record
    entry = AuditEntry.objects.get(action="tier_override")
    assert entry.actor == staff and entry.object_id == str(credential.pk)
    assert entry.before["tier"] == "expert" and entry.after["tier"] == "verified_expert"
    assert entry.reason.startswith("Audio shows depth") and entry.at is not None


def test_override_needs_a_written_reason(staff, attempt):
    credential = Credential.objects.get(attempt=attempt)
    with pytest.raises(DomainError):
        credential_override(credential=credential, new_tier="qualified", actor=staff, reason=" ")
    assert Credential.objects.get(pk=credential.pk).tier == "expert"
    assert not AuditEntry.objects.exists()


def test_viewer_role_staff_cannot_override_tiers(staff_viewer, attempt):
    client = client_for(staff_viewer)
    page = client.get(review_url(attempt))
    assert page.status_code == 200 and "Override tier" not in page.content.decode()
    response = client.post(
        override_url(attempt), {"tier": "verified_expert", "reason": "I would like it higher."}
    )
    assert response.status_code == 403
    credential = Credential.objects.get(attempt=attempt)
    assert credential.tier == "expert" and not AuditEntry.objects.exists()
    with pytest.raises(PermissionDeniedError):
        credential_override(
            credential=credential, new_tier="qualified", actor=staff_viewer, reason="x" * 20
        )


def test_reviewer_role_staff_can_override(staff_reviewer, attempt):
    response = client_for(staff_reviewer).post(
        override_url(attempt), {"tier": "qualified", "reason": "Answers read from notes (Q1-Q4)."}
    )
    assert response.status_code == 302
    assert Credential.objects.get(attempt=attempt).tier == "qualified"


def test_audit_entries_cannot_be_changed_or_deleted_from_the_admin(staff, staff_client, attempt):
    credential_override(
        credential=Credential.objects.get(attempt=attempt),
        new_tier="qualified",
        actor=staff,
        reason="Contest upheld after listening.",
    )
    entry = AuditEntry.objects.get()
    change = reverse("admin:interviews_auditentry_change", args=[entry.pk])
    page = staff_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    staff_client.post(change, {"reason": "rewritten", "action": "nothing"})
    delete = reverse("admin:interviews_auditentry_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = staff_client.post(
        reverse("admin:interviews_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.reason == "Contest upheld after listening."
    model_admin = admin_site._registry[AuditEntry]
    request = type("R", (), {"user": staff})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_queue_lists_flags_and_failures_until_reviewed(staff_client, attempt):
    add_integrity_event(attempt)
    failed = make_attempt(make_candidate(), make_domain("pe"), state="failed")
    Answer.objects.filter(question__attempt=failed).update(status=AnswerStatus.FAILED)
    queue = review_queue()
    assert [i.attempt for i in queue["integrity"]] == [attempt]
    assert [i.attempt for i in queue["failures"]] == [failed]
    page = staff_client.get(reverse("admin:interviews_attempt_review_queue"))
    assert page.status_code == 200 and "Scoring failures (1)" in page.content.decode()
    staff_client.post(
        reverse("admin:interviews_attempt_reviewed", args=[attempt.pk]),
        {"note": "Tab switch during the countdown only."},
    )
    assert review_queue()["integrity"] == []


def test_open_contests_are_in_the_queue(attempt):
    from interviews import models

    contest_model = getattr(models, "Contest", None)
    if contest_model is None:
        pytest.skip("no Contest model yet")
    credential = Credential.objects.get(attempt=attempt)
    contest_model.objects.create(
        credential=credential, reason="Q3 was cut off.", tier_at_contest="expert"
    )
    assert [c.credential for c in review_queue()["contests"]] == [credential]


def test_candidate_is_told_when_staff_override_an_active_tier(
    staff, attempt, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    credential = Credential.objects.get(attempt=attempt)
    assert credential.status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        credential_override(
            credential=credential,
            new_tier="verified_expert",
            actor=staff,
            reason="Audio shows depth the transcriber missed on Q2.",
        )
    [message] = mailoutbox
    assert message.to == [credential.candidate.user.email]
    assert "from Expert to Verified Expert" in message.body
    assert message.alternatives[0][1] == "text/html"
