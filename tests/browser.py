"""Headless Chromium for browser tests: Debian's package, driven by Playwright.

Playwright's own browser download does not work everywhere, so tests launch the system
Chromium with fake media devices; the microphone plays a WAV file the test made.
"""

from __future__ import annotations

from pathlib import Path

from tests.tools import tool_missing

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "sudo apt-get install chromium espeak-ng"


def require_chromium() -> str:
    """The Chromium executable; skips the test locally and fails it in CI when missing."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (requirements-dev.txt)")
    if missing:
        tool_missing(" and ".join(missing), INSTALL_HINT)
    return CHROMIUM


def chromium_args(*, fake_audio: Path | None = None) -> list[str]:
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
    ]
    if fake_audio is not None:
        args.append(f"--use-file-for-fake-audio-capture={fake_audio}")
    return args
