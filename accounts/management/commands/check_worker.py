"""Enqueue a ping and wait for a worker to record it: ``python manage.py check_worker``."""

import secrets
import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import WorkerPing
from accounts.tasks import worker_ping


class Command(BaseCommand):
    help = "Check that a Celery worker picks up tasks from the configured broker."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args, timeout: float, **options):
        token = secrets.token_hex(8)
        worker_ping.delay(token)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ping = WorkerPing.objects.filter(token=token).first()
            if ping:
                self.stdout.write(self.style.SUCCESS(f"Worker {ping.worker} answered."))
                return
            time.sleep(0.2)
        raise CommandError(
            f"No worker answered within {timeout:.0f} s. Is `celery -A config worker` running?"
        )
