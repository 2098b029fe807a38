"""``manage.py parse_resume PATH``: parse one resume PDF and print the result as JSON.

The same sandboxed parser the upload page uses, so staff can see exactly what a
candidate's file produces. A refused file exits non-zero with the candidate-facing reason.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from interviews.engine.resume import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT_S,
    ResumeRejected,
    parse_resume_path,
)
from interviews.engine.taxonomy import default_taxonomy


class Command(BaseCommand):
    help = "Parse a resume PDF in the sandbox and print the parse as one JSON object."
    # The parse touches no models or URLs; skipping the checks keeps the tool usable
    # while the rest of the project is being configured.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the PDF file to parse")
        parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
        parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES)
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S)
        parser.add_argument(
            "--no-text", action="store_true", help="leave the full extracted text out"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parsed = parse_resume_path(
                options["path"],
                taxonomy=default_taxonomy(),
                max_bytes=options["max_bytes"],
                max_pages=options["max_pages"],
                timeout_s=options["timeout"],
            )
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['path']}") from None
        except IsADirectoryError:
            raise CommandError(f"Not a file: {options['path']}") from None
        except PermissionError:
            raise CommandError(f"Cannot read {options['path']}: permission denied") from None
        except ResumeRejected as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        result = parsed.to_dict()
        if options["no_text"]:
            result.pop("text", None)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
