"""Demo data for the interview side: the shipped domains, taxonomy and question banks."""

from __future__ import annotations

from accounts.demo import DemoLogin
from interviews.catalog import catalog_sync
from interviews.selectors import taxonomy_changed


def seed() -> list[DemoLogin]:
    catalog_sync()
    taxonomy_changed()
    return []
