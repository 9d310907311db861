"""Case and document numbers: format, daily sequence per hall, no duplicates under concurrency."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction

from cases.models import NumberCounter
from cases.numbering import case_number_allocate, document_number_allocate, next_in_sequence

DAY = datetime.date(2026, 11, 23)


@pytest.mark.django_db
def test_case_number_format_and_daily_sequence():
    with transaction.atomic():
        first = case_number_allocate(hall_code="JC", day=DAY)
        second = case_number_allocate(hall_code="JC", day=DAY)
        other_hall = case_number_allocate(hall_code="YD", day=DAY)
        next_day = case_number_allocate(hall_code="JC", day=DAY + datetime.timedelta(days=1))
    assert (first, second) == ("JC26112300001", "JC26112300002")
    assert other_hall == "YD26112300001"
    assert next_day == "JC26112400001"


@pytest.mark.django_db
def test_document_number_per_issuer_kind_and_year():
    with transaction.atomic():
        a = document_number_allocate(issuer_key="d1", issuer_short="江城区市场监管", kind="acceptance", day=DAY)
        b = document_number_allocate(issuer_key="d1", issuer_short="江城区市场监管", kind="acceptance", day=DAY)
        c = document_number_allocate(issuer_key="d1", issuer_short="江城区市场监管", kind="refusal", day=DAY)
    assert a == "江城区市场监管受字〔2026〕第00001号"
    assert b.endswith("第00002号") and c == "江城区市场监管不受字〔2026〕第00001号"


@pytest.mark.django_db
def test_rolled_back_number_is_not_skipped():
    with pytest.raises(RuntimeError), transaction.atomic():
        next_in_sequence("test:rollback")
        raise RuntimeError
    with transaction.atomic():
        assert next_in_sequence("test:rollback") == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        next_in_sequence("test:no-atomic")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_collide():
    threads_count, per_thread = 6, 5
    barrier = threading.Barrier(threads_count)
    numbers, errors = [], []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait(timeout=10)
            for _ in range(per_thread):
                with transaction.atomic():
                    number = case_number_allocate(hall_code="JC", day=DAY)
                with lock:
                    numbers.append(number)
        except Exception as exc:  # pragma: no cover - shown by the assertion
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    expected = {f"JC261123{n:05d}" for n in range(1, threads_count * per_thread + 1)}
    assert sorted(numbers) == sorted(expected)
    assert NumberCounter.objects.get(key="case:JC:261123").value == threads_count * per_thread
