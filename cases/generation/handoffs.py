"""Cross-county hand-offs (全市通办) of the generated cases, as cases/services/handoff.py leaves them.

Every case received at a hall outside the county that owns its item gets its `Handoff` (mode from the
item's version for that hall, the owning county's first hall, stage owners and archive duties) and the
legs that have moved so far: the electronic file over the network, the paper originals of a window
application by post, courier or the shuttle, and, for pickup at the receiving hall, the result sent
back. Open work is in every state (awaiting forwarding, in transit, received, result on its way or
arrived); a settled case's hand-off is closed. The case gets its mode, custodian, handed-to hall and
hand-off due date, its delivery choice, the hand-off events, and the supervisor's tallies per pair of
counties are counted from the legs."""

from __future__ import annotations

from django.apps import apps

from .sql import copy_rows, count, encrypted, execute, indexes_set_aside, insert_select
from .story import chosen_method, moment, result_stage, stage_at_least

TRANSIT_BUCKETS = [4, 8, 24, 48, 72, 120, 168, 240, 480, 100000]  # cases/services/handoff.py

ADDRESSES = [
    "阳江市江城区东风三路{n}号",
    "阳江市江城区新江北路{n}号",
    "阳江市阳东区东城镇{n}号",
    "阳江市阳西县织篢镇{n}号",
    "阳春市春城街道{n}号",
]


def address_table(cursor) -> None:
    """gen_address(k, address): 200 encrypted postal addresses the post deliveries pick from."""
    rows = []
    for k in range(200):
        text = ADDRESSES[k % len(ADDRESSES)].format(n=k + 1)
        rows.append((k, encrypted("cases.Case", "delivery_address", text, cursor.db)))
    copy_rows(cursor, "gen_address", "k int PRIMARY KEY, address text", rows)


def _source(cursor) -> int:
    method = chosen_method("c")
    stage = result_stage("c", method)
    cursor.execute("DROP TABLE IF EXISTS gen_handoff_src")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_handoff_src AS
        SELECT c.id AS case_id, c.state, c.channel, c.received_at, c.applicant_id, c.applicant_name,
               h.id AS receiving_hall_id, h.name AS receiving_name, h.region_id AS receiving_region_id,
               o.hall_id AS owning_hall_id, o.name AS owning_name, i.region_id AS owning_region_id,
               coalesce(d.name, o.name) AS department_name,
               (CASE WHEN coalesce(v.hall_modes ->> h.code, v.cross_area_mode) = 'accept' THEN 'accept'
                     ELSE 'receive_forward' END) AS mode,
               {method} AS method, {stage} AS stage,
               (CASE WHEN c.decided_at IS NULL THEN NULL ELSE {moment("result_sent")} END) AS result_sent_at,
               (CASE WHEN c.decided_at IS NULL THEN NULL ELSE {moment("at_window")} END) AS result_arrived_at,
               c.accepted_on, c.decided_at
        FROM cases_case c
        JOIN items_itemversion v ON v.id = c.item_version_id
        JOIN items_item i ON i.id = v.item_id
        JOIN hall_hall h ON h.id = c.receiving_hall_id
        JOIN gen_owner o ON o.region_id = i.region_id
        LEFT JOIN hall_department d ON d.id = c.owning_department_id
        WHERE i.region_id <> h.region_id AND c.number IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM cases_handoff x WHERE x.case_id = c.id)"""
    )
    # When each movement happened (NULL: not yet). 代收转交 forwards within hours of receipt; 代为受理
    # accepts first. Paper travels a day or more; the result goes back once produced.
    cursor.execute(
        """ALTER TABLE gen_handoff_src ADD COLUMN forwarded_at timestamptz, ADD COLUMN owner_received_at timestamptz,
            ADD COLUMN paper_received_at timestamptz, ADD COLUMN result_return boolean,
            ADD COLUMN result_sent boolean, ADD COLUMN result_arrived boolean, ADD COLUMN handoff_state text"""
    )
    cursor.execute(
        """UPDATE gen_handoff_src SET forwarded_at = (CASE
              WHEN mode = 'receive_forward' AND received_at + interval '2 hours' <= now() THEN received_at + interval '2 hours'
              WHEN mode = 'accept' AND accepted_on IS NOT NULL AND accepted_on + time '11:00' <= now()
                   THEN (accepted_on + time '11:00')::timestamptz END),
           result_return = (method = 'pickup')"""
    )
    cursor.execute(
        f"""UPDATE gen_handoff_src SET
              owner_received_at = (CASE WHEN forwarded_at + interval '3 hours' <= now() THEN forwarded_at + interval '3 hours' END),
              paper_received_at = (CASE WHEN channel = 'counter' AND forwarded_at + interval '26 hours' <= now()
                                        THEN forwarded_at + interval '26 hours' END),
              result_sent = result_return AND forwarded_at IS NOT NULL AND decided_at IS NOT NULL
                            AND {stage_at_least("stage", "produced")},
              result_arrived = result_return AND forwarded_at IS NOT NULL AND decided_at IS NOT NULL
                               AND {stage_at_least("stage", "at_window")}"""
    )
    cursor.execute(
        """UPDATE gen_handoff_src SET handoff_state = (CASE
              WHEN state IN ('delivered', 'archived', 'rejected', 'withdrawn') THEN 'closed'
              WHEN forwarded_at IS NULL THEN 'awaiting_forward'
              WHEN owner_received_at IS NULL THEN 'forwarded'
              WHEN result_arrived THEN 'result_arrived'
              WHEN result_sent THEN 'result_sent'
              ELSE 'received' END)"""
    )
    cursor.execute("CREATE INDEX ON gen_handoff_src (case_id)")
    cursor.execute("ANALYZE gen_handoff_src")
    return count(cursor, "gen_handoff_src")


def _next_working_day(day: str, days: int) -> str:
    """`day` + `days` days, a Saturday or Sunday moved to Monday (close enough to the calendar here)."""
    target = f"({day} + {days})"
    return f"(CASE extract(isodow FROM {target}) WHEN 6 THEN {target} + 2 WHEN 7 THEN {target} + 1 ELSE {target} END)"


def generate(cursor, step) -> None:
    Handoff = apps.get_model("cases", "Handoff")
    HandoffLeg = apps.get_model("cases", "HandoffLeg")
    HandoffTally = apps.get_model("cases", "HandoffTally")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    address_table(cursor)
    step("通办移交（待生成的异地收件）", lambda _: _source(cursor), counted=False)

    forward_due = _next_working_day("s.received_at::date", 1)
    e_due = _next_working_day("s.forwarded_at::date", 1)
    p_due = _next_working_day("s.forwarded_at::date", 3)
    r_due = _next_working_day("s.result_sent_at::date", 3)
    next_due = f"""(CASE WHEN s.handoff_state = 'closed' THEN NULL ELSE least(
        CASE WHEN s.forwarded_at IS NULL THEN {forward_due} END,
        CASE WHEN s.forwarded_at IS NOT NULL AND s.owner_received_at IS NULL THEN {e_due} END,
        CASE WHEN s.channel = 'counter' AND s.forwarded_at IS NOT NULL AND s.paper_received_at IS NULL THEN {p_due} END,
        CASE WHEN s.result_sent AND NOT s.result_arrived THEN {r_due} END) END)"""
    accept_side = "(CASE WHEN s.mode = 'accept' THEN 'receiving' ELSE 'owning' END)"
    stage_owners = f"""jsonb_build_object(
        'receive', jsonb_build_object('side', 'receiving', 'name', s.receiving_name),
        'accept', jsonb_build_object('side', {accept_side},
                  'name', CASE WHEN s.mode = 'accept' THEN s.receiving_name ELSE s.owning_name END),
        'decide', jsonb_build_object('side', 'owning', 'name', s.department_name),
        'produce', jsonb_build_object('side', 'owning', 'name', s.department_name),
        'deliver', jsonb_build_object('side', CASE WHEN s.result_return THEN 'receiving' ELSE 'owning' END,
                   'name', CASE WHEN s.result_return THEN s.receiving_name ELSE s.owning_name END),
        'archive', jsonb_build_object('side', 'both', 'name', s.receiving_name || ' / ' || s.owning_name))"""
    receiving_archive = """('收件登记、身份核验记录、材料扫描件、转交及寄递回执' ||
        CASE WHEN s.result_return THEN '；结果到达记录和送达回证（签收后将原件寄属地归档）' ELSE '' END)"""
    owning_archive = """('完整电子案卷和纸质原件、受理及审批文书、制证记录' ||
        CASE WHEN s.result_return THEN '' ELSE '；送达回证' END)"""
    clerk = "(SELECT user_id FROM gen_staff WHERE hall_id = {hall} AND role = '{role}')"
    clerk_name = "(SELECT name FROM gen_staff WHERE hall_id = {hall} AND role = '{role}')"

    def handoffs(_):
        return insert_select(
            cursor,
            Handoff,
            {
                "case_id": "s.case_id",
                "mode": "s.mode",
                "state": "s.handoff_state",
                "receiving_hall_id": "s.receiving_hall_id",
                "owning_hall_id": "s.owning_hall_id",
                "receiving_region_id": "s.receiving_region_id",
                "owning_region_id": "s.owning_region_id",
                "received_at": "s.received_at",
                "received_by_id": "(CASE WHEN s.channel = 'counter' THEN "
                + clerk.format(hall="s.receiving_hall_id", role="window_clerk")
                + " END)",
                "forward_due": forward_due,
                "forwarded_at": "s.forwarded_at",
                "owner_received_at": "s.owner_received_at",
                "result_return": "s.result_return",
                "decided": "s.state IN ('approved', 'denied', 'delivered', 'archived')",
                "stage_owners": stage_owners,
                "receiving_archive": receiving_archive,
                "owning_archive": owning_archive,
                "next_due": next_due,
                "created_at": "s.received_at",
            },
            "gen_handoff_src s ORDER BY s.case_id",
        )

    step("通办移交", handoffs)

    src = "gen_handoff_src s JOIN cases_handoff x ON x.case_id = s.case_id"
    sender = clerk.format(hall="s.receiving_hall_id", role="window_clerk")
    sender_name = clerk_name.format(hall="s.receiving_hall_id", role="window_clerk")
    owner_clerk = clerk.format(hall="s.owning_hall_id", role="window_clerk")
    owner_clerk_name = clerk_name.format(hall="s.owning_hall_id", role="window_clerk")
    result_clerk = clerk.format(hall="s.receiving_hall_id", role="result_clerk")
    result_clerk_name = clerk_name.format(hall="s.receiving_hall_id", role="result_clerk")
    paper_carrier = (
        "(CASE mod(s.case_id, 10) WHEN 0 THEN 'shuttle' WHEN 1 THEN 'courier' WHEN 2 THEN 'courier' ELSE 'ems' END)"
    )
    paper_tracking = """(CASE mod(s.case_id, 10) WHEN 0 THEN 'ZC' || lpad(s.case_id::text, 10, '0')
        WHEN 1 THEN 'SF' || lpad(s.case_id::text, 12, '0') WHEN 2 THEN 'SF' || lpad(s.case_id::text, 12, '0')
        ELSE '1' || lpad(s.case_id::text, 12, '0') END)"""
    legs = [
        # (kind, from, to, carrier, tracking, sent, sent by, due, received, received by, where)
        ("electronic", "s.receiving_hall_id", "s.owning_hall_id", "'network'", "''", "s.forwarded_at",
         (sender, sender_name), e_due, "s.owner_received_at", (owner_clerk, owner_clerk_name),
         "s.forwarded_at IS NOT NULL"),
        ("paper", "s.receiving_hall_id", "s.owning_hall_id", paper_carrier, paper_tracking, "s.forwarded_at",
         (sender, sender_name), p_due, "s.paper_received_at", (owner_clerk, owner_clerk_name),
         "s.forwarded_at IS NOT NULL AND s.channel = 'counter'"),
        ("result", "s.owning_hall_id", "s.receiving_hall_id", "'ems'", "'9' || lpad(s.case_id::text, 12, '0')",
         "s.result_sent_at", (owner_clerk, owner_clerk_name), r_due,
         "(CASE WHEN s.result_arrived THEN s.result_arrived_at END)", (result_clerk, result_clerk_name),
         "s.result_sent"),
    ]  # fmt: skip

    def load_legs(_):
        rows = 0
        for kind, from_hall, to_hall, carrier, tracking, sent, (by, by_name), due, received, (
            rby,
            rby_name,
        ), where in legs:
            rows += insert_select(
                cursor,
                HandoffLeg,
                {
                    "handoff_id": "x.id",
                    "kind": f"'{kind}'",
                    "from_hall_id": from_hall,
                    "to_hall_id": to_hall,
                    "carrier": carrier,
                    "tracking_number": tracking,
                    "sent_at": sent,
                    "sent_by_id": by,
                    "sent_by_name": by_name,
                    "due": due,
                    "received_at": received,
                    "received_by_id": f"(CASE WHEN {received} IS NOT NULL THEN {rby} END)",
                    "received_by_name": f"(CASE WHEN {received} IS NOT NULL THEN {rby_name} ELSE '' END)",
                },
                f"{src} WHERE {where} ORDER BY {sent}",
            )
        return rows

    step("通办移交寄递", load_legs)

    def cases(_):
        # Each case row is written once: its hand-off columns and its delivery choice.
        with indexes_set_aside(cursor, "cases_case"):
            return _cases_update(cursor)

    step("办件（异地收件、送达方式）", cases)

    mode_label = "(CASE WHEN s.mode = 'accept' THEN '异地可直接受理' ELSE '异地代收代办（收件后转属地部门受理）' END)"
    events = [
        ("handoff_opened", "s.received_at",
         f"(CASE WHEN s.channel = 'counter' THEN {sender} END)", f"(CASE WHEN s.channel = 'counter' THEN {sender_name} ELSE '' END)",
         "s.receiving_hall_id", f"s.receiving_name || '异地收件（' || {mode_label} || '），属地：' || s.owning_name", "TRUE"),
        ("handoff_forwarded", "s.forwarded_at", sender, sender_name, "s.receiving_hall_id",
         "'转交' || s.owning_name || '：电子材料即时流转' || (CASE WHEN s.channel = 'counter' THEN '；纸质原件寄递' ELSE '' END)",
         "s.forwarded_at IS NOT NULL"),
        ("handoff_received", "s.owner_received_at", owner_clerk, owner_clerk_name, "s.owning_hall_id",
         "s.owning_name || '已接收电子材料'", "s.owner_received_at IS NOT NULL"),
        ("handoff_paper_received", "s.paper_received_at", owner_clerk, owner_clerk_name, "s.owning_hall_id",
         "s.owning_name || '已接收纸质原件'", "s.paper_received_at IS NOT NULL"),
        ("handoff_result_sent", "s.result_sent_at", owner_clerk, owner_clerk_name, "s.owning_hall_id",
         "'办理结果寄往' || s.receiving_name || '（邮政EMS，单号 9' || lpad(s.case_id::text, 12, '0') || '）'", "s.result_sent"),
        ("handoff_result_arrived", "s.result_arrived_at", result_clerk, result_clerk_name, "s.receiving_hall_id",
         "'办理结果已到达' || s.receiving_name || '（单号 9' || lpad(s.case_id::text, 12, '0') || '）'", "s.result_arrived"),
    ]  # fmt: skip

    def load_events(_):
        rows = 0
        for kind, at, actor, actor_name, hall, note, where in events:
            exprs = {
                "case_id": "s.case_id",
                "kind": f"'{kind}'",
                "actor_id": actor,
                "actor_name": actor_name,
                "hall_id": hall,
                "created_at": at,
                "note": note,
            }
            rows += insert_select(cursor, CaseEvent, exprs, f"gen_handoff_src s WHERE {where} ORDER BY {at}")
        return rows

    step("办件日志（通办移交）", load_events)

    buckets = "ARRAY[" + ", ".join(str(b) for b in TRANSIT_BUCKETS) + "]"

    def tallies(_):
        execute(cursor, "DELETE FROM cases_handofftally")  # counted again from every hand-off and leg
        rows = insert_select(
            cursor,
            HandoffTally,
            {
                "receiving_region_id": "receiving_region_id",
                "owning_region_id": "owning_region_id",
                "kind": "'handoff'",
                "bucket": "0",
                "count": "count(*)",
                "total_seconds": "0",
            },
            "cases_handoff GROUP BY receiving_region_id, owning_region_id",
        )
        rows += insert_select(
            cursor,
            HandoffTally,
            {
                "receiving_region_id": "t.receiving_region_id",
                "owning_region_id": "t.owning_region_id",
                "kind": "t.kind",
                "bucket": "t.bucket",
                "count": "count(*)",
                "total_seconds": "sum(t.seconds)",
            },
            f"""(SELECT x.receiving_region_id, x.owning_region_id, l.kind,
                    extract(epoch FROM l.received_at - l.sent_at)::bigint AS seconds,
                    (SELECT min(b) FROM unnest({buckets}) b
                     WHERE extract(epoch FROM l.received_at - l.sent_at) / 3600 <= b) AS bucket
                FROM cases_handoffleg l JOIN cases_handoff x ON x.id = l.handoff_id
                WHERE l.received_at IS NOT NULL) t
            GROUP BY t.receiving_region_id, t.owning_region_id, t.kind, t.bucket""",
        )
        return rows

    step("通办移交统计", tallies)


def _cases_update(cursor) -> int:
    return execute(
        cursor,
        """UPDATE cases_case c SET cross_area_mode = s.mode,
            custodian_hall_id = (CASE WHEN s.owner_received_at IS NULL OR s.result_arrived
                                      THEN s.receiving_hall_id ELSE s.owning_hall_id END),
            handed_to_hall_id = (CASE WHEN s.forwarded_at IS NOT NULL THEN s.owning_hall_id END),
            handoff_due = x.next_due,
            delivery_method = (CASE WHEN s.method = 'pickup' THEN c.delivery_method ELSE s.method END),
            delivery_recipient = (CASE WHEN s.method = 'post' THEN left(s.applicant_name, 50) ELSE c.delivery_recipient END),
            delivery_address = (CASE WHEN s.method = 'post' THEN a.address ELSE c.delivery_address END),
            delivery_mobile = (CASE WHEN s.method = 'post' THEN u.mobile ELSE c.delivery_mobile END)
        FROM gen_handoff_src s JOIN cases_handoff x ON x.case_id = s.case_id
        JOIN hall_user u ON u.id = s.applicant_id JOIN gen_address a ON a.k = mod(s.case_id, 200)
        WHERE c.id = s.case_id""",
    )
