"""The room sends the recording in progress as drafts, and the final upload is unchanged.

Headless Chromium with a fake microphone speaking an espeak-ng sentence on a loop, the live
Django server, no worker: the test records the task calls instead. The candidate answers
for as long as it takes the first draft to reach the server, then finishes the answer; the
draft must hold the first bytes of the uploaded recording, as the transcription of the
upload requires before it uses the draft's words.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from interviews import tasks
from interviews.models import Answer, AnswerDraft, AnswerStatus
from tests.browser import chromium_args, require_chromium
from tests.factories import CandidateFactory, UserFactory
from tests.interviews.room_helpers import begun_attempt
from tests.speech import espeak_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

SCRIPT = "We evaluated the reward model with held out preference pairs and rubric based checks."


def test_drafts_reach_the_server_while_the_candidate_speaks(live_server, tmp_path, monkeypatch):
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    asked: dict[str, list[int]] = {"draft": [], "answer": []}
    monkeypatch.setattr(tasks.transcribe_draft, "delay", asked["draft"].append)
    monkeypatch.setattr(tasks.transcribe_answer, "delay", asked["answer"].append)
    microphone = espeak_wav(SCRIPT, tmp_path / "speech.wav")
    candidate = CandidateFactory(user=UserFactory(email="drafts@candidates.test"))
    attempt, question = begun_attempt(candidate)
    client = Client()
    client.force_login(candidate.user)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=require_chromium(),
            headless=True,
            args=chromium_args(fake_audio=microphone),
        )
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(reverse("candidate:interview_room", args=[attempt.pk]))
        expect(page.locator("#answer-status")).to_have_text("Recording", timeout=20_000)
        # The first draft goes about 8 s into the answer; the answer goes on meanwhile.
        with page.expect_response(lambda r: "/draft?offset=" in r.url, timeout=20_000) as draft:
            pass
        assert draft.value.status == 200, draft.value.text()
        assert draft.value.json()["received"] > 0
        with page.expect_response(lambda r: r.url.endswith("/answer"), timeout=20_000) as answer:
            page.get_by_role("button", name="Finish answer").click()
        assert answer.value.status == 201, answer.value.text()
        browser.close()

    stored = Answer.objects.get(question=question)
    assert stored.status == AnswerStatus.UPLOADED and stored.duration_s > 7
    draft_row = AnswerDraft.objects.get(question=question)
    assert asked["draft"] and set(asked["draft"]) == {draft_row.pk}
    assert asked["answer"] == [stored.pk]
    with stored.audio.open("rb") as handle:
        recording = handle.read()
    assert 0 < draft_row.size < len(recording)
    assert recording.startswith(draft_row.read_bytes())
