"""Model fields for personal data at rest (hall/crypto.py): an SM4-encrypted text and its blind index.

`EncryptedCharField` behaves as a CharField in Python, forms and the admin (validators and max_length
apply to the clear value) and stores an SM4-GCM token in a text column. Its value is never compared in
SQL: a look-up by value must go through the blind index (`BlindIndexField`, filled from the source field
on every save), so a filter on the encrypted column itself is refused loudly instead of matching nothing.
"""

import json

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from . import crypto


class EncryptedCharField(models.CharField):
    description = "SM4 加密的文本"

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def _check_max_length_attribute(self, **kwargs):  # max_length bounds the clear value only
        return []

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.db_index:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique or indexed: index its BlindIndexField instead.",
                    obj=self,
                    id="hall.E101",
                )
            )
        return errors

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if crypto.is_token(value):  # already encrypted (re-saving a raw token during rotation)
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EncryptedEmptyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # contains, startswith, in…: meaningless on ciphertext

    def get_transform(self, name):
        return None


class EncryptedEmptyExact(Exact):
    """`field=""` (no value) works; any other value must be looked up through the blind index."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} 已加密，不能按值查询：请用其盲索引字段（hall.crypto.blind_index）。"
            )
        return self.rhs

    def process_rhs(self, compiler, connection):
        return "%s", [""]


class BlindIndexField(models.CharField):
    """The keyed SM3-HMAC of another field of the same row, recomputed on every save."""

    description = "SM3-HMAC 盲索引"

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", 64), ("blank", True), ("editable", False), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source, ""))
        setattr(model_instance, self.attname, value)
        return value


class EncryptedJSONField(models.JSONField):
    """A JSON document (an application form, the before/after of a change) stored as one SM4 token: the
    forms hold addresses, contact mobiles and agents' ID numbers. It cannot be queried by key in SQL."""

    description = "SM4 加密的 JSON"

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        text = crypto.decrypt(value) if crypto.is_token(value) else value  # clear text: before the migration
        try:
            return json.loads(text, cls=self.decoder)
        except json.JSONDecodeError:
            return text

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, cls=self.encoder, ensure_ascii=False))

    def get_db_prep_value(self, value, connection, prepared=False):
        if hasattr(value, "as_sql"):
            return value
        return self.get_prep_value(value)

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            return value
        return self.get_prep_value(value)

    def get_lookup(self, lookup_name):
        return IsNull if lookup_name == "isnull" else None

    def get_transform(self, name):
        return None

    def select_format(self, compiler, sql, params):
        return sql, params


def encrypt_existing_columns(connection, table: str, columns: list[str], batch: int = 1000) -> int:
    """For data migrations: encrypt, in raw SQL, the values of `columns` still stored in clear (a column
    just turned into an EncryptedCharField). Already encrypted and empty values are left alone."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)} ORDER BY id")
        rows = cursor.fetchall()
    updates = []
    for pk, *values in rows:
        if all(not v or crypto.is_token(v) for v in values):
            continue
        updates.append([v if not v or crypto.is_token(v) else crypto.encrypt(v) for v in values] + [pk])
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(updates), batch):
            cursor.executemany(f"UPDATE {quote(table)} SET {assignments} WHERE id = %s", updates[start : start + batch])
    return len(updates)
