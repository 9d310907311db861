from django.conf import settings
from django.core.management.base import BaseCommand

from hall.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo city: regions, halls, departments, windows, staff and citizens (idempotent)."

    def handle(self, *args, **options):
        counts = seed_demo()
        self.stdout.write(self.style.SUCCESS("demo organisation: " + ", ".join(f"{k} {v}" for k, v in counts.items())))
        # Demo settings only: every demo staff account gets the README's fixed TOTP secret (second factor).
        if settings.TONGBAN_DEMO_TOTP_SECRET:
            from hall.security.otp import demo_totp_seed

            made = demo_totp_seed(settings.TONGBAN_DEMO_TOTP_SECRET)
            self.stdout.write(f"demo staff second factor: {made} accounts given the demo TOTP secret")
