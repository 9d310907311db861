"""generate_cases refuses any database but a PostgreSQL database of its own: never the one in use."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from cases.management.commands.generate_cases import _id_number, refuse_database_in_use


def _url(db: dict) -> str:
    return f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.django_db
def test_refuses_the_database_in_use():
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        url = "sqlite:///" + str(db["NAME"])
        message = "PostgreSQL"
    else:
        url, message = _url(db), "拒绝写入正在使用的数据库"
    with pytest.raises(CommandError, match=message):
        call_command("generate_cases", "--cases", "10", "--database-url", url)


def test_refuses_the_shell_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@localhost:5432/tongban_live")
    with pytest.raises(CommandError, match="tongban_live"):
        refuse_database_in_use("postgres://postgres@127.0.0.1/tongban_live")
    assert refuse_database_in_use("postgres://postgres@127.0.0.1/tongban_bench_other")["NAME"] == "tongban_bench_other"


def test_generated_id_numbers_are_unique_and_valid():
    from hall.validators import validate_id_number

    numbers = [_id_number(n) for n in [*range(3000), *range(49_990, 53_000)]]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[::97]:
        validate_id_number(number)
