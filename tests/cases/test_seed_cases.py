"""The demo cases command: several states, idempotent."""

import pytest
from django.core.management import call_command

from cases.constants import CaseState
from cases.models import Case


@pytest.mark.django_db
def test_seed_cases_twice(cast):
    call_command("seed_catalogue", verbosity=0)
    call_command("seed_cases")
    states = set(Case.objects.values_list("state", flat=True))
    assert {CaseState.DRAFT, CaseState.SUBMITTED, CaseState.ACCEPTED, CaseState.APPROVED} <= states
    count = Case.objects.count()
    call_command("seed_cases")
    assert Case.objects.count() == count


@pytest.mark.django_db
def test_demo_shows_every_warning_level_but_red_on_a_weekday(cast):
    from django.utils import timezone

    from cases.constants import WarningLevel
    from hall.workdays import is_working_day

    call_command("seed_catalogue", verbosity=0)
    call_command("seed_cases")
    levels = set(Case.objects.values_list("warning_level", flat=True))
    expected = {WarningLevel.GREEN, WarningLevel.YELLOW, WarningLevel.OVERDUE}
    if is_working_day(timezone.localdate()):
        expected.add(WarningLevel.RED)
    assert expected <= levels
