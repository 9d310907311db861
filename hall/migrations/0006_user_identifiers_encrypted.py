"""ID numbers and mobiles of accounts stored SM4-encrypted, found through SM3-HMAC blind indexes.

The data step encrypts the rows already stored (read and written in raw SQL: the historical model's
field would try to decrypt clear text). Reversible: the reverse step writes the clear values back."""

from django.db import migrations, models

import hall.fields
import hall.validators

BATCH = 1000


def encrypt_existing(apps, schema_editor):
    from hall import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, mobile FROM hall_user ORDER BY id")
        rows = cursor.fetchall()
    updates = []
    for pk, id_number, mobile in rows:
        id_number, mobile = id_number or "", mobile or ""
        if crypto.is_token(id_number) and (crypto.is_token(mobile) or not mobile):
            continue
        clear_id = crypto.decrypt(id_number) if crypto.is_token(id_number) else id_number
        clear_mobile = crypto.decrypt(mobile) if crypto.is_token(mobile) else mobile
        updates.append(
            (
                crypto.encrypt(clear_id) if clear_id else "",
                crypto.encrypt(clear_mobile) if clear_mobile else "",
                crypto.blind_index(clear_id),
                crypto.blind_index(clear_mobile),
                pk,
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(updates), BATCH):
            cursor.executemany(
                "UPDATE hall_user SET id_number = %s, mobile = %s, id_number_index = %s, mobile_index = %s "
                "WHERE id = %s",
                updates[start : start + BATCH],
            )


def decrypt_existing(apps, schema_editor):
    from hall import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, mobile FROM hall_user ORDER BY id")
        rows = cursor.fetchall()
    updates = [
        (
            crypto.decrypt(i) if crypto.is_token(i or "") else (i or ""),
            crypto.decrypt(m) if crypto.is_token(m or "") else (m or ""),
            pk,
        )
        for pk, i, m in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE hall_user SET id_number = %s, mobile = %s WHERE id = %s", updates)


class Migration(migrations.Migration):
    dependencies = [("hall", "0005_archivist_role")]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="user_mobile_unique"),
        migrations.RemoveConstraint(model_name="user", name="user_id_number_unique"),
        migrations.AddField(
            model_name="user",
            name="id_number_index",
            field=hall.fields.BlindIndexField(source="id_number", verbose_name="身份证号盲索引"),
        ),
        migrations.AddField(
            model_name="user",
            name="mobile_index",
            field=hall.fields.BlindIndexField(source="mobile", verbose_name="手机号盲索引"),
        ),
        migrations.AlterField(
            model_name="user",
            name="id_number",
            field=hall.fields.EncryptedCharField(
                blank=True,
                help_text="居民身份证号（GB 11643）",
                max_length=18,
                validators=[hall.validators.validate_id_number],
                verbose_name="身份证号",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="mobile",
            field=hall.fields.EncryptedCharField(
                blank=True, max_length=11, validators=[hall.validators.validate_mobile], verbose_name="手机号"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("mobile_index", ""), _negated=True),
                fields=("mobile_index",),
                name="user_mobile_index_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_number_index", ""), _negated=True),
                fields=("id_number_index",),
                name="user_id_number_index_unique",
            ),
        ),
    ]
