"""Adaptivity across the network: the next question waits for the previous answer's score,
but never longer than ``VETTA_NEXT_QUESTION_WAIT_S``; then it is chosen without it, at the
current difficulty, and says so."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse

from interviews import services
from interviews.models import Answer, Question
from tests.interviews.room_helpers import begun_attempt

STRONG = (
    "Pairwise comparison asks annotators which of two outputs is better, which is more "
    "reliable than absolute rating on a 1 to 5 scale because people agree more on relative "
    "judgements. At Acme we measured inter-annotator agreement with Cohen's kappa: 0.71 for "
    "pairwise versus 0.48 for Likert ratings, over 2,000 items, so we switched and used "
    "Bradley-Terry to turn preferences into scores."
)


def _next(client, attempt):
    return client.post(reverse("candidate:interview_api_next", args=[attempt.pk])).json()


def _answer_text(client, attempt, question):
    url = reverse("candidate:interview_api_answer", args=[attempt.pk, question.pk])
    response = client.post(url, data={"text": STRONG}, content_type="application/json")
    assert response.status_code == 201, response.content


def _to_first_technical_answered(client, attempt, question) -> Question:
    """Answer (and grade, as the worker would) until a technical question is answered."""
    while True:
        _answer_text(client, attempt, question)
        if question.category == "technical":
            return question
        services.answer_grade(answer=Answer.objects.get(question=question))
        body = _next(client, attempt)
        question = Question.objects.get(pk=body["question"]["id"])


def test_next_question_waits_then_goes_on_without_the_score(candidate_client, candidate, settings):
    settings.VETTA_NEXT_QUESTION_WAIT_S = 2.0
    attempt, question = begun_attempt(candidate, typed=True)
    technical = _to_first_technical_answered(candidate_client, attempt, question)
    submitted_at = Answer.objects.get(question=technical).submitted_at

    # Grading has not run (no worker here): the room is told to wait and ask again.
    with time_machine.travel(submitted_at + timedelta(seconds=1), tick=False):
        waiting = _next(candidate_client, attempt)
    assert waiting["status"] == "waiting"
    assert 0 < waiting["retryAfterS"] <= 1
    assert Question.objects.filter(attempt=attempt).count() == technical.position

    with time_machine.travel(submitted_at + timedelta(seconds=2.5), tick=False):
        body = _next(candidate_client, attempt)
    assert body["status"] == "question"
    chosen = Question.objects.get(pk=body["question"]["id"])
    assert chosen.position == technical.position + 1
    assert "without the previous answer's score" in chosen.reason
    if chosen.category == "technical":
        assert chosen.difficulty == technical.difficulty  # unchanged: nothing to adapt to


def test_a_score_in_time_is_used(candidate_client, candidate, settings):
    settings.VETTA_NEXT_QUESTION_WAIT_S = 2.0
    attempt, question = begun_attempt(candidate, typed=True)
    technical = _to_first_technical_answered(candidate_client, attempt, question)
    score = services.answer_grade(answer=Answer.objects.get(question=technical))
    body = _next(candidate_client, attempt)
    chosen = Question.objects.get(pk=body["question"]["id"])
    assert "without the previous answer's score" not in chosen.reason
    if chosen.category == "technical" and score.overall >= 70:
        assert chosen.difficulty >= technical.difficulty
