"""The demo ratings command: tablets at the 江城 windows, rated services, one open ticket; idempotent."""

import pytest
from django.core.management import call_command

from evaluation.constants import TicketState
from evaluation.models import Rating, RatingDevice, RectificationTicket


@pytest.mark.django_db
def test_seed_ratings_twice(cast):
    call_command("seed_catalogue", verbosity=0)
    call_command("seed_cases")
    call_command("seed_ratings")
    assert RatingDevice.objects.filter(window__hall__code="JC").count() == 6
    assert Rating.objects.filter(kind="first").count() == 5 and Rating.objects.filter(kind="follow_up").count() == 1
    states = sorted(RectificationTicket.objects.values_list("state", flat=True))
    assert states == [TicketState.CLOSED, TicketState.OPEN]
    call_command("seed_ratings")
    assert Rating.objects.count() == 6 and RatingDevice.objects.count() == 6
