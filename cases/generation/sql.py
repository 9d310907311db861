"""What the generation steps share: INSERT … SELECT with the model's defaults for the columns a step
does not set, COPY of a few Python-made values (encrypted texts), and the staff who act in the story."""

from __future__ import annotations

import io
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

# Local time of the halls (months, dates of the day) in SQL.
LOCAL = f"'{settings.TIME_ZONE}'"


def _default(field, connection):
    """The stored value a new row gets for a column the generator does not set."""
    if field.has_default():
        value = field.get_default()
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = timezone.now()
    elif field.null:
        return None
    elif isinstance(field, (models.CharField, models.TextField)):
        value = ""
    else:
        raise CommandError(f"{field.model.__name__}.{field.name}: 没有默认值，生成器不知道填什么。")
    return field.get_db_prep_save(value, connection)


def insert_select(cursor, model, exprs: dict[str, str], source: str, params=()) -> int:
    """INSERT INTO the model's table every concrete column: `exprs` (column → SQL over `source`) for
    those given, the model default for the others. Returns the rows inserted."""
    columns, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in exprs:
            continue
        columns.append(f'"{field.column}"')
        if field.column in exprs:
            values.append(exprs[field.column])
        else:
            values.append("%s")
            defaults.append(_default(field, cursor.db))
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM {source}'
    cursor.execute(sql, [*defaults, *params])
    return cursor.rowcount


def execute(cursor, sql: str, params=()) -> int:
    cursor.execute(sql, params)
    return max(cursor.rowcount, 0)


def has_column(model, column: str) -> bool:
    return any(f.column == column for f in model._meta.concrete_fields)


def count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]


def copy_buffer(rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", " ") for v in row))
        buffer.write("\n")
    buffer.seek(0)
    return buffer


def copy_rows(cursor, table: str, columns: str, rows) -> None:
    """CREATE TEMP TABLE `table` (`columns`) and COPY `rows` into it."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
    cursor.copy_expert(f"COPY {table} FROM STDIN", copy_buffer(rows))


def encrypted(model_label: str, field_name: str, value: str, connection) -> str:
    """`value` as the model's encrypted column stores it (SM4 tokens are self-contained: a stored token
    may be copied to any encrypted column)."""
    field = apps.get_model(model_label)._meta.get_field(field_name)
    return field.get_db_prep_save(value, connection)


def staff_tables(cursor) -> None:
    """gen_staff: one account per hall and role (the demo organisation), with its window;
    gen_owner: the hall of each county that receives its hand-offs (the first by code, as the services
    choose); gen_approver: who decides for a department (an approver of a hall of its county)."""
    cursor.execute("DROP TABLE IF EXISTS gen_staff, gen_owner, gen_approver, gen_result_window")
    cursor.execute(
        """CREATE TEMP TABLE gen_staff AS SELECT DISTINCT ON (a.hall_id, a.role) a.hall_id, a.role, a.user_id,
           coalesce(nullif(u.real_name, ''), u.username) AS name, a.window_id
           FROM hall_staffassignment a JOIN hall_user u ON u.id = a.user_id ORDER BY a.hall_id, a.role, a.user_id"""
    )
    cursor.execute(
        """CREATE TEMP TABLE gen_owner AS SELECT DISTINCT ON (h.region_id) h.region_id, h.id AS hall_id, h.name
           FROM hall_hall h ORDER BY h.region_id, h.code"""
    )
    cursor.execute(
        """CREATE TEMP TABLE gen_approver AS SELECT d.id AS department_id, d.name AS department_name,
           s.user_id, s.name, o.hall_id
           FROM hall_department d JOIN gen_owner o ON o.region_id = d.region_id
           JOIN gen_staff s ON s.hall_id = o.hall_id AND s.role = 'approver'"""
    )
    cursor.execute(
        """CREATE TEMP TABLE gen_result_window AS SELECT DISTINCT ON (h.id) h.id AS hall_id, h.name AS hall_name,
           coalesce(h.name || ' ' || w.number || '号窗口', h.name || '统一出件窗口') AS label, w.id AS window_id
           FROM hall_hall h LEFT JOIN hall_window w ON w.hall_id = h.id AND w.category = 'result'
           ORDER BY h.id, w.number"""
    )
    for table in ("gen_staff", "gen_owner", "gen_approver", "gen_result_window"):
        cursor.execute(f"ANALYZE {table}")


@contextmanager
def indexes_set_aside(cursor, table: str):
    """Drop `table`'s indexes other than its constraints' for a bulk change, then build them again: one
    sort per index instead of an insertion per changed row and index (35 on cases_case). Inside the
    step's transaction, so a failure leaves them as they were."""
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = %s
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may wait on the table
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for _name, definition in indexes:
        cursor.execute(definition)
