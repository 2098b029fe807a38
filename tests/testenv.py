"""Loaded by pytest before Django (``-p tests.testenv``): the test run's environment.

Tests run with development settings unless the caller says otherwise; CI sets
DATABASE_URL and REDIS_URL to run the same suite on PostgreSQL and Redis.
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("VETTA_STAFF_MFA_REQUIRED", "true")
os.environ.setdefault("EMAIL_URL", "consolemail://")
# Tests get their own broker file so a developer's running worker never sees test tasks.
_broker = Path(__file__).resolve().parent.parent / "var" / "test-celery-broker.sqlite3"
os.environ.setdefault("VETTA_BROKER_FILE", str(_broker))
