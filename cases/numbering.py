"""Case and document numbers, allocated safely under concurrency.

Each sequence is one NumberCounter row: it is created if missing (INSERT … ON CONFLICT DO NOTHING,
so two first callers of the day do not collide), then read under SELECT … FOR UPDATE and
incremented. A second caller waits for the first one's transaction, so no number is handed out
twice and, as the counter rolls back with a failed transaction, none is skipped either.
Must run inside the caller's transaction (the services' atomic block).
"""

from datetime import date

from django.db import transaction

from .constants import DOCUMENT_NUMBER_WORD
from .models import NumberCounter


def next_in_sequence(key: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_in_sequence must run inside a transaction")
    NumberCounter.objects.bulk_create([NumberCounter(key=key, value=0)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(key=key)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def case_number_allocate(*, hall_code: str, day: date) -> str:
    """DOMAIN.md §7: hall code + yyMMdd + 5-digit daily sequence, e.g. JC26112200001."""
    day_code = day.strftime("%y%m%d")
    sequence = next_in_sequence(f"case:{hall_code}:{day_code}")
    return f"{hall_code}{day_code}{sequence:05d}"


def document_number_allocate(*, issuer_key: str, issuer_short: str, kind: str, day: date) -> str:
    """An official-style document number: 江城区市场监管受字〔2026〕第00001号 (per issuer, kind and year)."""
    word = DOCUMENT_NUMBER_WORD[kind]
    sequence = next_in_sequence(f"doc:{issuer_key}:{kind}:{day.year}")
    return f"{issuer_short}{word}字〔{day.year}〕第{sequence:05d}号"
