"""Load demo data, idempotently: ``python manage.py seed_demo``.

Each app that has demo data exposes ``<app>.demo.seed() -> list[DemoLogin]``; they run in
dependency order so later apps can build on earlier ones.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD

SEEDERS = ["accounts.demo", "interviews.demo", "marketplace.demo"]


class Command(BaseCommand):
    help = "Create the demo organization, staff and candidates (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        logins = []
        for module_name in SEEDERS:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            with transaction.atomic():
                logins.extend(module.seed())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo logins (password for all: {DEMO_PASSWORD}):")
        )
        seen = set()
        for login in logins:
            if login.email not in seen:
                seen.add(login.email)
                self.stdout.write(f"  {login.email:<28} {login.what}")
