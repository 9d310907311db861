from django.core.management.base import BaseCommand

from hall.floor.demo import seed_floor_bookings, seed_floor_hours
from hall.models import Hall
from items.selectors import items_receivable_at


class Command(BaseCommand):
    help = (
        "Hall floor demo: opening hours of every hall and a few bookings at 江城区 (idempotent; after seed_catalogue)."
    )

    def handle(self, *args, **options):
        hours = seed_floor_hours()
        hall = Hall.objects.filter(code="JC").first()
        items = []
        if hall is not None:
            receivable = items_receivable_at(hall).select_related("current_version", "department")
            market = receivable.filter(department__short_name="市场监管").order_by("pk")[:3]
            items = [(item.pk, item.current_version.name) for item in market]
        bookings = seed_floor_bookings(items)
        self.stdout.write(self.style.SUCCESS(f"hall floor: {hours} opening-hour rows, {bookings} bookings"))
