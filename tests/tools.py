"""System tools some tests need (Chromium, espeak-ng, ffmpeg): one rule for all of them.

On a developer's machine a missing tool skips the test with the command that installs it;
in CI (``CI`` set) it fails the test, because CI must prove those paths.
"""

from __future__ import annotations

import os

import pytest


def tool_missing(what: str, install_hint: str) -> None:
    """Fail (CI) or skip (elsewhere) because ``what`` is not installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI: {install_hint}")
    pytest.skip(f"{what} is not installed; install it with `{install_hint}`")
