"""`manage.py simulate_interview --domain D --resume PATH --profile strong|weak|mixed`.

Runs a whole attempt against scripted answers and prints the questions asked (with their
difficulty and why they were chosen), the scores and the tier: a way for staff to watch
the engine adapt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.engine.resume import ResumeRejected, parse_resume_path
from interviews.engine.simulate import simulate
from interviews.engine.types import DOMAINS
from interviews.selectors import taxonomy_current
from interviews.services import resume_facts_from_parse


class Command(BaseCommand):
    help = "Simulate a whole interview against scripted answers and show how it adapts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--domain", required=True, choices=DOMAINS)
        parser.add_argument("--resume", required=True, type=Path, help="a resume PDF")
        parser.add_argument("--profile", required=True, choices=["strong", "weak", "mixed"])
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true", help="print the raw result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        taxonomy = taxonomy_current()
        try:
            parsed = parse_resume_path(options["resume"], taxonomy=taxonomy)
        except ResumeRejected as rejection:
            raise CommandError(rejection.message) from None
        except FileNotFoundError:
            raise CommandError(f"{options['resume']} not found") from None
        result = simulate(
            options["domain"],
            resume_facts_from_parse(parsed.to_dict()),
            options["profile"],
            options["seed"],
            taxonomy=taxonomy,
        )
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str, indent=2))
            return
        for position, row in enumerate(result["questions"], start=1):
            subs = ", ".join(f"{k} {v:.0f}" for k, v in row.get("sub_scores", {}).items())
            self.stdout.write(
                f"Q{position} [{row['category']}, difficulty {row['difficulty']}] {row['text']}\n"
                f"    why asked: {row.get('reason', '')}\n"
                f"    score {row.get('overall', 0):.0f} ({subs})"
            )
        self.stdout.write(
            f"\nAttempt score {result['attempt_score']:.1f}, highest difficulty "
            f"{result['max_difficulty']}, resume verified: {result['resume_verified']}\n"
            f"Tier: {result['tier']} ({'; '.join(result.get('tier_reasons', []))})"
        )
