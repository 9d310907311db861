"""Reads of cross-county hand-offs (全市通办), already scoped to the caller: the halls' hand-off lists, the
custody trail of one case, where its result may be handed out, its part of the archive record, and the
supervisor's figures per pair of counties. Re-exported by cases.selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as gettext_now

from hall.constants import StaffRole
from hall.models import Hall, Region
from hall.paging import keyset_page, keyset_page_of_union
from items.constants import DeliveryMethod

from . import permissions
from .constants import HANDOFF_STAGES, INCOMING_HANDOFF_STATES, OPEN_HANDOFF_STATES, HandoffState, LegKind
from .models import Case, Handoff, HandoffLeg, HandoffTally

PAGE_ORDER = ("-created_at", "-pk")


def handoff_of(case: Case) -> Handoff | None:
    """The case's hand-off with its halls and legs, or None (received in the owning county). Two queries:
    the hand-off (with who received it) and its legs; their halls are the ones the case was read with
    where it was (receiving, handed-to, custodian hall), not joined again to the hand-off and to every leg.
    A hall the case did not bring is read once (one more query)."""
    if not getattr(case, "cross_area_mode", ""):
        return None
    handoff = Handoff.objects.select_related("received_by").filter(case=case).first()
    if handoff is None:
        return None
    prefetch_related_objects([handoff], "legs")
    legs = handoff.legs.all()  # the prefetched list: the halls set below stay on these legs
    wanted = {handoff.receiving_hall_id, handoff.owning_hall_id}
    wanted.update(hall for leg in legs for hall in (leg.from_hall_id, leg.to_hall_id))
    halls = _halls_read_with(case)
    missing = wanted - halls.keys()
    if missing:
        halls.update(Hall.objects.in_bulk(missing))
    handoff.receiving_hall, handoff.owning_hall = halls[handoff.receiving_hall_id], halls[handoff.owning_hall_id]
    for leg in legs:
        leg.from_hall, leg.to_hall = halls[leg.from_hall_id], halls[leg.to_hall_id]
    return handoff


def _halls_read_with(case: Case) -> dict:
    """{pk: Hall} of the halls the case's own read joined (never a query)."""
    from .selectors import CASE_PAGE_HALLS  # the selectors import this module

    halls = {}
    for name in CASE_PAGE_HALLS:
        field = Case._meta.get_field(name)
        if field.is_cached(case) and getattr(case, name) is not None:
            hall = getattr(case, name)
            halls[hall.pk] = hall
    return halls


def result_returns(case: Case, handoff: Handoff) -> bool:
    """The result goes back to the receiving side: pickup at a hall outside the owning county."""
    if case.delivery_method not in ("", DeliveryMethod.PICKUP):
        return False
    pickup = case.delivery_hall or case.receiving_hall
    return pickup.region_id != handoff.owning_region_id


def result_available_at(case: Case, hall) -> bool:
    """May the result be handed out at `hall`? True when no return leg is needed (received in the owning
    county, posted or electronic, or `hall` is on the owning side) or when the result sent back has
    arrived at that hall."""
    if not getattr(case, "cross_area_mode", ""):
        return True
    handoff = Handoff.objects.filter(case=case).only("owning_region_id").first()
    if handoff is None or hall.region_id == handoff.owning_region_id or not result_returns(case, handoff):
        return True
    return HandoffLeg.objects.filter(
        handoff=handoff, kind=LegKind.RESULT, to_hall=hall, received_at__isnull=False
    ).exists()


@dataclass(frozen=True)
class CustodyLine:
    """One line of the custody trail: what happened, where, when, by whom."""

    when: dt.datetime
    what: str
    hall: str
    person: str
    detail: str = ""


def custody_trail(handoff: Handoff) -> list[CustodyLine]:
    """Receipt, then every send and every receipt of every leg, in time order."""
    lines = [
        CustodyLine(
            handoff.received_at,
            gettext_now("异地收件（%(mode)s）") % {"mode": handoff.get_mode_display()},
            handoff.receiving_hall.name,
            _person(handoff.received_by),
        )
    ]
    for leg in handoff.legs.all():
        number = f"{leg.get_carrier_display()} {leg.tracking_number}".strip()
        lines.append(
            CustodyLine(
                leg.sent_at,
                gettext_now("寄出%(what)s → %(to)s") % {"what": leg.get_kind_display(), "to": leg.to_hall.name},
                leg.from_hall.name,
                leg.sent_by_name,
                number,
            )
        )
        if leg.received_at is not None:
            lines.append(
                CustodyLine(
                    leg.received_at,
                    gettext_now("确认接收%(what)s") % {"what": leg.get_kind_display()},
                    leg.to_hall.name,
                    leg.received_by_name,
                    number if leg.tracking_number else "",
                )
            )
    return sorted(lines, key=lambda line: line.when)


def _person(user) -> str:
    return (user.real_name or user.username) if user is not None else ""


def stage_rows(handoff: Handoff) -> list[dict]:
    """[{stage, label, side, name}] in the order of the stages (DOMAIN.md §4)."""
    owners = handoff.stage_owners or {}
    sides = {"receiving": gettext_now("收件地"), "owning": gettext_now("属地"), "both": gettext_now("双方")}
    rows = []
    for key, label in HANDOFF_STAGES:
        owner = owners.get(key) or {}
        rows.append(
            {"stage": key, "label": label, "side": sides.get(owner.get("side"), ""), "name": owner.get("name", "")}
        )
    return rows


def handoff_archive_part(case: Case) -> dict:
    """HANDOFF's part of `case_archive_record(case)`: the custody trail and each side's archive duty."""
    handoff = handoff_of(case)
    if handoff is None:
        return {}
    return {
        "handoff": {
            "mode": handoff.mode,
            "mode_label": handoff.get_mode_display(),
            "receiving_hall": handoff.receiving_hall.name,
            "owning_hall": handoff.owning_hall.name,
            "stage_owners": stage_rows(handoff),
            "archive_responsibility": {
                "receiving": {"hall": handoff.receiving_hall.name, "keeps": handoff.receiving_archive},
                "owning": {"hall": handoff.owning_hall.name, "keeps": handoff.owning_archive},
            },
            "custody_trail": [
                {
                    "time": line.when.isoformat(),
                    "what": line.what,
                    "hall": line.hall,
                    "person": line.person,
                    "detail": line.detail,
                }
                for line in custody_trail(handoff)
            ],  # fmt: skip
        }
    }


# ---------------------------------------------------------------- the halls' lists


def _halls(user, *roles) -> set[int]:
    halls: set[int] = set()
    for role in roles or (StaffRole.WINDOW_CLERK,):
        halls |= permissions.halls_with_role(user, role)
    return halls


LIST_FIELDS = (
    "pk",
    "created_at",
    "case_id",
    "case__number",
    "case__item_version__name",
    "receiving_hall__name",
    "owning_hall__name",
    "state",
    "next_due",
)


def _listed(qs: QuerySet) -> QuerySet:
    """What a hand-off list shows of each hand-off, as named tuples (cases.rows): no instance per row."""
    return qs.values_list(*LIST_FIELDS, named=True)


def _page(open_work: QuerySet, hall_field: str, halls: set[int], *, after: str | None, size: int):
    """A keyset page of `open_work` at `halls`, newest first: one branch per hall when there are several,
    each read in order along its partial index (an IN over halls would sort all their open work)."""
    branches = [_listed(open_work.filter(**{hall_field: hall})) for hall in sorted(halls)]
    if len(branches) > 1:
        return keyset_page_of_union(branches, order=PAGE_ORDER, after=after, size=size)
    return keyset_page(branches[0] if branches else _listed(open_work.none()), order=PAGE_ORDER, after=after, size=size)


def handoffs_incoming(user, *, after: str | None = None, size: int = 25):
    """The owning hall's incoming hand-offs (to confirm, then to review), newest first; read through the
    partial index of the incoming hand-offs per owning hall (handoff_incoming)."""
    qs = Handoff.objects.filter(state__in=INCOMING_HANDOFF_STATES)
    return _page(qs, "owning_hall_id", _halls(user, StaffRole.WINDOW_CLERK), after=after, size=size)


def handoffs_outgoing(user, *, after: str | None = None, size: int = 25):
    """The receiving hall's open hand-offs: to forward, in transit, results on their way back (through
    handoff_outgoing_open)."""
    qs = Handoff.objects.filter(state__in=OPEN_HANDOFF_STATES)
    halls = _halls(user, StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK)
    return _page(qs, "receiving_hall_id", halls, after=after, size=size)


def results_to_send(user, *, after: str | None = None, size: int = 25):
    """Decided cross-county cases whose result must go back to the receiving hall (owning side), newest
    first: the hand-offs received by the owning hall, marked decided by the services, with a return leg to
    come (through handoff_results_to_send: none of the hall's undecided work is read)."""
    qs = Handoff.objects.filter(state=HandoffState.RECEIVED, result_return=True, decided=True)
    halls = _halls(user, StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK)
    return _page(qs, "owning_hall_id", halls, after=after, size=size)


# ---------------------------------------------------------------- figures


@dataclass
class PairFigure:
    receiving: str
    owning: str
    handoffs: int = 0
    transit_count: int = 0
    transit_seconds: int = 0
    p90_hours: int | None = None
    overdue: int = 0

    @property
    def average_hours(self) -> float | None:
        if not self.transit_count:
            return None
        return round(self.transit_seconds / self.transit_count / 3600, 1)


def figure_regions(user) -> set[int] | None:
    """The counties whose pairs a supervisor sees: None for all (the city centre), else their own."""
    if any(a.role == StaffRole.SYSTEM_ADMIN for a in permissions._assignments(user)):
        return None
    regions = permissions.regions_with_role(user, StaffRole.SUPERVISOR)
    if not regions:
        return set()
    if Region.objects.filter(Q(pk__in=regions, parent__isnull=True) | Q(parent_id__in=regions)).exists():
        return None  # a city (or higher) supervisor: every pair
    return regions


def handoff_figures(user, *, today: dt.date | None = None, regions: set[int] | None | bool = False) -> list[PairFigure]:
    """Per pair of counties: hand-offs, average and p90 transit time of paper originals, overdue open
    hand-offs. From the tallies the services keep (a few rows per pair) and the index of open hand-offs
    by due date (only overdue rows are read): never from every hand-off. Two queries (three without
    `regions`, the result of figure_regions)."""
    if regions is False:
        regions = figure_regions(user)
    if regions is not None and not regions:
        return []
    scope = Q() if regions is None else Q(receiving_region_id__in=regions) | Q(owning_region_id__in=regions)
    today = today or timezone.localdate()
    names = ("receiving_region_id", "owning_region_id", "receiving_region__name", "owning_region__name")
    tallies = (
        HandoffTally.objects.filter(scope)
        .values(*names, "kind", "bucket")
        .annotate(n=Sum("count"), seconds=Sum("total_seconds"))
        .order_by()
    )
    overdue = (
        Handoff.objects.filter(scope, state__in=OPEN_HANDOFF_STATES, next_due__lt=today)
        .values(*names)
        .annotate(n=Count("pk"))
        .order_by()
    )
    pairs: dict[tuple[int, int], PairFigure] = {}
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def pair(row) -> PairFigure:
        key = (row["receiving_region_id"], row["owning_region_id"])
        if key not in pairs:
            pairs[key] = PairFigure(row["receiving_region__name"], row["owning_region__name"])
        return pairs[key]

    for row in tallies:
        figure = pair(row)
        if row["kind"] == "handoff":
            figure.handoffs += row["n"]
        elif row["kind"] == LegKind.PAPER:
            figure.transit_count += row["n"]
            figure.transit_seconds += row["seconds"]
            buckets.setdefault((row["receiving_region_id"], row["owning_region_id"]), []).append(
                (row["bucket"], row["n"])
            )
    for row in overdue:
        pair(row).overdue = row["n"]
    for key, rows in buckets.items():
        pairs[key].p90_hours = _percentile(rows, 0.9)
    return sorted(pairs.values(), key=lambda f: (-f.handoffs, f.receiving, f.owning))


def _percentile(rows: list[tuple[int, int]], share: float) -> int | None:
    """The bucket (upper bound in hours) within which `share` of the transits arrived."""
    total = sum(n for _, n in rows)
    if not total:
        return None
    seen = 0
    for bucket, n in sorted(rows):
        seen += n
        if seen >= share * total:
            return bucket
    return sorted(rows)[-1][0]
