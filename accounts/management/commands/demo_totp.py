"""Print the current TOTP code of the demo staff user (demo data only)."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_STAFF_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo staff login staff@vetta.test."

    def handle(self, *args: object, **options: object) -> None:
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(DEMO_STAFF_TOTP_SECRET, counter)))
