"""Ratings (好差评) of the generated services, as evaluation/services leave them.

The rateable services are what `services_collect` would have found: each delivered matter (一事一评,
answered for by the deciding department), each pickup at a result window and each served queue ticket
(一次一评). About two in five are rated within the hall's window, the others count as 未评价 once it
closes (those still inside it hold their invitation token). About 2.5 % of the ratings are bad: each
opens its rectification ticket with the ledger steps a supervisor sees: open or under appeal (clocks
running, some overdue), rectified and waiting for the rater's follow-up, closed by the follow-up, or
voided by an upheld appeal. The ratings summary (FigureRow) is summed from all of it, and the
collection watermarks are set past the generated history so the beat does not collect it again."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

from .sql import LOCAL, copy_rows, count, execute, insert_select

LEVEL_LABELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
CATEGORY_LABELS = {
    "investment": "投资项目",
    "real_estate": "不动产登记",
    "commercial": "商事登记",
    "social": "社会事务",
    "cross_area": "全市通办专窗",
    "result": "统一出件",
}
# How the first ratings spread over the five levels, in thousandths (cumulative): 2.5 % bad.
LEVEL_CUTS = [(700, 1), (900, 2), (975, 3), (990, 4), (1000, 5)]


def _tags(cursor) -> None:
    from evaluation.reasons import reason_tags

    rows = [(level, n, tag.code, tag.label) for level, tags in reason_tags().items() for n, tag in enumerate(tags)]
    copy_rows(cursor, "gen_tag", "level int, n int, code text, label text", rows)
    cursor.execute("CREATE UNIQUE INDEX ON gen_tag (level, n)")


def _services(cursor) -> int:
    window_days = int(getattr(settings, "TONGBAN_RATING_WINDOW_DAYS", 15))
    labels = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in CATEGORY_LABELS.items())
    cursor.execute("DROP TABLE IF EXISTS gen_service")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_service AS
        SELECT nextval(pg_get_serial_sequence('evaluation_service', 'id')) AS id, x.* FROM (
          SELECT 'matter' AS kind, 'matter:' || c.id AS source_key, c.applicant_id, c.id AS case_id,
                 a.user_id AS clerk_id, NULL::int AS window_id, c.owning_department_id AS department_id,
                 c.receiving_hall_id AS hall_id, v.item_id, left(v.name, 200) AS title,
                 c.decided_at + interval '3 days' AS finished_at, c.id AS seed
          FROM cases_case c JOIN items_itemversion v ON v.id = c.item_version_id
          LEFT JOIN gen_approver a ON a.department_id = c.owning_department_id
          WHERE c.state IN ('delivered', 'archived') AND c.decided_at IS NOT NULL
          UNION ALL
          SELECT 'pickup', 'pickup:' || c.id, c.applicant_id, c.id, s.user_id, w.window_id, c.owning_department_id,
                 o.hall_id, v.item_id, left(v.name, 200), o.delivered_at, c.id + 7
          FROM delivery_deliveryorder o JOIN cases_case c ON c.id = o.case_id
          JOIN items_itemversion v ON v.id = c.item_version_id
          LEFT JOIN gen_staff s ON s.hall_id = o.hall_id AND s.role = 'result_clerk'
          LEFT JOIN gen_result_window w ON w.hall_id = o.hall_id
          WHERE o.method = 'pickup' AND o.delivered_at IS NOT NULL
          UNION ALL
          SELECT 'ticket', 'ticket:' || t.id, t.person_id, NULL, coalesce(t.clerk_id, s.user_id), t.window_id, NULL,
                 t.hall_id, NULL, left(t.number || ' ' || (CASE t.category {labels} ELSE '窗口服务' END), 200),
                 t.served_at, t.id + 13
          FROM hall_ticket t LEFT JOIN gen_staff s ON s.hall_id = t.hall_id AND s.role = 'window_clerk'
          WHERE t.state = 'served' AND t.served_at IS NOT NULL
        ) x
        WHERE NOT EXISTS (SELECT 1 FROM evaluation_service e WHERE e.source_key = x.source_key)
        ORDER BY x.finished_at"""
    )
    # Who rates, when, how: a hash of the source row decides, so a rerun tells the same story.
    cut = " ".join(f"WHEN mod(seed * 104729, 1000) < {limit} THEN {level}" for limit, level in LEVEL_CUTS)
    cursor.execute(
        f"""ALTER TABLE gen_service ADD COLUMN rating_due timestamptz, ADD COLUMN month date,
               ADD COLUMN rated_at timestamptz, ADD COLUMN unrated_at timestamptz, ADD COLUMN level int,
               ADD COLUMN anonymous boolean, ADD COLUMN rating_id bigint;
            UPDATE gen_service SET rating_due = finished_at + interval '{window_days} days',
               month = date_trunc('month', finished_at AT TIME ZONE {LOCAL})::date,
               rated_at = (CASE WHEN mod(seed * 7919, 5) < 2 THEN finished_at + (1 + mod(seed, 72)) * interval '1 hour' END),
               level = (CASE {cut} END),
               anonymous = mod(seed, 5) = 0;
            UPDATE gen_service SET rated_at = NULL WHERE rated_at > now() OR rated_at >= rating_due;
            UPDATE gen_service SET unrated_at = rating_due WHERE rated_at IS NULL AND rating_due <= now();
            UPDATE gen_service SET rating_id = nextval(pg_get_serial_sequence('evaluation_rating', 'id'))
            WHERE rated_at IS NOT NULL"""
    )
    cursor.execute("CREATE UNIQUE INDEX ON gen_service (id)")
    cursor.execute("ANALYZE gen_service")
    return count(cursor, "gen_service")


def _tickets(cursor) -> int:
    """The rectification story of each bad rating, by its age and a hash (see the module docstring)."""
    fix_days = int(getattr(settings, "TONGBAN_RECTIFICATION_DAYS", 5))
    cursor.execute("DROP TABLE IF EXISTS gen_ticket")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_ticket AS
        SELECT nextval(pg_get_serial_sequence('evaluation_rectificationticket', 'id')) AS id, s.rating_id,
               s.id AS service_id, s.hall_id, s.department_id, s.clerk_id, s.window_id, s.seed, s.level,
               s.applicant_id AS rater_id, NOT s.anonymous AND s.applicant_id IS NOT NULL AS named,
               s.rated_at AS opened_at, (s.rated_at AT TIME ZONE {LOCAL})::date AS opened_on,
               coalesce(a.user_id, sup.user_id) AS handler_id, coalesce(a.name, sup.name) AS handler_name,
               sup.user_id AS supervisor_id, sup.name AS supervisor_name,
               mod(s.seed * 31, 100) AS h
        FROM gen_service s
        LEFT JOIN gen_approver a ON a.department_id = s.department_id
        LEFT JOIN gen_staff sup ON sup.hall_id = s.hall_id AND sup.role = 'supervisor'
        WHERE s.rating_id IS NOT NULL AND s.level >= 4
        ORDER BY s.rated_at"""
    )
    cursor.execute(
        f"""ALTER TABLE gen_ticket ADD COLUMN state text, ADD COLUMN callback_due date, ADD COLUMN fix_due date,
               ADD COLUMN called_back_at timestamptz, ADD COLUMN rectified_at timestamptz, ADD COLUMN closed_at timestamptz,
               ADD COLUMN appealed_at timestamptz;
            UPDATE gen_ticket SET
               callback_due = (CASE WHEN named THEN opened_on + (CASE extract(isodow FROM opened_on) WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END) END),
               fix_due = opened_on + {fix_days} + 2,
               state = (CASE WHEN opened_at < now() - interval '20 days'
                    THEN (CASE WHEN h < 55 THEN 'closed' WHEN h < 92 THEN 'rectified' WHEN h < 97 THEN 'voided' ELSE 'closed' END)
                    ELSE (CASE WHEN h < 35 THEN 'open' WHEN h < 45 THEN 'appealing' WHEN h < 80 THEN 'rectified' ELSE 'closed' END) END);
            -- Only the rater closes a ticket by rating again: a rater the hall does not know cannot.
            UPDATE gen_ticket SET state = 'rectified' WHERE state = 'closed' AND rater_id IS NULL;
            UPDATE gen_ticket SET
               called_back_at = (CASE WHEN named AND (state <> 'open' OR mod(h, 2) = 0) THEN least(opened_at + interval '3 hours', now()) END),
               appealed_at = (CASE WHEN state IN ('appealing', 'voided') THEN least(opened_at + interval '1 day', now()) END),
               rectified_at = (CASE WHEN state IN ('rectified', 'closed')
                    THEN least(opened_at + (4 + mod(seed, 140)) * interval '1 hour', now()) END);
            UPDATE gen_ticket SET closed_at = (CASE
               WHEN state = 'closed' THEN least(rectified_at + interval '2 days', now())
               WHEN state = 'voided' THEN appealed_at + interval '2 days' END)"""
    )
    return count(cursor, "gen_ticket")


def generate(cursor, step) -> None:
    Service = apps.get_model("evaluation", "Service")
    Rating = apps.get_model("evaluation", "Rating")
    RatingToken = apps.get_model("evaluation", "RatingToken")
    Ticket = apps.get_model("evaluation", "RectificationTicket")
    TicketStep = apps.get_model("evaluation", "TicketStep")
    Appeal = apps.get_model("evaluation", "Appeal")
    _tags(cursor)
    step("评价服务（待生成）", lambda _: _services(cursor), counted=False)
    step(
        "评价服务",
        lambda _: insert_select(
            cursor,
            Service,
            {
                "id": "s.id",
                "kind": "s.kind",
                "source_key": "s.source_key",
                "applicant_id": "s.applicant_id",
                "case_id": "s.case_id",
                "clerk_id": "s.clerk_id",
                "window_id": "s.window_id",
                "department_id": "s.department_id",
                "hall_id": "s.hall_id",
                "item_id": "s.item_id",
                "title": "s.title",
                "finished_at": "s.finished_at",
                "month": "s.month",
                "rating_due": "s.rating_due",
                "rated_at": "s.rated_at",
                "unrated_at": "s.unrated_at",
                "created_at": "s.finished_at",
            },
            "gen_service s ORDER BY s.id",
        ),
    )
    channel = """(CASE WHEN s.kind = 'matter' THEN (CASE mod(s.seed, 3) WHEN 0 THEN 'pc' WHEN 1 THEN 'mobile' ELSE 'sms' END)
        WHEN s.kind = 'pickup' THEN 'tablet' ELSE (CASE WHEN mod(s.seed, 2) = 0 THEN 'tablet' ELSE 'qr' END) END)"""
    tag = "jsonb_build_array(jsonb_build_object('code', t.code, 'label', t.label))"
    level_label = "(CASE {level} " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in LEVEL_LABELS.items()) + " END)"

    def ratings(_):
        rows = insert_select(
            cursor,
            Rating,
            {
                "id": "s.rating_id",
                "service_id": "s.id",
                "kind": "'first'",
                "level": "s.level",
                "level_label": level_label.format(level="s.level"),
                "tags": f"(CASE WHEN s.level >= 3 OR mod(s.seed, 3) = 0 THEN {tag} ELSE '[]'::jsonb END)",
                "text": "(CASE WHEN s.level >= 4 THEN '办理过程中' || t.label || '，希望改进。' ELSE '' END)",
                "anonymous": "s.anonymous",
                "rater_id": "s.applicant_id",
                "channel": channel,
                "created_at": "s.rated_at",
            },
            "gen_service s JOIN gen_tag t ON t.level = s.level AND t.n = mod(s.seed, 8) "
            "WHERE s.rating_id IS NOT NULL ORDER BY s.rating_id",
        )
        step("差评整改工单（待生成）", lambda _: _tickets(cursor), counted=False)
        # The rater's follow-up that closed a ticket takes the first rating's place in the figures.
        rows += insert_select(
            cursor,
            Rating,
            {
                "service_id": "k.service_id",
                "kind": "'follow_up'",
                "level": "(CASE WHEN mod(k.seed, 4) = 0 THEN 3 ELSE 2 END)",
                "level_label": "(CASE WHEN mod(k.seed, 4) = 0 THEN '基本满意' ELSE '满意' END)",
                "anonymous": "false",
                "rater_id": "k.rater_id",
                "channel": "'sms'",
                "created_at": "k.closed_at",
            },
            "gen_ticket k WHERE k.state = 'closed' ORDER BY k.closed_at",
        )
        return rows

    step("评价", ratings)
    step("差评整改工单", lambda _: _ticket_rows(cursor, Ticket))
    step("整改台账、申诉", lambda _: _ledger(cursor, TicketStep, Appeal, level_label))

    def tokens(_):
        rows = insert_select(
            cursor,
            RatingToken,
            {
                "token": "md5(s.source_key || 'invitation')",
                "service_id": "s.id",
                "purpose": "'invitation'",
                "channel": "'sms'",
                "created_at": "s.finished_at",
                "expires_at": "s.rating_due",
            },
            "gen_service s WHERE s.rated_at IS NULL AND s.unrated_at IS NULL AND s.applicant_id IS NOT NULL",
        )
        rows += insert_select(
            cursor,
            RatingToken,
            {
                "token": "md5(k.id || 'follow_up')",
                "service_id": "k.service_id",
                "purpose": "'follow_up'",
                "channel": "'sms'",
                "created_at": "k.rectified_at",
                "expires_at": "k.rectified_at + interval '15 days'",
            },
            "gen_ticket k WHERE k.state = 'rectified' AND k.rater_id IS NOT NULL AND k.rectified_at > now() - interval '15 days'",
        )
        return rows

    step("评价令牌（评价期内）", tokens)
    step("评价统计（公示）", lambda _: _figures(cursor))
    _watermarks(cursor)


def _ticket_rows(cursor, Ticket) -> int:
    open_ = "k.state IN ('open', 'appealing')"
    next_due = f"(CASE WHEN {open_} THEN least(CASE WHEN k.named AND k.called_back_at IS NULL THEN k.callback_due END, k.fix_due) END)"
    today = f"(now() AT TIME ZONE {LOCAL})::date"
    level = f"""(CASE WHEN NOT {open_} THEN 'none' WHEN {next_due} < {today} THEN 'overdue' WHEN {next_due} = {today} THEN 'red'
        WHEN {next_due} <= {today} + 1 THEN 'yellow' ELSE 'green' END)"""
    rectified_on = f"(k.rectified_at AT TIME ZONE {LOCAL})::date"
    return insert_select(
        cursor,
        Ticket,
        {
            "id": "k.id",
            "rating_id": "k.rating_id",
            "service_id": "k.service_id",
            "state": "k.state",
            "hall_id": "k.hall_id",
            "department_id": "k.department_id",
            "clerk_id": "k.clerk_id",
            "window_id": "k.window_id",
            "named": "k.named",
            "opened_at": "k.opened_at",
            "opened_on": "k.opened_on",
            "callback_due": "k.callback_due",
            "called_back_at": "k.called_back_at",
            "callback_note": "(CASE WHEN k.called_back_at IS NOT NULL THEN '已电话回访评价人，了解不满意的原因。' ELSE '' END)",
            "fix_due": "k.fix_due",
            "rectified_at": "k.rectified_at",
            "outcome": "(CASE WHEN k.rectified_at IS NULL THEN '' WHEN mod(k.seed, 5) = 0 THEN 'explained' ELSE 'fixed' END)",
            "outcome_note": "(CASE WHEN k.rectified_at IS NULL THEN '' WHEN mod(k.seed, 5) = 0 "
            "THEN '诉求无法律依据，已向评价人解释说明。' ELSE '已对窗口人员进行提醒，优化办事指引。' END)",
            "rectify_days": f"(CASE WHEN k.rectified_at IS NOT NULL THEN (({rectified_on} - k.opened_on) * 5 / 7)::int END)",
            "closed_at": "k.closed_at",
            "warning_level": level,
            "next_due": next_due,
            "ever_overdue": f"({level} = 'overdue' OR coalesce({rectified_on} > k.fix_due, false))",
        },
        "gen_ticket k ORDER BY k.id",
    )


def _ledger(cursor, TicketStep, Appeal, level_label) -> int:
    steps = [
        # (kind, when, actor, actor name, note, where)
        ("opened", "k.opened_at", "NULL", "'系统'",
         level_label.format(level="k.level") + " || '：' || t.label", "TRUE"),
        ("called_back", "k.called_back_at", "k.handler_id", "k.handler_name", "'已电话回访评价人，了解不满意的原因。'",
         "k.called_back_at IS NOT NULL"),
        ("appealed", "k.appealed_at", "k.handler_id", "k.handler_name", "'评价内容与办理事实不符，申请核实。'",
         "k.appealed_at IS NOT NULL"),
        ("appeal_upheld", "k.closed_at", "k.supervisor_id", "k.supervisor_name", "'经核实，评价与事实不符，申诉成立。'",
         "k.state = 'voided'"),
        ("rectified", "k.rectified_at", "k.handler_id", "k.handler_name", "'已对窗口人员进行提醒，优化办事指引。'",
         "k.rectified_at IS NOT NULL AND mod(k.seed, 5) <> 0"),
        ("explained", "k.rectified_at", "k.handler_id", "k.handler_name", "'诉求无法律依据，已向评价人解释说明。'",
         "k.rectified_at IS NOT NULL AND mod(k.seed, 5) = 0"),
        ("reported", "k.rectified_at + interval '1 minute'", "k.handler_id", "k.handler_name",
         "'已通知评价人，并邀请其追加评价'", "k.rectified_at IS NOT NULL"),
        ("followed_up", "k.closed_at", "k.rater_id", "coalesce(nullif(u.real_name, ''), u.username, '')",
         "(CASE WHEN mod(k.seed, 4) = 0 THEN '基本满意' ELSE '满意' END)", "k.state = 'closed'"),
    ]  # fmt: skip
    rows = 0
    for kind, at, actor, actor_name, note, where in steps:
        rows += insert_select(
            cursor,
            TicketStep,
            {
                "ticket_id": "k.id",
                "kind": f"'{kind}'",
                "actor_id": actor,
                "actor_name": f"coalesce({actor_name}, '')",
                "note": note,
                "created_at": at,
            },
            f"""gen_ticket k JOIN gen_tag t ON t.level = k.level AND t.n = mod(k.seed, 8)
                LEFT JOIN hall_user u ON u.id = k.rater_id WHERE {where} ORDER BY {at}""",
        )
    rows += insert_select(
        cursor,
        Appeal,
        {
            "ticket_id": "k.id",
            "filed_by_id": "k.handler_id",
            "reason": "'评价内容与办理事实不符，申请核实。'",
            "filed_at": "k.appealed_at",
            "decision": "(CASE WHEN k.state = 'voided' THEN 'upheld' ELSE '' END)",
            "decided_by_id": "(CASE WHEN k.state = 'voided' THEN k.supervisor_id END)",
            "decision_reasons": "(CASE WHEN k.state = 'voided' THEN '经核实，评价与事实不符，申诉成立。' ELSE '' END)",
            "decided_at": "(CASE WHEN k.state = 'voided' THEN k.closed_at END)",
        },
        "gen_ticket k WHERE k.appealed_at IS NOT NULL AND k.handler_id IS NOT NULL ORDER BY k.id",
    )
    return rows


def _figures(cursor) -> int:
    """The ratings summary (public figures, 双归零, the monthly assessment) summed again from all the
    services, ratings and tickets, generated or not: the same sums the data migration starts from."""
    from evaluation.services.figures import figures_rebuild

    return figures_rebuild(cursor)


def _watermarks(cursor) -> None:
    """`services_collect` continues after the generated history instead of collecting it again."""
    # The served tickets' watermark is microseconds since the Unix epoch (evaluation/services/tickets.py).
    execute(
        cursor,
        """INSERT INTO evaluation_collectwatermark (source, last_id, updated_at)
           SELECT 'case_events', coalesce(max(id), 0), now() FROM cases_caseevent
           UNION ALL
           SELECT 'served_tickets', coalesce((extract(epoch FROM max(served_at)) * 1000000)::bigint, 0), now()
           FROM hall_ticket WHERE state = 'served'
           ON CONFLICT (source) DO UPDATE SET last_id = greatest(evaluation_collectwatermark.last_id, excluded.last_id),
               updated_at = now()""",
    )
