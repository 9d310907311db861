from django.core.management.base import BaseCommand

from items.demo_reviewers import seed_catalogue_reviewers


class Command(BaseCommand):
    help = "Demo catalogue reviewers (<hall>_catalogue_review), one per hall; idempotent."

    def handle(self, *args, **options):
        count = seed_catalogue_reviewers()
        self.stdout.write(f"catalogue reviewers: {count}")
