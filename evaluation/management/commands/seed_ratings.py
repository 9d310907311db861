"""Demo ratings: a rating tablet at every window of the 江城 hall, the services of the demo cases,
a few ratings (very satisfied to dissatisfied), one bad rating whose ticket is open, one fixed and
confirmed by the rater's follow-up. Idempotent: demo services are keyed `demo:<case number>:<n>`.

Needs seed_demo and seed_cases (the demo cases give the services their case, item and department)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from evaluation.constants import ServiceKind
from evaluation.models import RatingDevice, RectificationTicket, Service
from evaluation.services import rating_submit, services_collect, ticket_call_back, ticket_rectify
from evaluation.services._common import month_of, rating_window_days
from evaluation.services.figures import figure_add
from hall.constants import StaffRole
from hall.demo import staff_username
from hall.models import Hall, User, Window

# (level, tags, text, what happens after)
DEMO_RATINGS = [
    (1, ["1-01", "1-03"], "窗口一次就办好了，不用开证明。", None),
    (2, ["2-02", "2-04"], "", None),
    (3, ["3-02"], "排队时间有点长。", None),
    (4, ["4-01", "4-04"], "没有样表，第一次填错了。", "fixed"),
    (4, ["4-05"], "窗口人员态度有些生硬。", "open"),
]


class Command(BaseCommand):
    help = "Demo ratings: window tablets, rated services, one open rectification ticket."

    def handle(self, *args, **options):
        hall = Hall.objects.get(code="JC")
        for window in Window.objects.filter(hall=hall):
            RatingDevice.objects.get_or_create(window=window, defaults={"name": f"{window.number}号窗口评价器"})
        services_collect()
        clerk = User.objects.get(username=staff_username("JC", StaffRole.WINDOW_CLERK))
        approver = User.objects.get(username=staff_username("JC", StaffRole.APPROVER))
        cases = list(
            Case.objects.filter(receiving_hall=hall, number__isnull=False, item_version__isnull=False)
            .select_related("item_version__item", "applicant")
            .order_by("pk")[: len(DEMO_RATINGS)]
        )
        made = 0
        for index, (case, (level, tags, text, fate)) in enumerate(zip(cases, DEMO_RATINGS, strict=False)):
            key = f"demo:{case.number}:{index}"
            if Service.objects.filter(source_key=key).exists():
                continue
            with transaction.atomic():
                service = self._service(case, key, clerk, hall, minutes_ago=30 * (len(DEMO_RATINGS) - index))
                rating_submit(service=service, level=level, tags=tags, text=text, channel="tablet",
                              user=case.applicant)  # fmt: skip
                if fate == "fixed":
                    ticket = RectificationTicket.objects.get(rating__service=service)
                    ticket_call_back(ticket=ticket, actor=approver, note="已电话回访申请人，了解到缺少填写样表。")
                    ticket_rectify(ticket=ticket, actor=approver, outcome="fixed",
                                   note="已在窗口和网上办事指南补充申请表样表。")  # fmt: skip
                    rating_submit(service=service, level=2, tags=["2-01"], channel="sms", kind="follow_up",
                                  user=case.applicant)  # fmt: skip
            made += 1
        devices = RatingDevice.objects.filter(window__hall=hall).order_by("window__number")
        self.stdout.write(f"ratings: {made} demo ratings; tablets: " + ", ".join(
            f"{d.window.number}号 /ratings/tablet/{d.key}/" for d in devices))  # fmt: skip

    def _service(self, case, key, clerk, hall, *, minutes_ago: int) -> Service:
        finished = timezone.now() - dt.timedelta(minutes=minutes_ago)
        window = clerk.assignments.filter(hall=hall).exclude(window=None).values_list("window", flat=True).first()
        service = Service.objects.create(
            kind=ServiceKind.COUNTER_INTAKE, source_key=key, applicant=case.applicant, case=case, clerk=clerk,
            window_id=window, department_id=case.owning_department_id, hall=hall, item=case.item_version.item,
            title=case.title, finished_at=finished, month=month_of(finished),
            rating_due=finished + dt.timedelta(days=rating_window_days(hall)),
        )  # fmt: skip
        figure_add(service, services=1)
        return service
