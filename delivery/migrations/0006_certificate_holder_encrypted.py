"""Certificate holders' codes (ID numbers, credit codes) stored SM4-encrypted, found through an SM3-HMAC
blind index (certificate reuse at application, 我的证照). The data step encrypts the rows already stored
and fills their index (raw SQL: the historical model's field would try to decrypt clear text).
Reversible: the reverse step writes the clear values back."""

from django.db import migrations, models

import hall.fields

BATCH = 1000


def encrypt_existing(apps, schema_editor):
    from hall import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, holder_code FROM delivery_certificate ORDER BY id")
        rows = cursor.fetchall()
    updates = []
    for pk, code in rows:
        clear = crypto.decrypt(code) if crypto.is_token(code or "") else (code or "")
        updates.append((crypto.encrypt(clear) if clear else "", crypto.blind_index(clear), pk))
    with connection.cursor() as cursor:
        for start in range(0, len(updates), BATCH):
            cursor.executemany(
                "UPDATE delivery_certificate SET holder_code = %s, holder_code_index = %s WHERE id = %s",
                updates[start : start + BATCH],
            )


def decrypt_existing(apps, schema_editor):
    from hall import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, holder_code FROM delivery_certificate ORDER BY id")
        rows = cursor.fetchall()
    updates = [(crypto.decrypt(c) if crypto.is_token(c or "") else (c or ""), pk) for pk, c in rows]
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE delivery_certificate SET holder_code = %s WHERE id = %s", updates)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_intake_queue_received_index"),
        ("delivery", "0005_personal_data_encrypted"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="certificate",
            name="certificate_holder_state",
        ),
        migrations.AddField(
            model_name="certificate",
            name="holder_code_index",
            field=hall.fields.BlindIndexField(source="holder_code", verbose_name="持证主体代码盲索引"),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="holder_code",
            field=hall.fields.EncryptedCharField(
                help_text="身份证号码或统一社会信用代码", max_length=18, verbose_name="持证主体代码"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AddIndex(
            model_name="certificate",
            index=models.Index(fields=["holder_code_index", "state", "type_name"], name="certificate_holder_state"),
        ),
    ]
