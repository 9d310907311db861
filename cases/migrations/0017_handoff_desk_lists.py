"""The hand-off desk's lists each read an index of their own open work: the incoming list (hand-offs
forwarded to or received by the owning hall) and the results to send back, for which the hand-off
keeps whether its case is decided (the services keep it from then on; existing rows are filled here)."""

from django.db import migrations, models

DECIDED_CASE_STATES = ["approved", "denied", "delivered", "archived"]


def mark_decided(apps, schema_editor):
    Handoff = apps.get_model("cases", "Handoff")
    Handoff.objects.filter(case__state__in=DECIDED_CASE_STATES).update(decided=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_caseevent_event_result_or_revoked"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="handoff",
            name="handoff_incoming_open",
        ),
        migrations.AddField(
            model_name="handoff",
            name="decided",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="办件已准予或不予许可；申请人在收件大厅领取的，结果待寄回",
                verbose_name="属地已作出决定",
            ),
        ),
        migrations.RunPython(mark_decided, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(
                condition=models.Q(("state__in", ["forwarded", "received"])),
                fields=["owning_hall", "-created_at", "-id"],
                name="handoff_incoming",
            ),
        ),
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(
                condition=models.Q(("decided", True), ("result_return", True), ("state", "received")),
                fields=["owning_hall", "-created_at", "-id"],
                name="handoff_results_to_send",
            ),
        ),
    ]
