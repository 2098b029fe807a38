"""VETTA_AI_BACKEND=openai: stored scores say which backend made them, and failures fall back."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from interviews import services
from interviews.catalog import domains_sync
from interviews.models import Answer, AnswerStatus, Attempt, Question, Resume
from tests.interviews.test_openai_backend import server  # noqa: F401 - the fake endpoint fixture


def transcribed_answer(candidate) -> Answer:
    domain = domains_sync()["prompt_engineering"]
    resume = Resume(
        candidate=candidate,
        version=1,
        original_name="cv.pdf",
        sha256="0" * 64,
        size_bytes=1,
        page_count=1,
        parsed={"skills": []},
    )
    resume.file.save("cv.pdf", ContentFile(b"%PDF-1.4"), save=False)
    resume.save()
    attempt = Attempt.objects.create(
        candidate=candidate, domain=domain, resume=resume, state="in_progress"
    )
    question = Question.objects.create(
        attempt=attempt,
        position=1,
        key="pe-t-001",
        category="technical",
        difficulty=1,
        text="What is few-shot prompting?",
    )
    return Answer.objects.create(
        question=question,
        status=AnswerStatus.TRANSCRIBED,
        transcript="Few-shot prompting puts a handful of input-output examples in the prompt so "
        "the model infers the task without any weight updates; I used five examples.",
        duration_s=25,
    )


@pytest.fixture
def openai_settings(settings, server):  # noqa: F811
    url, handler = server
    settings.VETTA_AI_BACKEND = "openai"
    settings.OPENAI_BASE_URL = url
    settings.OPENAI_MODEL = "test-model"
    settings.VETTA_OPENAI_TIMEOUT_S = 2.0
    return handler


def test_builtin_is_the_default(candidate):
    score = services.answer_grade(answer=transcribed_answer(candidate))
    assert score.backend == "builtin"
    assert score.rubric_version


def test_openai_backend_is_recorded_on_the_score(candidate, openai_settings):
    score = services.answer_grade(answer=transcribed_answer(candidate))
    assert score.backend == "openai:test-model"
    assert openai_settings.requests, "the endpoint was called"


def test_openai_failure_falls_back_to_builtin_and_says_why(candidate, openai_settings):
    openai_settings.mode = "500"
    score = services.answer_grade(answer=transcribed_answer(candidate))
    assert score.backend == "builtin"
    assert score.evidence["overall"]["fallback_reason"]
    assert score.overall > 0
