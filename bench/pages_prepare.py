"""Run by bench/pages.py inside Django with DATABASE_URL set to the bench database: choose one account
per role and one case per detail page, give the chosen citizen accounts the demo password, and print
the choice as one JSON line (the bench database only: pages.py refuses any other)."""

import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402

from cases import permissions  # noqa: E402
from cases.constants import DECISION_QUEUE_STATES, INTAKE_QUEUE_STATES, CaseState, HandoffState, WarningLevel  # noqa: E402
from cases.models import Case, Document, Handoff  # noqa: E402
from delivery.models import DeliveryOrder  # noqa: E402
from evaluation.models import RectificationTicket  # noqa: E402
from hall.constants import StaffRole  # noqa: E402
from hall.demo import DEMO_PASSWORD, staff_username  # noqa: E402
from hall.models import Enterprise, Hall, User  # noqa: E402
from items.models import Item  # noqa: E402


def _first(qs):
    row = qs.order_by("received_at", "pk").values_list("pk", flat=True).first()
    return row


DELIVERED = (CaseState.DELIVERED, CaseState.ARCHIVED)


def _latest_in_state(qs, states):
    """The newest case of `qs` in one of `states`, or else the first of `qs`."""
    return _latest(qs.filter(state__in=states)) or _first(qs)


def _latest(qs):
    return qs.order_by("-pk").values_list("pk", flat=True).first()


def main() -> None:
    clerk = User.objects.get(username=staff_username("JC", StaffRole.WINDOW_CLERK))
    approver = User.objects.get(username=staff_username("JC", StaffRole.APPROVER))
    supervisor = User.objects.get(username=staff_username("JC", StaffRole.SUPERVISOR))
    result_clerk = User.objects.get(username=staff_username("JC", StaffRole.RESULT_CLERK))
    jc = Hall.objects.get(code="JC")
    halls = permissions.halls_with_role(clerk, StaffRole.WINDOW_CLERK)
    departments = permissions.departments_with_role(approver, StaffRole.APPROVER)
    # The citizen and the enterprise with the most cases: the longest 我的办事.
    # Among those with a result handed out: their case page is taken in that state at every size.
    busiest = (
        Case.objects.filter(enterprise__isnull=True, parent__isnull=True)
        .filter(applicant__in=Case.objects.filter(enterprise__isnull=True, state__in=DELIVERED).values("applicant"))
        .values("applicant_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    citizen = User.objects.get(pk=busiest["applicant_id"])
    enterprise_row = (
        Case.objects.filter(enterprise__in=Case.objects.filter(state__in=DELIVERED).values("enterprise"))
        .values("enterprise_id")
        .annotate(n=Count("pk"))
    )
    enterprise = Enterprise.objects.get(pk=enterprise_row.order_by("-n").first()["enterprise_id"])
    agent = enterprise.agent
    for account in (citizen, agent):
        account.set_password(DEMO_PASSWORD)
        account.is_active = True
        account.save()
    item = Item.objects.filter(current_version__isnull=False).order_by("pk").first()
    choice = {
        "password": DEMO_PASSWORD,
        "accounts": {
            "clerk": clerk.username,
            "approver": approver.username,
            "supervisor": supervisor.username,
            "result": result_clerk.username,
            "head": staff_username("JC", StaffRole.AGENCY_HEAD),
            "archivist": staff_username("JC", StaffRole.ARCHIVIST),
            # Citizens log in with their mobile (usernames may be pseudonyms).
            "citizen": citizen.mobile or citizen.username,
            "agent": agent.mobile or agent.username,
        },
        "cases": {
            "clerk": _first(Case.objects.filter(receiving_hall__in=halls, state__in=INTAKE_QUEUE_STATES)),
            "approver": _first(Case.objects.filter(owning_department__in=departments, state__in=DECISION_QUEUE_STATES)),
            "supervisor": _first(Case.objects.filter(receiving_hall__in=halls, warning_level=WarningLevel.OVERDUE)),
            # A detail page shows one case, and what it shows depends on the case's state: at every size
            # the bench takes a case in the same state, so that the sizes compare one page over more
            # history, not two pages. The applicant's newest case with its result handed out (every
            # section of the page).
            "citizen": _latest_in_state(Case.objects.filter(applicant=citizen, parent__isnull=True), DELIVERED),
            "agent": _latest_in_state(Case.objects.filter(enterprise=enterprise), DELIVERED),
            # The newer lists' detail pages, where the data has them (None: the page is left out). The
            # hand-off: the newest accepted case received at the owning county's hall and not yet decided.
            "handoff": Handoff.objects.filter(
                receiving_hall=jc, state=HandoffState.RECEIVED, decided=False, case__state=CaseState.ACCEPTED
            )
            .order_by("-pk")
            .values_list("case_id", flat=True)
            .first()
            or Handoff.objects.filter(receiving_hall=jc).order_by("-pk").values_list("case_id", flat=True).first(),
            "order": _latest(DeliveryOrder.objects.filter(hall=jc)),
            "ticket": _latest(RectificationTicket.objects.filter(hall=jc)),
        },
        "totp_secret": settings.TONGBAN_DEMO_TOTP_SECRET,
        "citizen_cases": busiest["n"],
        "item": item.pk,
        "document_token": Document.objects.order_by("-pk").values_list("token", flat=True).first(),
        "cases_total": Case.objects.count(),
    }
    print("PREPARED " + json.dumps(choice))


main()
