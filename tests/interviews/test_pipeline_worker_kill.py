"""A worker killed (SIGKILL) in the middle of transcription: the answer is still transcribed
and scored exactly once, by the next worker, after the broker redelivers the task.

Needs Redis (the production broker, whose unacknowledged-message redelivery this is about);
CI's second run sets ``REDIS_URL``. Tasks are ``acks_late`` with
``task_reject_on_worker_lost``, and ``transcribe_answer`` writes with a conditional update,
so a redelivered or duplicated task changes nothing twice.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from interviews import services
from interviews.models import Answer, AnswerStatus, Score
from tests.e2e.worker import WorkerProcess, purge_broker
from tests.interviews.room_helpers import WEBM, begun_attempt, speech_webm

pytestmark = [
    pytest.mark.redis,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs Redis as the broker (set REDIS_URL): redelivery after SIGKILL is a broker "
        "feature the embedded SQLite broker does not offer the same way",
    ),
]

SPOKEN = "I trained a reward model with RLHF in PyTorch, and deployed it on Kubernetes."
VISIBILITY_S = 3


def _wait(predicate, *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def _lines(path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_transcription_transcribes_exactly_once(candidate, tmp_path):
    purge_broker()
    marker = tmp_path / "transcriptions.log"
    common = {
        "VETTA_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_S),
        "VETTA_TEST_TRANSCRIBE_MARKER": str(marker),
    }
    first = WorkerProcess(
        log_path=tmp_path / "first.log",
        name="doomed",
        slow_transcriber=True,
        env={**common, "VETTA_TEST_TRANSCRIBE_DELAY_S": "120"},
    )
    second = None
    try:
        first.wait_ready()
        attempt, question = begun_attempt(candidate)
        answer = services.answer_submit_audio(
            attempt=attempt,
            question_id=question.pk,
            data=speech_webm(SPOKEN, tmp_path),
            declared_type=WEBM,
        )
        # The first worker has the task and is inside transcription (sleeping in it).
        _wait(lambda: "start" in _lines(marker), timeout_s=60, what="transcription to start")
        first.kill()
        assert Answer.objects.get(pk=answer.pk).status == AnswerStatus.UPLOADED
        assert not Score.objects.filter(answer=answer).exists()

        time.sleep(VISIBILITY_S + 1)  # the unacknowledged task becomes visible again
        second = WorkerProcess(
            log_path=tmp_path / "second.log", name="survivor", slow_transcriber=True, env=common
        )
        second.wait_ready()
        _wait(
            lambda: Answer.objects.filter(pk=answer.pk, status=AnswerStatus.SCORED).exists(),
            timeout_s=90,
            what=f"the answer to be scored\n{second.output()[-3000:]}",
        )
        # A duplicate delivery (a second redelivery, or a retry) changes nothing.
        from interviews.tasks import transcribe_answer

        transcribe_answer.delay(answer.pk)
        _wait(
            lambda: second.output().count("transcribe_answer[") >= 4,  # 2 × received+succeeded
            timeout_s=30,
            what="the duplicate task to run",
        )
    finally:
        if first.process.poll() is None:
            first.kill()
        if second is not None:
            second.stop()

    answer.refresh_from_db()
    assert answer.status == AnswerStatus.SCORED
    assert "pytorch" in answer.transcript.lower()
    assert Score.objects.filter(answer=answer).count() == 1
    # Two transcriptions started (the killed one and the redelivered one); one finished
    # and was written; the duplicate task saw the answer done and did not transcribe.
    events = _lines(marker)
    assert events.count("start") == 2, events
    assert events.count("done") == 1, events
    assert answer.transcribed_at is not None
