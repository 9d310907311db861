"""双归零 reads only the summary rows that hold tickets: partial indexes of those rows by hall (the
supervisors) and by department (the approvers), month last."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_figures_rebuild"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="figurerow",
            index=models.Index(
                condition=models.Q(("tickets__gt", 0)), fields=["hall", "month"], name="figure_ticket_hall"
            ),
        ),
        migrations.AddIndex(
            model_name="figurerow",
            index=models.Index(
                condition=models.Q(("tickets__gt", 0)), fields=["department", "month"], name="figure_ticket_department"
            ),
        ),
    ]
