"""A whole interview in a real browser, through the real pipeline.

Headless Chromium (Debian's) with fake media devices whose microphone plays an espeak-ng
recording of a scripted answer full of technical terms; the live Django server; a real
Celery worker subprocess (as ``bin/run`` starts it) with the real faster-whisper model and
the built-in grader. The candidate goes through domain choice, notice, device check (level
meter, 5-second test recording), countdown and every question; then the test checks the
transcripts hold the spoken key terms, every answer is scored and the attempt has a tier.

Set ``VETTA_E2E_SCREENSHOTS=/some/dir`` to keep a screenshot of every step.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.test import Client

from interviews.catalog import catalog_sync
from interviews.models import Answer, AnswerStatus, Attempt, AttemptState, Score
from tests.browser import chromium_args, require_chromium
from tests.e2e.worker import WorkerProcess, purge_broker
from tests.factories import CandidateFactory, UserFactory
from tests.interviews.room_helpers import resume_for
from tests.speech import espeak_wav, term_recall

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

# About six seconds of speech; the fake microphone loops it, so every recording of a few
# seconds more holds the whole sentence once.
SCRIPT = "Um, at Acme I trained a reward model with RLHF in PyTorch and served it on Kubernetes."
KEY_TERMS = ("RLHF", "PyTorch", "Kubernetes")
RECORD_S = 7.5


@pytest.fixture
def fake_microphone(tmp_path) -> Path:
    speech = espeak_wav(SCRIPT, tmp_path / "speech.wav", speed=165)
    # Chromium's fake capture wants 16-bit PCM; half a second of silence between loops.
    looped = tmp_path / "answer.wav"
    subprocess.run(
        ["sox", str(speech), "-b", "16", str(looped), "pad", "0", "0.5"],
        check=True,
        timeout=60,
    )
    return looped


@pytest.fixture
def worker(transactional_db, tmp_path):
    purge_broker()
    # Prefork with one child, as bin/run runs it: the model loads after the fork.
    process = WorkerProcess(log_path=tmp_path / "worker.log", pool="prefork", name="e2e")
    try:
        process.wait_ready(timeout_s=90)
        yield process
    finally:
        process.stop()


def _shot(page, name: str) -> None:
    directory = os.environ.get("VETTA_E2E_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def _wait_for(predicate, *, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def test_a_whole_spoken_interview(live_server, worker, fake_microphone, monkeypatch):
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls below are
    # ordinary blocking calls made between browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = time.monotonic()
    catalog_sync()
    candidate = CandidateFactory(user=UserFactory(email="e2e@candidates.test"))
    resume_for(candidate)
    client = Client()
    client.force_login(candidate.user)
    session = client.cookies["sessionid"].value

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=require_chromium(),
            headless=True,
            args=chromium_args(fake_audio=fake_microphone),
        )
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1200, "height": 900}
        )
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        refused: list[str] = []
        page.on(
            "response",
            lambda r: (
                refused.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )

        # Domain choice → start.
        page.goto("/me/interview/")
        _shot(page, "1-domains")
        page.locator("#domain-ai_evaluation button[type=submit]").click()

        # Notice and consent.
        expect(page.get_by_role("heading", name="Before you begin")).to_be_visible()
        _shot(page, "2-consent")
        page.get_by_label("I have read this notice").check()
        page.get_by_role("button", name="Continue to the device check").click()

        # Device check: permission, a moving level meter, a 5-second test recording.
        expect(page.locator("#mic-status")).to_contain_text("Microphone works")
        page.wait_for_function("document.getElementById('level-meter').value > 0.05")
        page.get_by_role("button", name="Record 5 seconds").click()
        expect(page.locator("#test-playback")).to_be_visible(timeout=10_000)
        _shot(page, "3-device-check")
        page.get_by_role("button", name="My microphone works").click()

        # Countdown, then the questions.
        page.get_by_role("button", name="Start the interview").click()
        expect(page.locator("#countdown-number")).to_be_visible()
        _shot(page, "4-countdown")

        asked = 0
        while True:
            page.wait_for_function(
                "location.pathname.endsWith('/finished/') || "
                "window.vettaRoom?.phase === 'answering'",
                timeout=60_000,
            )
            if page.url.endswith("/finished/"):
                break
            asked += 1
            expect(page.locator("#answer-status")).to_have_text("Recording")
            page.wait_for_timeout(RECORD_S * 1000)
            if asked == 1:
                _shot(page, "5-room-question")
            page.get_by_role("button", name="Finish answer").click()

        expect(page.get_by_text("Your answers are being scored")).to_be_visible()
        _shot(page, "6-finished")
        errors = [
            line
            for line in console
            if line.startswith(("error", "pageerror")) and "Failed to load resource" not in line
        ]
        browser.close()

    assert not errors, errors
    assert not refused, refused
    attempt = Attempt.objects.get(candidate=candidate)
    _wait_for(
        lambda: Attempt.objects.filter(
            pk=attempt.pk, state__in=[AttemptState.SCORED, AttemptState.RELEASED]
        ).exists(),
        timeout_s=90,
        what=f"the attempt to be scored (worker log:\n{worker.output()[-3000:]})",
    )
    attempt.refresh_from_db()
    answers = list(Answer.objects.filter(question__attempt=attempt).order_by("question__position"))
    assert len(answers) == asked == attempt.questions.count() == len(attempt.plan["slots"])
    assert all(a.status == AnswerStatus.SCORED for a in answers), [a.status for a in answers]
    assert Score.objects.filter(answer__in=answers).count() == len(answers)
    transcripts = [a.transcript for a in answers]
    for term in KEY_TERMS:
        heard = sum(term_recall((term,), text) for text in transcripts)
        assert heard >= len(answers) / 2, (term, transcripts)
    assert all(term_recall(KEY_TERMS, text) > 0 for text in transcripts), transcripts
    assert attempt.tier in {"declined", "qualified", "expert", "verified_expert"}
    assert all(a.audio_type.startswith("audio/webm") for a in answers)
    elapsed = time.monotonic() - started
    print(f"e2e: {asked} questions, {elapsed:.1f} s, tier {attempt.tier} ({attempt.score})")
