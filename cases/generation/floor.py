"""The hall floor (取号、叫号、预约) around the generated cases, as hall/floor leaves it.

The halls get the demo opening hours and window seats when they have none. The queue tickets of the
counter cases (made with the cases) are filed under the window category of their item and numbered
per hall, day and category as the kiosk numbers them (A001…), served at a window of that category.
Bookings run from 30 days back to the booking horizon on working days: past ones kept (with the booked
ticket they were exchanged for, served), missed or cancelled; future ones active, in slots that count
them. Today's queue holds waiting walk-in, priority and booked tickets, one called and a missed one per
category, and the day's ticket counters continue after them."""

from __future__ import annotations

from django.apps import apps

from hall.floor.constants import BOOKING_HORIZON_DAYS, CATEGORY_LETTER
from hall.floor.demo import EXTRA_CATEGORIES, HOURS

from .sql import LOCAL, count, execute, insert_select

CATEGORIES = ["investment", "real_estate", "commercial", "social", "cross_area"]  # called at the counter
BOOKED_CATEGORIES = ["commercial", "social", "real_estate"]
BOOKINGS_PER_DAY = 6  # per hall and booked category
# The working-day slots of the demo hours: 08:30-12:00 and 14:30-17:30, 30 minutes each.
SLOTS = [f"{8 + (30 + 30 * i) // 60:02d}:{(30 + 30 * i) % 60:02d}" for i in range(7)] + [
    f"{14 + (30 + 30 * i) // 60:02d}:{(30 + 30 * i) % 60:02d}" for i in range(6)
]
TODAY = f"(now() AT TIME ZONE {LOCAL})::date"
EVENING_BEFORE = f"(((b.day - 1) + time '18:00') AT TIME ZONE {LOCAL})"  # the reminder, the evening before


def _letter(column: str) -> str:
    """The ticket letter of the window category in `column` (A investment … F result)."""
    return (
        f"(CASE {column} " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in CATEGORY_LETTER.items()) + " ELSE 'A' END)"
    )


def _local(day: str, time: str) -> str:
    return f"(({day} + {time}) AT TIME ZONE {LOCAL})"


def _hours(cursor) -> int:
    OpeningHours = apps.get_model("hall", "OpeningHours")
    WindowSeat = apps.get_model("hall", "WindowSeat")
    values = ", ".join(
        f"('{c}', '{d}', time '{s:%H:%M}', time '{e:%H:%M}', {m}, {cap}, {str(b).lower()})"
        for c, d, s, e, m, cap, b in HOURS
    )
    rows = insert_select(
        cursor,
        OpeningHours,
        {
            "hall_id": "h.id",
            "category": "v.category",
            "day_type": "v.day_type",
            "starts_at": "v.starts_at",
            "ends_at": "v.ends_at",
            "slot_minutes": "v.minutes",
            "capacity": "v.capacity",
            "booking_only": "v.booking_only",
        },
        f"""hall_hall h CROSS JOIN (VALUES {values}) AS v(category, day_type, starts_at, ends_at, minutes, capacity,
            booking_only) WHERE NOT EXISTS (SELECT 1 FROM hall_openinghours o WHERE o.hall_id = h.id)""",
    )
    extra = ", ".join(f"'{c}'" for c in EXTRA_CATEGORIES)
    rows += insert_select(
        cursor,
        WindowSeat,
        {
            "window_id": "w.id",
            "categories": f"(CASE WHEN w.category IN ({extra}) THEN to_jsonb(ARRAY[w.category::text, 'cross_area']) "
            "ELSE '[]'::jsonb END)",
        },
        "hall_window w WHERE NOT EXISTS (SELECT 1 FROM hall_windowseat s WHERE s.window_id = w.id)",
    )
    return rows


def _refile(cursor) -> int:
    """The counter cases' tickets under their item's window category, numbered as the kiosk does."""
    valid = ", ".join(f"'{c}'" for c in CATEGORY_LETTER)
    cursor.execute("DROP TABLE IF EXISTS gen_ticket_fix")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_ticket_fix AS
        SELECT t.id, t.hall_id, t.category,
               row_number() OVER (PARTITION BY t.hall_id, t.date, t.category ORDER BY t.issued_at, t.id) AS sequence
        FROM (SELECT DISTINCT ON (t.id) t.id, t.hall_id, t.date, t.issued_at,
                     coalesce(nullif(f.category, ''), 'commercial') AS category
              FROM hall_ticket t
              LEFT JOIN (SELECT c.receiving_hall_id AS hall_id, c.received_at::date AS day, mod(c.id, 100000) AS sequence,
                                v.window_category AS category
                         FROM cases_case c JOIN items_itemversion v ON v.id = c.item_version_id
                         WHERE c.channel = 'counter') f
                ON f.hall_id = t.hall_id AND f.day = t.date AND f.sequence = t.sequence
              WHERE t.category NOT IN ({valid})
              ORDER BY t.id) t"""
    )
    return execute(
        cursor,
        f"""UPDATE hall_ticket t SET category = f.category, sequence = f.sequence,
               number = {_letter("f.category")} || lpad(mod(f.sequence, 1000)::text, 3, '0'),
               window_id = (SELECT min(w.id) FROM hall_window w WHERE w.hall_id = f.hall_id AND w.category = f.category),
               clerk_id = (SELECT s.user_id FROM gen_staff s WHERE s.hall_id = f.hall_id AND s.role = 'window_clerk')
            FROM gen_ticket_fix f WHERE t.id = f.id""",
    )


def _bookings_source(cursor) -> int:
    """gen_booking: who books what, when, in which slot, and what became of it."""
    categories = ", ".join(f"'{c}'" for c in BOOKED_CATEGORIES)
    slots = ", ".join(f"time '{s}'" for s in SLOTS)
    cursor.execute("DROP TABLE IF EXISTS gen_booking, gen_citizen, gen_booking_item")
    cursor.execute(
        """CREATE TEMP TABLE gen_citizen AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id AS user_id
           FROM hall_user WHERE kind = 'person' AND is_active"""
    )
    cursor.execute("CREATE UNIQUE INDEX ON gen_citizen (k)")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_booking_item AS SELECT v.window_category AS category,
               row_number() OVER (PARTITION BY v.window_category ORDER BY i.id) - 1 AS k, i.id AS item_id, v.name
           FROM items_item i JOIN items_itemversion v ON v.id = i.current_version_id
           WHERE v.window_category IN ({categories})"""
    )
    citizens = count(cursor, "gen_citizen")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_booking AS
        SELECT row_number() OVER (ORDER BY d.day, h.id, c.category, n.n) AS k, h.id AS hall_id, c.category, d.day,
               (ARRAY[{slots}])[1 + mod(n.n * 2 + extract(doy FROM d.day)::int, {len(SLOTS)})] AS starts_at, n.n
        FROM hall_hall h
        CROSS JOIN unnest(ARRAY[{categories}]) AS c(category)
        CROSS JOIN generate_series({TODAY} - 30, {TODAY} + {BOOKING_HORIZON_DAYS}, interval '1 day') AS d0(day)
        CROSS JOIN LATERAL (SELECT d0.day::date AS day) d
        CROSS JOIN generate_series(0, {BOOKINGS_PER_DAY - 1}) AS n(n)
        WHERE (extract(isodow FROM d.day) < 6 AND NOT EXISTS (SELECT 1 FROM hall_workingday w
                   WHERE w.date = d.day AND w.kind = 'holiday'))
           OR EXISTS (SELECT 1 FROM hall_workingday w WHERE w.date = d.day AND w.kind = 'swap_workday')"""
    )
    cursor.execute(
        f"""ALTER TABLE gen_booking ADD COLUMN user_id bigint, ADD COLUMN item_id bigint, ADD COLUMN item_name text,
               ADD COLUMN state text, ADD COLUMN created_at timestamptz, ADD COLUMN slot_start timestamptz;
            UPDATE gen_booking b SET user_id = g.user_id, item_id = i.item_id, item_name = i.name,
               slot_start = {_local("b.day", "b.starts_at")},
               created_at = {_local("b.day", "b.starts_at")} - (1 + mod(b.k, 9)) * interval '1 day'
            FROM gen_citizen g, gen_booking_item i
            WHERE g.k = mod(b.k * 7919, {max(citizens, 1)}) AND i.category = b.category
              AND i.k = mod(b.k, (SELECT count(*) FROM gen_booking_item x WHERE x.category = b.category));
            DELETE FROM gen_booking WHERE user_id IS NULL;
            UPDATE gen_booking SET state = (CASE
               WHEN mod(k, 10) = 9 THEN 'cancelled'
               WHEN slot_start > now() THEN 'active'
               WHEN mod(k, 10) = 8 THEN 'no_show'
               ELSE 'kept' END);
            UPDATE gen_booking SET created_at = least(created_at, now() - interval '1 hour');
            -- One active booking per citizen and item (the booking rule): a later duplicate is not made.
            DELETE FROM gen_booking b USING gen_booking e WHERE b.state = 'active' AND e.state = 'active'
               AND e.user_id = b.user_id AND e.item_id = b.item_id AND e.k < b.k;
            ALTER TABLE gen_booking ADD COLUMN booking_id bigint;
            UPDATE gen_booking SET booking_id = nextval(pg_get_serial_sequence('hall_booking', 'id'))"""
    )
    return count(cursor, "gen_booking")


def _code(n: str) -> str:
    """An 8-digit booking code of the digits 2-9, unique per n (n < 8⁸)."""
    return " || ".join(f"substr('23456789', mod(({n}) / {8**i}, 8)::int + 1, 1)" for i in range(8))


def _bookings(cursor) -> int:
    Slot = apps.get_model("hall", "Slot")
    Booking = apps.get_model("hall", "Booking")
    rows = insert_select(
        cursor,
        Slot,
        {
            "hall_id": "b.hall_id",
            "category": "b.category",
            "date": "b.day",
            "starts_at": "b.starts_at",
            "ends_at": "(b.starts_at + interval '30 minutes')::time",
            "capacity": "4",
            "booked": "count(*) FILTER (WHERE b.state <> 'cancelled')",
            "booking_only": "false",
        },
        """gen_booking b WHERE NOT EXISTS (SELECT 1 FROM hall_slot s WHERE s.hall_id = b.hall_id
             AND s.category = b.category AND s.date = b.day AND s.starts_at = b.starts_at)
           GROUP BY b.hall_id, b.category, b.day, b.starts_at""",
    )
    rows += insert_select(
        cursor,
        Booking,
        {
            "id": "b.booking_id",
            "code": _code("b.booking_id + 1000"),
            "citizen_id": "b.user_id",
            "hall_id": "b.hall_id",
            "slot_id": "s.id",
            "category": "b.category",
            "date": "b.day",
            "starts_at": "b.starts_at",
            "item_id": "b.item_id",
            "item_name": "left(b.item_name, 200)",
            "state": "b.state",
            "created_at": "b.created_at",
            "cancelled_at": "(CASE WHEN b.state = 'cancelled' THEN least(b.created_at + interval '1 day', now()) END)",
            "reminded_at": "(CASE WHEN b.slot_start - interval '1 day' <= now() AND b.created_at < b.slot_start - interval '1 day' "
            f"THEN {EVENING_BEFORE} END)",
        },
        """gen_booking b JOIN hall_slot s ON s.hall_id = b.hall_id AND s.category = b.category AND s.date = b.day
             AND s.starts_at = b.starts_at
           WHERE NOT (b.state = 'active' AND EXISTS (SELECT 1 FROM hall_booking x WHERE x.citizen_id = b.user_id
             AND x.item_id = b.item_id AND x.state = 'active'))
           ORDER BY b.k""",
    )
    return rows


def _tickets(cursor) -> int:
    """Booked tickets of the kept bookings (served), and today's queue; the day's counters follow them."""
    Ticket = apps.get_model("hall", "Ticket")
    letter = _letter("q.category")
    cursor.execute("DROP TABLE IF EXISTS gen_queue")
    # Today's queue: per hall and category, 5 walk-ins waiting, one priority, one called, one missed.
    categories = ", ".join(f"'{c}'" for c in CATEGORIES)
    cursor.execute(
        f"""CREATE TEMP TABLE gen_queue AS
        SELECT 'booked' AS lane, b.hall_id, b.category, b.day AS date, b.user_id AS person_id, b.booking_id,
               'served' AS state, b.slot_start - interval '5 minutes' AS issued_at, b.slot_start + interval '5 minutes' AS called_at,
               b.k AS n
        FROM gen_booking b JOIN hall_booking x ON x.id = b.booking_id
        WHERE b.state = 'kept' AND b.slot_start + interval '20 minutes' <= now()
        UNION ALL
        SELECT (CASE WHEN n.n = 5 THEN 'priority' ELSE 'walk_in' END), h.id, c.category, {TODAY}, g.user_id, NULL,
               (CASE WHEN n.n = 6 THEN 'called' WHEN n.n = 7 THEN 'missed' ELSE 'waiting' END),
               least(now(), {_local(TODAY, "time '08:40'")} + n.n * interval '6 minutes'),
               (CASE WHEN n.n >= 6 THEN least(now(), {_local(TODAY, "time '08:50'")} + n.n * interval '6 minutes') END),
               n.n
        FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS r FROM hall_hall) h
        CROSS JOIN unnest(ARRAY[{categories}]) WITH ORDINALITY AS c(category, o)
        CROSS JOIN generate_series(0, 7) AS n(n)
        -- a different person for every ticket of the day (one waiting ticket per person and category)
        JOIN gen_citizen g ON g.k = mod((h.r * {len(CATEGORIES)} + c.o - 1) * 8 + n.n, (SELECT count(*) FROM gen_citizen))
        WHERE extract(isodow FROM {TODAY}) < 6"""
    )
    cursor.execute(
        """ALTER TABLE gen_queue ADD COLUMN sequence bigint;
           UPDATE gen_queue q SET sequence = r.sequence FROM (
               SELECT q.ctid AS row_id, coalesce((SELECT max(t.sequence) FROM hall_ticket t WHERE t.hall_id = q.hall_id
                      AND t.date = q.date AND t.category = q.category), 0)
                      + row_number() OVER (PARTITION BY q.hall_id, q.date, q.category ORDER BY q.issued_at, q.n) AS sequence
               FROM gen_queue q) r
           WHERE q.ctid = r.row_id"""
    )
    prefix = "(CASE q.lane WHEN 'priority' THEN 'V' WHEN 'booked' THEN 'Y' ELSE '' END)"
    window = "(SELECT min(id) FROM hall_window w WHERE w.hall_id = q.hall_id AND w.category = q.category)"
    clerk = "(SELECT user_id FROM gen_staff s WHERE s.hall_id = q.hall_id AND s.role = 'window_clerk')"
    called = "q.state <> 'waiting'"
    rows = insert_select(
        cursor,
        Ticket,
        {
            "hall_id": "q.hall_id",
            "date": "q.date",
            "category": "q.category",
            "lane": "q.lane",
            "rank": "(CASE q.lane WHEN 'priority' THEN 0 WHEN 'booked' THEN 1 ELSE 2 END)",
            "sequence": "q.sequence",
            "number": f"{prefix} || {letter} || lpad(mod(q.sequence, 1000)::text, 3, '0')",
            "person_id": "q.person_id",
            "booking_id": "q.booking_id",
            "priority_reason": "(CASE WHEN q.lane = 'priority' THEN 'elderly' ELSE '' END)",
            "state": "q.state",
            "issued_at": "q.issued_at",
            "called_at": f"(CASE WHEN {called} THEN q.called_at END)",
            "last_called_at": f"(CASE WHEN {called} THEN q.called_at END)",
            "call_count": f"(CASE WHEN q.state = 'missed' THEN 3 WHEN {called} THEN 1 ELSE 0 END)",
            "served_at": "(CASE WHEN q.state = 'served' THEN q.called_at + interval '1 minute' END)",
            "closed_at": "(CASE WHEN q.state IN ('served', 'missed') THEN q.called_at + interval '12 minutes' END)",
            "window_id": f"(CASE WHEN {called} THEN {window} END)",
            "clerk_id": f"(CASE WHEN {called} THEN {clerk} END)",
            "wait_seconds": f"(CASE WHEN {called} THEN extract(epoch FROM q.called_at - q.issued_at)::int END)",
            "service_seconds": "(CASE WHEN q.state = 'served' THEN 660 END)",
        },
        "gen_queue q ORDER BY q.issued_at, q.n",
    )
    execute(
        cursor,
        f"""INSERT INTO hall_ticketsequence (hall_id, date, category, last)
            SELECT hall_id, date, category, max(sequence) FROM hall_ticket WHERE date >= {TODAY}
            GROUP BY hall_id, date, category
            ON CONFLICT (hall_id, date, category) DO UPDATE SET last = greatest(hall_ticketsequence.last, excluded.last)""",
    )
    return rows


def generate(cursor, step) -> None:
    step("开放时间、窗口叫号设置", lambda _: _hours(cursor))
    step("排队号（按窗口类别编号）", lambda _: _refile(cursor))
    step("预约（待生成）", lambda _: _bookings_source(cursor), counted=False)
    step("预约时段、预约", lambda _: _bookings(cursor))
    step("排队号（预约取号、今日排队）", lambda _: _tickets(cursor))
