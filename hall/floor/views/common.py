"""What the floor pages share: the hall from the URL, and a service's refusal as a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from ...models import Hall


def hall_by_code(code: str) -> Hall:
    return get_object_or_404(Hall, code=code.upper())


def refusal(request, error: ValidationError) -> None:
    """A service's refusal shown at the top of the next page (nothing was changed)."""
    for message in error.messages:
        messages.error(request, message)
