"""Rotate the personal data keys (hall/crypto.py) and re-encrypt every stored value.

manage.py crypto_rotate_key --init          # write a new key file (first installation)
manage.py crypto_rotate_key                 # new SM4 key, made current; every value re-encrypted
manage.py crypto_rotate_key --index-key     # also a new blind index key; every index recomputed
manage.py crypto_rotate_key --reencrypt     # keys from TONGBAN_DATA_KEYS changed by the operator:
                                            # only re-encrypt under the current key
manage.py crypto_rotate_key --retire        # after re-encryption, drop the keys no longer current
"""

import json
import secrets

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hall import crypto
from hall.fields import BlindIndexField, EncryptedCharField


def encrypted_models():
    """[(model, [encrypted field names], [blind index fields])] for every installed model."""
    found = []
    for model in apps.get_models():
        encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        if encrypted or indexes:
            found.append((model, encrypted, indexes))
    return found


def reencrypt_all(stdout=None, batch: int = 500) -> int:
    """Read every encrypted value (decrypting with whichever key made it) and write it back under the
    current key, recomputing the blind indexes. Returns the number of rows written."""
    written = 0
    for model, encrypted, indexes in encrypted_models():
        names = encrypted + [f.source for f in indexes if f.source not in encrypted]
        last_pk = None
        while True:
            rows = model._base_manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            chunk = list(rows.values_list("pk", *names)[:batch])
            if not chunk:
                break
            with transaction.atomic():
                for pk, *values in chunk:
                    clear = dict(zip(names, values, strict=True))
                    update = {name: clear[name] for name in encrypted}
                    for index in indexes:
                        update[index.attname] = crypto.blind_index(clear[index.source])
                    model._base_manager.filter(pk=pk).update(**update)
                    written += 1
            last_pk = chunk[-1][0]
        if stdout:
            stdout.write(f"{model._meta.label}: 已重新加密")
    return written


class Command(BaseCommand):
    help = "轮换个人信息加密密钥（SM4）并重新加密全部数据；可选同时更换盲索引密钥。"

    def add_arguments(self, parser):
        parser.add_argument("--init", action="store_true", help="首次安装：生成新的密钥文件")
        parser.add_argument("--index-key", action="store_true", help="同时更换盲索引（SM3-HMAC）密钥")
        parser.add_argument("--reencrypt", action="store_true", help="只用当前密钥重新加密，不生成新密钥")
        parser.add_argument("--retire", action="store_true", help="重新加密后删除非当前密钥")

    def handle(self, *args, init=False, index_key=False, reencrypt=False, retire=False, **options):
        path = crypto.key_file_path()
        import os

        from_env = bool(os.environ.get("TONGBAN_DATA_KEYS", "").strip())
        if init:
            if path.exists():
                raise CommandError(f"密钥文件 {path} 已存在，不覆盖。")
            crypto.keyring_write(path, crypto.keyring_new_material(), replace=False)
            self.stdout.write(f"已生成密钥文件 {path}（权限 0600）。请另行安全备份。")
            return
        if not reencrypt:
            if from_env:
                raise CommandError(
                    "密钥来自环境变量 TONGBAN_DATA_KEYS：请在其中加入新密钥并设为 current，"
                    "重启后运行 crypto_rotate_key --reencrypt。"
                )
            data = json.loads(path.read_text())
            number = max(int(k[1:]) for k in data["keys"] if k[1:].isdigit()) + 1 if data["keys"] else 1
            new_id = f"k{number}"
            data["keys"][new_id] = secrets.token_hex(crypto.SM4_KEY_BYTES)
            data["current"] = new_id
            if index_key:
                data["index_key"] = secrets.token_hex(crypto.INDEX_KEY_BYTES)
            crypto.keyring_parse(data, str(path))
            crypto.keyring_write(path, data)
            crypto.keyring_reset()
            self.stdout.write(f"新密钥 {new_id} 已设为当前密钥。")
        rows = reencrypt_all(self.stdout)
        self.stdout.write(f"共重新加密 {rows} 行。")
        if retire and not from_env:
            data = json.loads(path.read_text())
            data["keys"] = {data["current"]: data["keys"][data["current"]]}
            crypto.keyring_write(path, data)
            crypto.keyring_reset()
            self.stdout.write("旧密钥已删除。")
