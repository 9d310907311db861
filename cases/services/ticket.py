"""The queue ticket a counter case came from (hall floor): the case records it, so that the figures
and the rating of that service can find the case, and the case shows how the applicant came."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hall.floor.constants import TicketState
from hall.models import Hall, Ticket, User

from ..models import Case
from ._common import case_service


def counter_ticket(*, hall: Hall, clerk: User, ticket_id) -> Ticket | None:
    """The ticket the clerk just served (or is serving) at `hall`, from `?ticket=`; None otherwise."""
    if not ticket_id or not str(ticket_id).isdigit() or len(str(ticket_id)) > 12:
        return None
    return (
        Ticket.objects.select_related("person", "booking")
        .filter(pk=int(ticket_id), hall=hall, clerk=clerk, state__in=[TicketState.CALLED, TicketState.SERVED])
        .first()
    )


@case_service
def case_ticket_record(*, case: Case, ticket: Ticket) -> Case:
    """Record on a counter case the ticket its applicant held: same hall, and the ticket's person
    (when known) is the applicant."""
    if ticket.hall_id != case.receiving_hall_id:
        raise ValidationError(_("该排队号不属于本大厅。"), code="ticket_hall")
    if ticket.person_id and ticket.person_id != case.applicant_id:
        raise ValidationError(_("排队号的取号人与申请人不一致，请核对。"), code="ticket_person")
    Case.objects.filter(pk=case.pk).update(ticket=ticket)
    case.ticket = ticket
    return case
