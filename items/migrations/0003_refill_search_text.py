"""Search text now carries the pinyin initials of each keyword too ("yyzz" finds an item tagged
营业执照): refill the derived search columns of every version already published."""

from django.db import migrations


def refill(apps, schema_editor):
    from items.search import fill_search_fields

    ItemVersion = apps.get_model("items", "ItemVersion")
    for version in ItemVersion.objects.filter(state__in=["published", "superseded"]).select_related("item__base_item"):
        fill_search_fields(version)
        version.save(update_fields=["pinyin_initials", "search_text"])


class Migration(migrations.Migration):
    dependencies = [("items", "0002_version_department_search_index")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
