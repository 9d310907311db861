"""The cast of the cross-county hand-off tests: an item of 阳春市 (YC) received at the 阳西县 (YX) hall,
and the staff of both sides and of a third county (江城区, JC)."""

from types import SimpleNamespace

from cases import services
from hall.constants import StaffRole
from hall.demo import staff_username
from hall.models import Department, User
from items.constants import CrossAreaMode, CrossAreaScope
from tests.items.factories import ItemFactory, ItemVersionFactory

from .factories import pdf_upload

APPLICANT = {"applicant_id_number": "441721199001011232", "applicant_name": "黄小明", "applicant_mobile": "13912345678"}


def _staff(hall: str, role: str) -> User:
    return User.objects.get(username=staff_username(hall, role))


def make_cast(cast):
    """hc.version: a 阳春市 item, receive-and-forward at every other hall (accept at 江城区)."""
    yc_market = Department.objects.get(region__code="441781", short_name="市场监管")
    item = ItemFactory(department=yc_market, region=yc_market.region)
    version = ItemVersionFactory(
        item=item,
        cross_area_scope=CrossAreaScope.CROSS_COUNTY,
        cross_area_mode=CrossAreaMode.RECEIVE_FORWARD,
        hall_modes={"JC": CrossAreaMode.ACCEPT},
    )
    halls = cast.halls
    return SimpleNamespace(
        cast=cast,
        version=version,
        yx=halls["YX"],
        yc=halls["YC"],
        jc=halls["JC"],
        yx_clerk=_staff("YX", StaffRole.WINDOW_CLERK),
        yx_result=_staff("YX", StaffRole.RESULT_CLERK),
        yx_supervisor=_staff("YX", StaffRole.SUPERVISOR),
        yc_clerk=_staff("YC", StaffRole.WINDOW_CLERK),
        yc_result=_staff("YC", StaffRole.RESULT_CLERK),
        yc_approver=_staff("YC", StaffRole.APPROVER),
        yc_supervisor=_staff("YC", StaffRole.SUPERVISOR),
        jc_clerk=_staff("JC", StaffRole.WINDOW_CLERK),
        jc_approver=_staff("JC", StaffRole.APPROVER),
        jc_result=_staff("JC", StaffRole.RESULT_CLERK),
        jc_supervisor=_staff("JC", StaffRole.SUPERVISOR),
        city_supervisor=_staff("YJ", StaffRole.SUPERVISOR),
    )


def receive_at(hc, hall=None, clerk=None, **kwargs):
    """A counter application at `hall` (default 阳西县) with every material scanned."""
    hall = hall or hc.yx
    clerk = clerk or hc.yx_clerk
    uploads = {m: pdf_upload(f"{m.name}.pdf") for m in hc.version.materials.order_by("order")}
    return services.case_record_counter_application(
        clerk=clerk,
        hall=hall,
        item_version=hc.version,
        identity_checked=True,
        uploads=uploads,
        originals_seen=[m.pk for m in uploads],
        **{**APPLICANT, **kwargs},
    )


def forwarded(hc, paper=True):
    case = receive_at(hc)
    services.handoff_forward(
        case=case,
        actor=hc.yx_clerk,
        paper_carrier="ems" if paper else "",
        paper_tracking="EM123456789CN" if paper else "",
    )
    case.refresh_from_db()
    return case


def received(hc, paper=True):
    case = forwarded(hc, paper)
    services.handoff_receive(case=case, actor=hc.yc_clerk)
    case.refresh_from_db()
    return case


def granted(hc):
    case = received(hc)
    services.case_accept(case=case, actor=hc.yc_clerk)
    services.case_grant(case=case, actor=hc.yc_approver)
    case.refresh_from_db()
    return case
