# Indexes that hold only each queue's open work (DESIGN.md "Lists at a city's volume").

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_delivery_choice"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ["submitted", "supplement_requested"])),
                fields=["receiving_hall", "received_at", "id"],
                name="case_intake_queue_hall",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ["submitted", "supplement_requested"])),
                fields=["handed_to_hall", "received_at", "id"],
                name="case_intake_queue_handed",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ["accepted", "suspended"])),
                fields=["owning_department", "received_at", "id"],
                name="case_decision_queue_dept",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["receiving_hall", "state", "received_at"], name="case_hall_state_received"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["owning_department", "state", "received_at"], name="case_dept_state_received"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("parent__isnull", True)),
                fields=["applicant", "-created_at"],
                name="case_mine_applicant",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("parent__isnull", True)),
                fields=["enterprise", "-created_at"],
                name="case_mine_enterprise",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("warning_level__in", ["green", "yellow", "red", "overdue"])),
                fields=["receiving_hall", "owning_department", "handed_to_hall", "warning_level"],
                name="case_clock_scope",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("warning_level__in", ["green", "yellow", "red", "overdue"])),
                fields=["warning_level", "next_due", "id"],
                name="case_clock_level_due",
            ),
        ),
    ]
