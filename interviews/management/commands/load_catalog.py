"""Load domains, the skill taxonomy and the question banks from interviews/data/ (idempotent)."""

from django.core.management.base import BaseCommand

from interviews.catalog import banks_sync, domains_sync, taxonomy_sync
from interviews.selectors import taxonomy_changed


class Command(BaseCommand):
    help = "Load the shipped domains, taxonomy and question banks into the database."

    def handle(self, *args: object, **options: object) -> None:
        domains = domains_sync()
        skills = taxonomy_sync()
        questions = banks_sync()
        taxonomy_changed()
        self.stdout.write(
            f"{len(domains)} domains, {skills} skills, {questions} bank questions loaded."
        )
