"""Shared set-up of the interview-room tests: a resume row, a begun attempt, real recordings.

Recordings are made at test time: espeak-ng speech and FFmpeg silence, encoded to WebM/Opus
as Chromium's MediaRecorder does, so the server sees what a browser would send.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from accounts.models import Candidate
from interviews import services
from interviews.catalog import catalog_sync
from interviews.models import Attempt, Domain, IntegrityEvent, Question, Resume
from interviews.views_room import CONSENT_EVENT
from tests.speech import espeak_wav
from tests.tools import tool_missing

WEBM = "audio/webm;codecs=opus"

# About 9 s of speech, for tests of what the server accepts (not of what it hears).
SPOKEN = (
    "At Acme I built an evaluation pipeline in PyTorch. We scored model outputs against a "
    "rubric with unit tests, and tracked agreement between annotators."
)

RESUME_PARSE = {
    "skills": [
        {"slug": "pytorch", "name": "PyTorch"},
        {"slug": "rlhf", "name": "RLHF"},
        {"slug": "kubernetes", "name": "Kubernetes"},
        {"slug": "langchain", "name": "LangChain"},
    ],
    "roles": [{"title": "Machine Learning Engineer", "employer": "Acme"}],
    "bullets": [],
}


def resume_for(candidate: Candidate, parsed: dict | None = None) -> Resume:
    resume = Resume(
        candidate=candidate,
        version=1,
        original_name="resume.pdf",
        sha256="0" * 64,
        size_bytes=8,
        page_count=1,
        parsed=parsed or RESUME_PARSE,
    )
    resume.file.save("resume.pdf", ContentFile(b"%PDF-1.7"), save=False)
    resume.save()
    return resume


def domain(slug: str = "ai_evaluation") -> Domain:
    if not Domain.objects.filter(slug=slug).exists():
        catalog_sync()
    return Domain.objects.get(slug=slug)


def consent(attempt: Attempt) -> None:
    IntegrityEvent.objects.create(attempt=attempt, kind=CONSENT_EVENT, detail={"notice": "test"})


def begun_attempt(candidate: Candidate, *, typed: bool = False) -> tuple[Attempt, Question]:
    """An attempt past consent and countdown, with its first question asked."""
    if not Resume.objects.filter(candidate=candidate).exists():
        resume_for(candidate)
    attempt = services.attempt_start(candidate=candidate, domain=domain())
    if typed:
        Attempt.objects.filter(pk=attempt.pk).update(typed_answers=True)
        attempt.refresh_from_db()
    consent(attempt)
    attempt = services.attempt_begin(attempt=attempt)
    question = services.question_next(attempt=attempt)
    assert isinstance(question, Question)
    return attempt, question


def require_ffmpeg() -> str:
    executable = shutil.which("ffmpeg")
    if executable is None:
        tool_missing("ffmpeg", "sudo apt-get install ffmpeg")
    return executable


def to_webm(source: Path, target: Path) -> bytes:
    """Encode like Chromium's MediaRecorder: Opus in WebM, 48 kHz mono."""
    subprocess.run(
        [
            require_ffmpeg(),
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(source),
            "-ac",
            "1",
            "-ar",
            "48000",
            "-c:a",
            "libopus",
            "-b:a",
            "32k",
            "-f",
            "webm",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return target.read_bytes()


@pytest.fixture(scope="module")
def good_webm(tmp_path_factory) -> bytes:
    """SPOKEN, recorded as the browser sends it. Import it by name to use it."""
    return speech_webm(SPOKEN, tmp_path_factory.mktemp("speech"))


def speech_webm(text: str, directory: Path, name: str = "speech") -> bytes:
    wav = espeak_wav(text, directory / f"{name}.wav")
    return to_webm(wav, directory / f"{name}.webm")


def silence_webm(directory: Path, seconds: float = 4.0) -> bytes:
    target = directory / f"silence-{seconds}.webm"
    subprocess.run(
        [
            require_ffmpeg(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=48000:cl=mono",
            "-t",
            str(seconds),
            "-c:a",
            "libopus",
            "-f",
            "webm",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return target.read_bytes()
