"""Reads of cases, already scoped to the caller (DESIGN.md): a page never filters by hand.

Who sees what:
- a citizen: their own cases and their enterprise's;
- a window clerk: cases received at their hall or handed to it;
- an approver: cases of their department;
- an agency head (机关负责人): cases of their department, read-only (to decide extensions);
- a result clerk: cases received at or handed to their hall (to hand results out);
- a supervisor: cases of their hall's region, and of its sub-regions for a city supervisor;
- a system administrator: everything.
Anyone else sees nothing. A person with several roles sees the union. Drafts are the applicant's
own: staff see a case from its submission on.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404

from hall.constants import StaffRole
from hall.models import Hall, Region
from hall.selectors import user_by_id_number, user_by_mobile

from . import permissions
from .constants import CaseState
from .models import Case, CaseEvent, CounterScan, Document, SubmittedMaterial
from .rows import clock_fields


def _base() -> QuerySet:
    return Case.objects.select_related(
        "item_version", "bundle", "applicant", "enterprise", "receiving_hall", "handed_to_hall", "owning_department"
    )


def _sub_regions(region_ids: set[int]) -> set[int]:
    children = set(Region.objects.filter(parent_id__in=region_ids).values_list("pk", flat=True))
    return region_ids | children


def case_scope(user) -> Q | None:
    """The Q that limits cases to what `user` may see; None for nothing."""
    if user is None or not user.is_authenticated:
        return None
    assignments = permissions._assignments(user)
    if any(a.role == StaffRole.SYSTEM_ADMIN for a in assignments):
        return Q()
    own = Q(pk__in=[])
    if user.is_citizen:
        own = Q(applicant=user) | Q(enterprise__agent=user)
    scope = Q(pk__in=[])
    halls = permissions.halls_with_role(user, StaffRole.WINDOW_CLERK) | permissions.halls_with_role(
        user, StaffRole.RESULT_CLERK
    )
    if halls:
        scope |= Q(receiving_hall_id__in=halls) | Q(handed_to_hall_id__in=halls)
    result_halls = permissions.halls_with_role(user, StaffRole.RESULT_CLERK)
    if result_halls:  # the hall where the applicant chose to collect the result
        scope |= Q(delivery_hall_id__in=result_halls)
    # The approvers decide the cases of their department; its head (机关负责人) reads them to decide their
    # extensions (行政许可法 Art. 42), read-only.
    departments = permissions.departments_with_role(user, StaffRole.APPROVER) | permissions.departments_with_role(
        user, StaffRole.AGENCY_HEAD
    )
    if departments:
        # 异地代收: the owning department sees the case once the receiving hall has forwarded it.
        scope |= Q(owning_department_id__in=departments) & ~Q(cross_area_mode="receive_forward", handed_to_hall=None)
    regions = permissions.regions_with_role(user, StaffRole.SUPERVISOR)
    if regions:
        regions = _sub_regions(regions)
        scope |= (
            Q(owning_department__region_id__in=regions)
            | Q(receiving_hall__region_id__in=regions)
            | Q(handed_to_hall__region_id__in=regions)
        )
    # A draft is the applicant's own until it is submitted: staff do not see it.
    return own | (scope & ~Q(state=CaseState.DRAFT))


def cases_for_user(user) -> QuerySet:
    scope = case_scope(user)
    if scope is None:
        return Case.objects.none()
    # Every condition follows a foreign key to one row: the joins cannot duplicate a case (no distinct).
    return _base().filter(scope)


WORKBENCH_FIELDS = (
    "pk",
    "number",
    "applicant_name",
    "received_at",
    "receiving_hall__name",
    "item_version__name",
    "applicant__id_number_index",
    *clock_fields(),
)


def workbench_rows(cases: QuerySet) -> QuerySet:
    """What a workbench line shows of each case, as named tuples (cases.rows): no instance of the case,
    its applicant or its hall per row. The applicant's ID number comes as its raw SM4 token beside its
    blind index (`applicant_id_token`), to be masked through cases.rows.masked_id_number."""
    return cases.annotate(applicant_id_token=Cast("applicant__id_number", TextField())).values_list(
        *WORKBENCH_FIELDS, "applicant_id_token", named=True
    )


def cases_by_person(value: str) -> Q:
    """Cases whose applicant is the account with this ID number or mobile: the one way a workbench finds
    cases by a person's identifier. The accounts are found first (hall.selectors, on their blind indexes),
    then the cases by `applicant_id`, an indexed column of the case (no join over the cases)."""
    accounts = [user.pk for user in (user_by_id_number(value), user_by_mobile(value)) if user is not None]
    return Q(applicant_id__in=accounts) if accounts else Q(pk__in=[])


def cases_of_citizen(user, limit: int = 100) -> list:
    """我的办事: the citizen's own cases and their enterprise's, newest first (bundle children are shown
    inside their parent). One index per way a case is theirs (`case_mine_applicant`,
    `case_mine_enterprise`): each gives its newest `limit`, merged here, then one read of those rows,
    instead of "applicant OR enterprise agent" across a join that no index serves. Rows are named tuples
    of CITIZEN_FIELDS."""
    if user is None or not user.is_authenticated:
        return []
    mine = Case.objects.filter(parent__isnull=True).order_by("-created_at", "-pk").values_list("pk", "created_at")
    found = list(mine.filter(applicant_id=user.pk)[:limit])
    enterprise_id = _enterprise_id(user)
    if enterprise_id is not None:
        found += mine.filter(enterprise_id=enterprise_id)[:limit]
    newest = sorted(set(found), key=lambda row: (row[1], row[0]), reverse=True)[:limit]
    rows = Case.objects.filter(pk__in=[pk for pk, _ in newest]).order_by("-created_at", "-pk")
    return list(rows.values_list(*CITIZEN_FIELDS, named=True))


# What 我的办事 shows of each case (named tuples, cases.rows): no instance of the case or its applicant.
CITIZEN_FIELDS = (
    "pk",
    "number",
    "state",
    "created_at",
    "submitted_at",
    "decision_due",
    "item_version_id",
    "item_version__name",
    "bundle_id",
    "bundle__name",
)


def _enterprise_id(user) -> int | None:
    """The enterprise whose agent `user` is (Enterprise.agent is one-to-one; cached on the user)."""
    try:
        return user.enterprise.pk
    except ObjectDoesNotExist:
        return None


# What a case page reads with its case. PostgreSQL weighs the orders of the joins of a query when it plans
# it, on every request: the case with seven relations took 2–3.5 ms to plan (more on a larger table's
# statistics), with four 0.5 ms, alone 0.1 ms; a row read by its key costs about 0.1 ms. So the case is
# joined to its version and department, and the rest is read apart: the halls, a few rows that every page
# names, in one query, the applicant, enterprise and bundle by their keys when the case has them.
CASE_PAGE_RELATED = ("item_version", "owning_department__region")
CASE_PAGE_APART = ("applicant", "enterprise", "bundle")
CASE_PAGE_HALLS = ("receiving_hall", "handed_to_hall", "custodian_hall", "delivery_hall")


def get_case_for_user(user, pk, *, related: tuple[str, ...] = ()) -> Case:
    """The case if `user` may see it, else Http404 (a guessed number looks like a missing one). `related`:
    more relations to join (select_related) for the page that shows them. The case with its version and
    department, then its halls in a second query (receiving, handed-to, custodian, pickup: the hand-off
    panel names the custodian and the hall the result goes back to), then its applicant (and enterprise
    and bundle when it has them) by their keys.

    A supervisor's scope follows the case's halls and department to their regions: that scope is checked
    in a query of its own, so that the read of the case does not plan those joins beside its own (eleven
    relations took 3–4 ms to plan, more as the statistics of a larger table fill up)."""
    supervisor = bool(permissions.regions_with_role(user, StaffRole.SUPERVISOR))
    try:
        if supervisor:
            if not cases_for_user(user).filter(pk=pk).exists():
                raise Case.DoesNotExist
            cases = Case.objects.select_related(*CASE_PAGE_RELATED, *related)
        else:
            cases = cases_for_user(user).select_related(None).select_related(*CASE_PAGE_RELATED, *related)
        case = cases.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该办件") from exc
    _halls_read(case, regions=supervisor)
    for name in CASE_PAGE_APART:
        key = getattr(case, f"{name}_id")
        if key is not None:
            setattr(case, name, Case._meta.get_field(name).related_model._default_manager.get(pk=key))
    return case


def _halls_read(case: Case, *, regions: bool = False) -> None:
    """The case's halls (CASE_PAGE_HALLS) in one query, set on the case; with their regions for a
    supervisor (permissions.is_supervisor reads them)."""
    halls = Hall.objects.select_related("region") if regions else Hall.objects
    found = halls.in_bulk({getattr(case, f"{name}_id") for name in CASE_PAGE_HALLS} - {None})
    for name in CASE_PAGE_HALLS:
        hall_id = getattr(case, f"{name}_id")
        if hall_id is not None:
            setattr(case, name, found[hall_id])


from .handoff_selectors import handoff_archive_part  # noqa: E402  (全市通办)


def case_timeline(case: Case) -> QuerySet:
    """The case's events, oldest first, with who and where (the applicant's and staff's timeline)."""
    return CaseEvent.objects.filter(case=case).select_related("hall", "document").order_by("created_at", "pk")


def documents_for_case(case: Case) -> QuerySet:
    return Document.objects.filter(case=case).select_related("superseded_by").order_by("issued_at", "pk")


def counter_scans_held(*, draft, clerk, hall, item_version) -> QuerySet:
    """The scans a window clerk holds for the counter application `draft` (a UUID, or None for a new one)
    of this item at this hall: nobody else's, and nothing once the application is received."""
    if draft is None:
        return CounterScan.objects.none()
    return CounterScan.objects.filter(draft=draft, clerk=clerk, hall=hall, item_version=item_version).select_related(
        "material"
    )


def materials_by_guide(case: Case) -> tuple[list, list]:
    """([(guide Material, [current SubmittedMaterial…])…], [files not tied to a guide material]) for
    showing the materials side by side with the guide."""
    current = list(
        SubmittedMaterial.objects.filter(case=case, superseded=False).select_related("material").order_by("uploaded_at")
    )
    by_material = {}
    extra = []
    for submitted in current:
        if submitted.material_id:
            by_material.setdefault(submitted.material_id, []).append(submitted)
        else:
            extra.append(submitted)
    guide = list(case.item_version.materials.order_by("order", "pk")) if case.item_version_id else []
    return [(material, by_material.get(material.pk, [])) for material in guide], extra


def case_with_children(case: Case) -> Case:
    """A bundle's parent with its children prefetched (each with its item version)."""
    return _base().prefetch_related(Prefetch("children", queryset=_base().order_by("pk"))).get(pk=case.pk)


def progress_lookup(number: str, mobile: str) -> Case | None:
    """Public progress check (no login): the case with this number whose applicant's mobile matches.
    The caller shows only the title, state and dates, nothing personal, and rate-limits the form."""
    number, mobile = (number or "").strip().upper(), (mobile or "").strip()
    if not number or not mobile:
        return None
    case = _base().filter(number=number).first()
    if case is None:
        return None
    form_mobile = (case.form_data or {}).get("contact_mobile")
    if mobile in {case.applicant.mobile, form_mobile} - {None, ""}:
        return case
    return None


def result_available_at(case: Case, hall) -> bool:
    """Whether the result of `case` is physically at `hall` for pickup. Without a cross-area hand-off no
    return leg is needed. (The hand-off part extends this: True once the result has arrived there.)"""
    from .handoff_selectors import result_available_at as handoff_result_available_at

    return handoff_result_available_at(case, hall)


def case_archive_record(case: Case) -> dict:
    """Everything the archive package of `case` holds (GB/T 42727 归档信息包), for the delivery app to seal:
    {"case": {...}, "events": [...], "documents": [Document…], "materials": [SubmittedMaterial…],
    "children": [record of each bundle child]}. Plain data except the file-bearing rows, whose `file`
    the packer reads. The cross-area part adds the custody trail and each side's archive duty."""
    record = {
        "case": {
            "number": case.number,
            "title": case.title,
            "state": case.state,
            "channel": case.channel,
            "applicant_name": case.applicant_name,
            "agent_name": case.agent_name,
            "receiving_hall": case.receiving_hall.name,
            "handed_to_hall": case.handed_to_hall.name if case.handed_to_hall_id else "",
            "owning_department": case.owning_department.name if case.owning_department_id else "",
            "item_version": case.item_version_id and str(case.item_version),
            "form_data": case.form_data,
            "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
            "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
            "decided_at": case.decided_at.isoformat() if case.decided_at else None,
            "delivery_method": case.delivery_method,
            "outcome_reasons": case.outcome_reasons,
        },
        "events": [
            {
                "at": event.created_at.isoformat(),
                "kind": event.kind,
                "actor": event.actor_name,
                "role": event.role,
                "hall": event.hall.name if event.hall_id else "",
                "from": event.from_state,
                "to": event.to_state,
                "note": event.note,
                "document": event.document.number if event.document_id else "",
            }
            for event in case_timeline(case)
        ],
        "documents": list(documents_for_case(case)),
        "materials": list(SubmittedMaterial.objects.filter(case=case).select_related("material").order_by("pk")),
        "children": [case_archive_record(child) for child in _base().filter(parent=case).order_by("pk")],
    }
    record.update(handoff_archive_part(case))  # {"handoff": custody trail, stage owners, archive duties}
    return record
