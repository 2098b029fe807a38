"""A real Celery worker in a subprocess, on the test database and the test broker.

Used by the browser test (the whole pipeline, as ``bin/run`` starts it) and by the test
that kills a worker mid-transcription. The subprocess inherits the environment, so it uses
the same broker (the test broker file, or ``REDIS_URL``) and media directory; only the
database URL changes, to the test database pytest-django created.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """The URL of the database this test runs on (the test database, not the real one)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    if connection.vendor == "postgresql":
        auth = quote(s["USER"] or "")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"])
        host = f"{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}"
        return f"postgres://{auth}@{host}/{s['NAME']}"
    raise RuntimeError(f"no worker URL for {connection.vendor}")


class WorkerProcess:
    def __init__(
        self,
        *,
        log_path: Path,
        queues: str = "default,transcription",
        pool: str = "solo",
        env: dict[str, str] | None = None,
        name: str = "test",
        slow_transcriber: bool = False,
    ) -> None:
        self.log_path = log_path
        command = [
            # The test entry point patches in a slow transcriber; otherwise plain Celery.
            sys.executable, "-m", "tests.e2e.worker_main" if slow_transcriber else "celery",
            "-A", "config", "worker",
            "--queues", queues, "--pool", pool, "--concurrency", "1",
            "--loglevel", "INFO", "--hostname", f"{name}-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        environment = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DJANGO_DEBUG": "true",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.output()}")
            if " ready." in self.output():
                return
            time.sleep(0.1)
        raise TimeoutError(f"worker not ready after {timeout_s} s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement of the task in hand."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def purge_broker() -> None:
    """Drop tasks left in the test broker by an earlier run (their ids mean nothing now)."""
    from config.celery import app

    with app.connection_for_write() as conn:
        for queue in ("default", "transcription"):
            # A queue that was never declared has nothing to purge.
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)
