"""`manage.py grade_answers PATH.jsonl`: grade labelled answers with the built-in grader.

Each input line: ``id``, ``domain``, ``category``, ``question`` and either ``transcript`` +
``duration_s`` or ``audio`` (a file path, transcribed first). Extra keys are ignored.
Each output line: ``id``, ``scores`` (four sub-scores and ``overall``), ``evidence``,
``rubric_version``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.engine.grader import default_grader
from interviews.engine.types import AnswerInput
from interviews.selectors import taxonomy_current

CATEGORIES = {"resume", "technical", "behavioral"}


class Command(BaseCommand):
    help = "Grade answers from a JSON-lines file and print one JSON object per line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        grader = default_grader()
        taxonomy = taxonomy_current()
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise CommandError(f"line {number}: not JSON ({error.msg})") from None
                answer = self._answer(row, number, base=path.parent)
                result = grader.grade(answer, taxonomy=taxonomy)
                self.stdout.write(
                    json.dumps(
                        {
                            "id": row.get("id", number),
                            "scores": result.sub_scores(),
                            "evidence": result.evidence_by_dimension(),
                            "rubric_version": result.rubric_version,
                        },
                        ensure_ascii=False,
                        default=str,
                    )
                )

    def _answer(self, row: dict[str, Any], number: int, *, base: Path) -> AnswerInput:
        category = row.get("category", "technical")
        if category not in CATEGORIES:
            raise CommandError(f"line {number}: category must be one of {sorted(CATEGORIES)}")
        if "question" not in row:
            raise CommandError(f"line {number}: missing 'question'")
        words: tuple[tuple[str, float, float], ...] = ()
        if "audio" in row:
            from interviews.engine.transcriber import get_transcriber
            from interviews.tasks import transcriber_config

            audio = Path(row["audio"])
            if not audio.is_absolute():
                audio = base / audio
            if not audio.is_file():
                raise CommandError(f"line {number}: audio file {audio} not found")
            transcript = get_transcriber(transcriber_config()).transcribe(audio)
            text, duration = transcript.text, transcript.duration_s
            words = tuple((w.word, w.start, w.end) for w in transcript.words)
        else:
            text, duration = str(row.get("transcript", "")), float(row.get("duration_s", 0) or 0)
        return AnswerInput(
            question=str(row["question"]),
            category=category,
            transcript=text,
            duration_s=duration,
            words=words,
            domain=str(row.get("domain", "")),
        )
