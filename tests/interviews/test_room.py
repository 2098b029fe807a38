"""The interview room's pages and JSON API: who may see what, in which order."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from interviews import services
from interviews.models import Attempt, AttemptState, IntegrityEvent, Question
from tests.conftest import client_for
from tests.factories import CandidateFactory
from tests.interviews.room_helpers import begun_attempt, consent, domain, resume_for


def post_json(client, url: str, payload: dict | None = None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


def api(name: str, attempt: Attempt, *extra: int) -> str:
    return reverse(f"candidate:interview_api_{name}", args=[attempt.pk, *extra])


# --- domain choice and start --------------------------------------------------------------


def test_domain_choice_without_resume_asks_for_one(candidate_client, candidate):
    domain()
    response = candidate_client.get(reverse("candidate:interview"))
    assert response.status_code == 200
    assert b"Upload your resume first" in response.content
    assert b"Start in AI evaluation" not in response.content


def test_domain_choice_shows_the_policy_reason_when_not_allowed(candidate_client, candidate):
    attempt, _ = begun_attempt(candidate)
    services.attempt_submit(attempt=attempt)
    response = candidate_client.get(reverse("candidate:interview"))
    assert b"Your next attempt opens on" in response.content


def test_start_creates_the_attempt_and_leads_to_the_notice(candidate_client, candidate):
    resume_for(candidate)
    d = domain()
    response = candidate_client.post(reverse("candidate:interview_start", args=[d.slug]))
    attempt = Attempt.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response.url == reverse("candidate:interview_consent", args=[attempt.pk])
    # A second start (another tab) resumes the same attempt.
    candidate_client.post(reverse("candidate:interview_start", args=[d.slug]))
    assert Attempt.objects.filter(candidate=candidate).count() == 1


def test_start_without_resume_says_why(candidate_client, candidate):
    d = domain()
    response = candidate_client.post(
        reverse("candidate:interview_start", args=[d.slug]), follow=True
    )
    assert b"Upload your resume before you start" in response.content
    assert not Attempt.objects.exists()


# --- notice, device check, room ----------------------------------------------------------


@pytest.fixture
def fresh(candidate) -> Attempt:
    resume_for(candidate)
    return services.attempt_start(candidate=candidate, domain=domain())


def test_notice_says_what_is_recorded_assessed_kept_and_how_to_ask(candidate_client, fresh):
    response = candidate_client.get(reverse("candidate:interview_consent", args=[fresh.pk]))
    text = response.content.decode()
    for phrase in (
        "The audio of each answer",
        "transcript",
        "switch tabs",
        "never assess emotion, personality, your voice",
        "Audio is deleted 180 days after your result is released",
        "typed answers",
        "support@vetta.localhost",
    ):
        assert phrase in text, phrase


def test_room_and_device_check_need_consent_first(candidate_client, fresh):
    for name in ("interview_device_check", "interview_room"):
        response = candidate_client.get(reverse(f"candidate:{name}", args=[fresh.pk]))
        assert response.url == reverse("candidate:interview_consent", args=[fresh.pk])
    refused = candidate_client.post(api("begin", fresh))
    assert refused.status_code == 400 and refused.json()["error"] == "no_consent"


def test_consent_requires_the_box(candidate_client, fresh):
    url = reverse("candidate:interview_consent", args=[fresh.pk])
    assert candidate_client.post(url, {}).status_code == 400
    response = candidate_client.post(url, {"agree": "yes"})
    assert response.url == reverse("candidate:interview_device_check", args=[fresh.pk])
    assert IntegrityEvent.objects.filter(attempt=fresh, kind="consent").count() == 1


def test_device_check_then_room(candidate_client, fresh):
    consent(fresh)
    url = reverse("candidate:interview_device_check", args=[fresh.pk])
    page = candidate_client.get(url)
    assert b'id="level-meter"' in page.content and b"Record 5 seconds" in page.content
    response = candidate_client.post(url, {"microphone": "ok", "camera": "NotAllowedError"})
    assert response.url == reverse("candidate:interview_room", args=[fresh.pk])
    room = candidate_client.get(response.url)
    assert room.status_code == 200
    assert b"interview-room.js" in room.content and b'"answerCapS": 180' in room.content
    assert "csrftoken" in room.cookies


def test_begin_starts_the_clock_and_next_gives_the_first_question(candidate_client, fresh):
    consent(fresh)
    began = candidate_client.post(api("begin", fresh)).json()
    assert began["state"] == "in_progress" and 1190 < began["secondsLeft"] <= 1200
    first = candidate_client.post(api("next", fresh)).json()
    assert first["status"] == "question" and first["question"]["position"] == 1
    # Asking again (a reload, a reconnect) returns the same question with the clock running.
    again = candidate_client.post(api("next", fresh)).json()
    assert again["question"]["id"] == first["question"]["id"]
    state = candidate_client.get(api("state", fresh)).json()
    assert state["question"]["id"] == first["question"]["id"]
    # Beginning twice does not restart the clock.
    fresh.refresh_from_db()
    deadline = fresh.deadline_at
    candidate_client.post(api("begin", fresh))
    fresh.refresh_from_db()
    assert fresh.deadline_at == deadline


def test_next_before_begin_is_refused(candidate_client, fresh):
    consent(fresh)
    response = candidate_client.post(api("next", fresh))
    assert response.status_code == 409 and response.json()["error"] == "not_started"


def test_clock_over_finishes_the_interview(candidate_client, candidate):
    attempt, _ = begun_attempt(candidate)
    with time_machine.travel(attempt.deadline_at + timedelta(seconds=1)):
        body = candidate_client.post(api("next", attempt)).json()
    assert body["status"] == "finished"
    assert body["redirect"] == reverse("candidate:interview_finished", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state in (AttemptState.SUBMITTED, AttemptState.SCORING, AttemptState.SCORED)
    page = candidate_client.get(body["redirect"])
    assert b"Your answers are being scored" in page.content
    # Earlier steps of a finished attempt lead to the finished page.
    room = candidate_client.get(reverse("candidate:interview_room", args=[attempt.pk]))
    assert room.url == body["redirect"]


def test_finished_page_never_shows_question_scores(candidate_client, candidate):
    attempt, question = begun_attempt(candidate)
    services.question_skip(attempt=attempt, question_id=question.pk)
    services.attempt_submit(attempt=attempt)
    page = candidate_client.get(reverse("candidate:interview_finished", args=[attempt.pk]))
    assert b"Individual question scores are not shown" in page.content
    assert question.text.encode() not in page.content


def test_skip_scores_zero_and_moves_on(candidate_client, candidate):
    attempt, question = begun_attempt(candidate)
    response = candidate_client.post(api("skip", attempt, question.pk))
    assert response.status_code == 201
    assert question.answer.score.overall == 0
    following = candidate_client.post(api("next", attempt)).json()
    assert following["question"]["position"] == 2


# --- integrity events ------------------------------------------------------------------


def test_focus_and_tab_events_are_recorded_for_staff(candidate_client, candidate):
    attempt, _first = begun_attempt(candidate)
    url = api("events", attempt)
    for kind in ("tab_hidden", "tab_visible", "focus_lost"):
        response = post_json(candidate_client, url, {"kind": kind, "position": 1, "at": "x"})
        assert response.status_code == 201
    kinds = list(
        IntegrityEvent.objects.filter(attempt=attempt)
        .exclude(kind="consent")
        .values_list("kind", "question_position")
    )
    assert kinds == [("tab_hidden", 1), ("tab_visible", 1), ("focus_lost", 1)]
    bad = post_json(candidate_client, url, {"kind": "score_me_higher"})
    assert bad.status_code == 400 and bad.json()["error"] == "unknown_event"


def test_events_need_a_post_with_the_csrf_token(candidate):
    from django.test import Client

    attempt, _ = begun_attempt(candidate)
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate.user)
    response = post_json(client, api("events", attempt), {"kind": "focus_lost"})
    assert response.status_code == 403
    assert not IntegrityEvent.objects.filter(kind="focus_lost").exists()


# --- another candidate's attempt ----------------------------------------------------------


def test_another_candidates_attempt_is_not_found_everywhere(candidate):
    attempt, question = begun_attempt(candidate)
    outsider = client_for(CandidateFactory().user)
    for name in ("consent", "device_check", "room", "finished"):
        url = reverse(f"candidate:interview_{name}", args=[attempt.pk])
        assert outsider.get(url).status_code == 404, name
    assert outsider.get(api("state", attempt)).status_code == 404
    for url in (
        api("begin", attempt),
        api("next", attempt),
        api("skip", attempt, question.pk),
        api("events", attempt),
    ):
        response = post_json(outsider, url, {"kind": "focus_lost"})
        assert response.status_code == 404 and response.json()["error"] == "not_found", url
    assert not hasattr(Question.objects.get(pk=question.pk), "answer")


def test_signed_out_api_call_is_a_json_refusal(client, candidate):
    attempt, _ = begun_attempt(candidate)
    response = client.get(api("state", attempt))
    assert response.status_code == 403
    assert response.json()["error"] == "login_required"
