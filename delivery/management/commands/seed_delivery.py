"""Demo results on their way, made through the real services (idempotent; each marked in its form data):
the result windows of 江城区 and of the city hall have something to hand out, post, see downloaded and
archive; one case is archived already; the 江城区 approver still has the seed_cases grant to produce.

Needs seed_demo, seed_catalogue and seed_cases."""

from django.core.management.base import BaseCommand

from cases import services
from cases.constants import DeliveryMethod
from cases.management.commands.seed_cases import Command as CaseSeed
from cases.management.commands.seed_cases import _sample_pdf, _staff, _versions
from cases.models import Case
from delivery import services as delivery
from hall.constants import StaffRole
from hall.demo import CITIZENS, staff_username
from hall.models import Hall, User
from hall.selectors import user_by_mobile

# (key, citizen index, delivery way, pickup hall code, how far it goes)
SCENARIOS = [
    ("delivery_collect", 0, DeliveryMethod.PICKUP, "JC", "at_window"),
    ("delivery_city_hall", 1, DeliveryMethod.PICKUP, "YJ", "at_window"),
    ("delivery_post", 2, DeliveryMethod.POST, None, "at_window"),
    ("delivery_handed", 0, DeliveryMethod.PICKUP, "JC", "handed"),
    ("delivery_electronic", 1, DeliveryMethod.ELECTRONIC, None, "produced"),
    ("delivery_delivered", 2, DeliveryMethod.PICKUP, "JC", "delivered"),
    ("delivery_archived", 0, DeliveryMethod.PICKUP, "JC", "archived"),
]


class Command(BaseCommand):
    help = "Create demo results at every delivery step (idempotent)."

    def handle(self, *args, **options):
        versions = _versions()
        seed = CaseSeed()
        seed.clerk, seed.approver = _staff(StaffRole.WINDOW_CLERK), _staff(StaffRole.APPROVER)
        seed.pdf = _sample_pdf()
        citizens = [user_by_mobile(mobile) for _name, _birth, _seq, mobile in CITIZENS]
        made = 0
        # The application form is stored encrypted (no SQL on its keys): read the demo citizens' cases once.
        seeded = {
            (case.form_data or {}).get("demo")
            for case in Case.objects.filter(applicant__in=[c for c in citizens if c is not None]).only("form_data")
        }
        for index, (key, who, method, hall_code, target) in enumerate(SCENARIOS):
            if key in seeded:
                continue
            citizen = citizens[who]
            case = seed._make(key, citizen, versions[index % len(versions)], "accepted")
            self._advance(case, citizen, seed.approver, method, hall_code, target)
            made += 1
        self.stdout.write(f"demo deliveries: {made} created, {len(SCENARIOS) - made} already there")

    def _advance(self, case, citizen, approver, method, hall_code, target):
        post = {}
        if method == DeliveryMethod.POST:
            post = {"address": "阳江市江城区东风三路88号", "recipient": citizen.real_name, "mobile": citizen.mobile}
        hall = Hall.objects.get(code=hall_code) if hall_code else None
        services.case_delivery_choose(case=case, actor=citizen, method=method, hall=hall, **post)
        services.case_grant(case=case, actor=approver, opinion="经审查，符合法定条件。")
        order = delivery.result_produce(case=case, actor=approver, scope=(case.form_data or {}).get("description", ""))
        if target == "produced":
            return
        handover = delivery.result_handover(orders=[order], actor=approver, signature=approver.real_name)
        if target == "handed":
            return
        clerk = User.objects.get(username=staff_username(order.hall.code, StaffRole.RESULT_CLERK))
        delivery.result_handover_receive(handover=handover, actor=clerk, signature=clerk.real_name, count=1)
        if target == "at_window":
            return
        order.refresh_from_db()
        delivery.delivery_pickup(
            order=order, actor=clerk, recipient_kind="applicant", recipient_name=citizen.real_name,
            recipient_id_number=citizen.id_number, identity_checked=True, signature=citizen.real_name,
            signature_confirmed=True,
        )  # fmt: skip
        if target == "archived":
            delivery.case_archive(case=case, actor=clerk)
