"""Citizens' login names were their mobiles in clear: replaced by a pseudonym derived from the mobile's
blind index (hall.models.organisation.citizen_username). Citizens log in with the mobile or ID number."""

from django.db import migrations


def pseudonymise(apps, schema_editor):
    from hall import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, username, mobile FROM hall_user WHERE kind <> 'staff' AND mobile <> ''")
        rows = cursor.fetchall()
    updates = []
    for pk, username, mobile in rows:
        clear = crypto.decrypt(mobile) if crypto.is_token(mobile) else mobile
        if username == clear:
            updates.append(("u" + crypto.blind_index(clear)[:24], pk))
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE hall_user SET username = %s WHERE id = %s", updates)


class Migration(migrations.Migration):
    dependencies = [("hall", "0008_notice_address_encrypted")]

    operations = [migrations.RunPython(pseudonymise, migrations.RunPython.noop)]
