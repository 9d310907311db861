from django.core.management.base import BaseCommand

from hall.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo city: regions, halls, departments, windows, staff and citizens (idempotent)."

    def handle(self, *args, **options):
        counts = seed_demo()
        self.stdout.write(self.style.SUCCESS("demo organisation: " + ", ".join(f"{k} {v}" for k, v in counts.items())))
