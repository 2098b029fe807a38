"""`manage.py transcribe PATH [--hotwords a,b,c]`: transcribe one recording and print JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.engine.transcriber import get_transcriber
from interviews.tasks import transcriber_config


class Command(BaseCommand):
    help = "Transcribe an audio file with the interview transcriber and print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--hotwords",
            default="",
            help="comma-separated terms to bias recognition towards, e.g. RLHF,PyTorch",
        )
        parser.add_argument(
            "--no-disfluencies",
            action="store_true",
            help="transcribe without the prompt that keeps fillers such as 'um' and 'uh'",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        hotwords = [term.strip() for term in options["hotwords"].split(",") if term.strip()]
        try:
            transcript = get_transcriber(transcriber_config()).transcribe(
                path, hotwords=hotwords, keep_disfluencies=not options["no_disfluencies"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = {
            "text": transcript.text,
            "duration_s": round(transcript.duration_s, 3),
            "elapsed_s": round(transcript.elapsed_s, 3),
            "words": [
                {"word": w.word.strip(), "start": w.start, "end": w.end} for w in transcript.words
            ],
            "used_hotwords": transcript.used_hotwords,
            "fallback_reason": transcript.fallback_reason,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
