# The window's queue in receipt order over open intake work only; running levels read only through
# the partial clock indexes (DESIGN.md "Lists at a city's volume").

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_document_sm2_signature"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_clock_level_due"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("warning_level__in", ["green", "yellow", "red", "overdue"])),
                fields=["warning_level", "next_due", "id"],
                include=["receiving_hall", "owning_department", "handed_to_hall"],
                name="case_clock_level_due",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="warning_level",
            field=models.CharField(
                choices=[
                    ("none", "无"),
                    ("green", "正常"),
                    ("yellow", "临期"),
                    ("red", "即将超期"),
                    ("overdue", "已超期"),
                ],
                default="none",
                max_length=10,
                verbose_name="预警",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ["submitted", "supplement_requested"])),
                fields=["received_at", "id"],
                name="case_intake_queue_received",
            ),
        ),
    ]
