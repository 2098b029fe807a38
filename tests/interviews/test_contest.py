"""A candidate contests a released tier once, with a reason; staff decide with a reason; the
decision is audited and the candidate is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.errors import DomainError
from interviews import selectors, services
from interviews.models import AuditEntry, Contest, ContestStatus
from tests.conftest import client_for
from tests.factories import AttemptFactory, CandidateFactory, CredentialFactory, UserFactory
from tests.interviews.policy_helpers import policy_domain

RELEASED = datetime(2027, 4, 1, 10, 0, tzinfo=UTC)
REASON = "The second technical answer covered evaluation metrics in detail but was scored low."
pytestmark = pytest.mark.django_db


@pytest.fixture
def qualified(candidate):
    domain = policy_domain()
    attempt = AttemptFactory(candidate=candidate, domain=domain, created_at=RELEASED)
    return CredentialFactory(attempt=attempt, tier="qualified", score=66, release_at=RELEASED)


def test_candidate_contests_once_with_a_reason(
    qualified,
    candidate,
    time_machine,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(RELEASED + timedelta(days=3), tick=False)
    url = f"/me/tiers/{qualified.pk}/contest/"
    page = client_for(candidate.user).get(url)
    assert page.status_code == 200
    assert "You can contest this tier <strong>once</strong>" in page.content.decode()

    short = client_for(candidate.user).post(url, {"reason": "unfair"})
    assert short.status_code == 400
    assert not Contest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client_for(candidate.user).post(url, {"reason": REASON})
    assert sent.status_code == 302
    contest = Contest.objects.get()
    assert (contest.status, contest.tier_at_contest, contest.reason) == (
        "open",
        "qualified",
        REASON,
    )
    assert [m.subject for m in mailoutbox] == [
        "[Vetta] We received your contest of your Machine Learning tier"
    ]

    again = client_for(candidate.user).post(url, {"reason": REASON + " Again."})
    assert again.status_code == 200  # shows the existing contest
    assert "Under review by our staff" in again.content.decode()
    assert Contest.objects.count() == 1
    with pytest.raises(DomainError, match="already contested"):
        services.contest_open(
            candidate=qualified.candidate, credential_id=qualified.pk, reason=REASON
        )


def test_one_contest_per_credential_is_a_database_rule(qualified):
    from django.db import IntegrityError, transaction

    Contest.objects.create(credential=qualified, reason=REASON, tier_at_contest="qualified")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contest.objects.create(credential=qualified, reason=REASON, tier_at_contest="qualified")


def test_contest_window_and_state_rules(qualified, time_machine):
    time_machine.move_to(RELEASED + timedelta(days=30), tick=False)
    with pytest.raises(DomainError, match="time to contest this tier has passed"):
        services.contest_open(
            candidate=qualified.candidate, credential_id=qualified.pk, reason=REASON
        )
    time_machine.move_to(RELEASED + timedelta(days=29, hours=23), tick=False)
    qualified.status = "superseded"
    qualified.save(update_fields=["status"])
    with pytest.raises(DomainError, match="Only a released tier"):
        services.contest_open(
            candidate=qualified.candidate, credential_id=qualified.pk, reason=REASON
        )


def test_another_candidate_gets_404(qualified, time_machine):
    time_machine.move_to(RELEASED + timedelta(days=1), tick=False)
    outsider = client_for(CandidateFactory(user=UserFactory()).user)
    assert outsider.get(f"/me/tiers/{qualified.pk}/contest/").status_code == 404
    assert (
        outsider.post(f"/me/tiers/{qualified.pk}/contest/", {"reason": REASON}).status_code == 404
    )
    assert not Contest.objects.exists()


def test_staff_change_the_tier_audited_and_candidate_emailed(
    qualified,
    staff,
    time_machine,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(RELEASED + timedelta(days=2), tick=False)
    contest = services.contest_open(
        candidate=qualified.candidate, credential_id=qualified.pk, reason=REASON
    )
    assert qualified.candidate.pk not in set(
        selectors.matchable_credentials().values_list("candidate_id", flat=True)
    )

    queue = client_for(staff).get("/admin/interviews/contest/")
    assert queue.status_code == 200
    assert "Machine Learning" in queue.content.decode()
    change_url = f"/admin/interviews/contest/{contest.pk}/change/"
    form = client_for(staff).get(change_url)
    assert form.status_code == 200 and "Reason for the decision" in form.content.decode()

    missing_reason = client_for(staff).post(
        change_url, {"decision": "change", "new_tier": "expert"}
    )
    assert missing_reason.status_code == 200  # the form again, with an error
    contest.refresh_from_db()
    assert contest.status == ContestStatus.OPEN

    decision = "Answer 2 named the right metrics and a calibration method; the rubric missed it."
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            change_url, {"decision": "change", "new_tier": "expert", "decision_reason": decision}
        )
    assert response.status_code == 302
    contest.refresh_from_db()
    qualified.refresh_from_db()
    assert (contest.status, contest.new_tier, contest.decided_by) == ("changed", "expert", staff)
    assert contest.decided_at == RELEASED + timedelta(days=2)
    assert qualified.tier == "expert"
    assert qualified.candidate.pk in set(
        selectors.matchable_credentials().values_list("candidate_id", flat=True)
    )
    audit = AuditEntry.objects.get(object_type="Credential", object_id=str(qualified.pk))
    assert (audit.actor, audit.action, audit.reason) == (staff, "contest_tier_changed", decision)
    assert audit.before["tier"] == "qualified" and audit.after["tier"] == "expert"
    decided_mail = mailoutbox[-1]
    assert decided_mail.subject == "[Vetta] Your Machine Learning tier is now Expert"
    assert decision in decided_mail.body
    assert decision in decided_mail.alternatives[0][0]

    # Decided once: the page is read-only now and a second decision is refused.
    assert client_for(staff).get(change_url).status_code == 200
    with pytest.raises(DomainError, match="already been decided"):
        services.contest_decide(contest_id=contest.pk, actor=staff, confirm=True, reason="again")


def test_staff_confirm_the_tier(
    qualified, staff, time_machine, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    time_machine.move_to(RELEASED + timedelta(days=2), tick=False)
    contest = services.contest_open(
        candidate=qualified.candidate, credential_id=qualified.pk, reason=REASON
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.contest_decide(
            contest_id=contest.pk, actor=staff, confirm=True, reason="Scores match the evidence."
        )
    contest.refresh_from_db()
    qualified.refresh_from_db()
    assert (contest.status, qualified.tier) == (ContestStatus.CONFIRMED, "qualified")
    audit = AuditEntry.objects.get(action="contest_confirmed")
    assert audit.before["tier"] == audit.after["tier"] == "qualified"
    assert mailoutbox[-1].subject == "[Vetta] Your Machine Learning tier was confirmed"
    with pytest.raises(DomainError, match="confirm it instead"):
        other = CredentialFactory(
            attempt=AttemptFactory(domain=qualified.domain, created_at=RELEASED),
            release_at=RELEASED,
        )
        again = services.contest_open(
            candidate=other.candidate, credential_id=other.pk, reason=REASON
        )
        services.contest_decide(
            contest_id=again.pk, actor=staff, confirm=False, new_tier="expert", reason="same"
        )


def test_candidate_cannot_reach_the_staff_queue(qualified, candidate):
    assert (
        client_for(candidate.user).get("/admin/interviews/contest/", follow=True).status_code == 403
    )
