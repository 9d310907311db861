# The queue indexes and the hand-off models were made side by side on top of 0007.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_queue_indexes"),
        ("cases", "0009_handoff"),
    ]

    operations = []
