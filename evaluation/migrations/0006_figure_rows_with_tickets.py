"""双归零 reads only the summary rows that hold tickets: partial indexes of those rows by hall (the
supervisors) and by department (the approvers), month last. The clerk's own index goes: the
assessment's (clerk, month) index leads with it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_figures_rebuild"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="figurerow",
            name="clerk",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="经办人",
            ),
        ),
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
