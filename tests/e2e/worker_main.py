"""``python -m tests.e2e.worker_main worker …``: the Celery worker, with a slow transcriber.

For the test that kills a worker mid-transcription: ``VETTA_TEST_TRANSCRIBE_DELAY_S``
makes each transcription sleep before it starts (a long answer on a slow machine, on
demand), and ``VETTA_TEST_TRANSCRIBE_MARKER`` names a file that gets one line when a
transcription starts and one when it finishes, so the test can count them. Production code
has no hook for this: the patch lives only in this test entry point.
"""

from __future__ import annotations

import os
import sys
import time


def _note(event: str) -> None:
    marker = os.environ.get("VETTA_TEST_TRANSCRIBE_MARKER")
    if marker:
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write(f"{event} {os.getpid()}\n")


def main() -> None:
    from interviews.engine import transcriber

    delay = float(os.environ.get("VETTA_TEST_TRANSCRIBE_DELAY_S", "0") or 0)
    original = transcriber.Transcriber.transcribe

    def slow_transcribe(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _note("start")
        time.sleep(delay)
        result = original(self, *args, **kwargs)
        _note("done")
        return result

    transcriber.Transcriber.transcribe = slow_transcribe  # type: ignore[method-assign]

    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
