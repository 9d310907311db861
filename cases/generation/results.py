"""Results, e-certificates and delivery of the generated decided cases, as delivery/services leave them.

Every decided case but a few just decided has its result produced (`result_produced` event): a granted
one its result document and its e-certificate (numbered per county and year; an earlier certificate of
the same kind and holder superseded), a denied one its denial as the result. Its delivery order follows
the way the applicant chose: paper results are handed to the hall's result window in signed batches per
department, hall and day, then picked up, or posted with carrier and tracking (a few letters returned);
electronic results are downloadable. Delivered and archived cases have their proof of delivery
(送达回证, document and row); undelivered ones are in every state of the result window, including
results waiting for pickup. The archive step seals each archived case's package (GB/T 42727)."""

from __future__ import annotations

from django.apps import apps

from .sql import LOCAL, copy_rows, count, encrypted, execute, insert_select
from .story import chosen_method, moment, result_stage, stage_at_least

ORDER_STATE = """(CASE s.stage WHEN 'returned' THEN 'at_window' ELSE s.stage END)"""
ELECTRONIC_PLACE = "通办网上办事平台（首次下载）"


def _choices(cursor) -> int:
    """The delivery choice of the cases received in the owning county (hand-offs set their own)."""
    return execute(
        cursor,
        f"""UPDATE cases_case c SET delivery_method = m.method,
              delivery_recipient = (CASE WHEN m.method = 'post' THEN left(c.applicant_name, 50) ELSE '' END),
              delivery_address = (CASE WHEN m.method = 'post' THEN a.address ELSE '' END),
              delivery_mobile = (CASE WHEN m.method = 'post' THEN u.mobile ELSE '' END)
            FROM (SELECT c.id, {chosen_method("c")} AS method FROM cases_case c
                  WHERE c.cross_area_mode = '' AND c.delivery_method = '' AND c.number IS NOT NULL) m,
                 hall_user u, gen_address a
            WHERE c.id = m.id AND m.method <> 'pickup' AND u.id = c.applicant_id AND a.k = mod(c.id, 200)""",
    )


def _source(cursor) -> int:
    stage = result_stage("c")
    moments = ", ".join(
        f"{moment(name)} AS {name}_at"
        for name in ("produced", "handed", "at_window", "posted", "returned", "delivered", "archived")
    )
    cursor.execute("DROP TABLE IF EXISTS gen_result_src")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_result_src AS
        SELECT c.id AS case_id, c.state, c.number, c.applicant_id, c.applicant_name, c.enterprise_id,
               c.receiving_hall_id, c.owning_department_id, c.delivery_due, c.decided_at,
               c.delivery_address, c.delivery_recipient, c.delivery_mobile,
               coalesce(nullif(c.delivery_method, ''), 'pickup') AS method, {stage} AS stage,
               (CASE coalesce(nullif(c.delivery_method, ''), 'pickup')
                    WHEN 'pickup' THEN coalesce(c.delivery_hall_id, c.receiving_hall_id)
                    WHEN 'post' THEN coalesce(c.handed_to_hall_id, c.receiving_hall_id)
                    ELSE c.receiving_hall_id END) AS order_hall_id,
               c.state <> 'denied' AS granted, v.result_name, v.name AS item_name, v.item_id, b.base_code,
               d.name AS department_name, d.credit_code AS department_code, r.code AS region_code,
               {moments}
        FROM cases_case c
        JOIN items_itemversion v ON v.id = c.item_version_id
        JOIN items_item i ON i.id = v.item_id
        LEFT JOIN items_baseitem b ON b.id = i.base_item_id
        LEFT JOIN hall_department d ON d.id = c.owning_department_id
        LEFT JOIN hall_region r ON r.id = d.region_id
        WHERE c.state IN ('approved', 'denied', 'delivered', 'archived') AND c.decided_at IS NOT NULL
          AND c.item_version_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM delivery_deliveryorder o WHERE o.case_id = c.id)"""
    )
    cursor.execute("DELETE FROM gen_result_src WHERE stage = 'unproduced'")
    cursor.execute("CREATE UNIQUE INDEX ON gen_result_src (case_id)")
    cursor.execute("ANALYZE gen_result_src")
    return count(cursor, "gen_result_src")


def _places(cursor) -> None:
    """gen_place: each hall's result window as an encrypted place of delivery; the online platform."""
    cursor.execute("SELECT hall_id, label FROM gen_result_window")
    rows = [(hall, encrypted("delivery.DeliveryProof", "place", label, cursor.db)) for hall, label in cursor.fetchall()]
    rows.append((0, encrypted("delivery.DeliveryProof", "place", ELECTRONIC_PLACE, cursor.db)))
    copy_rows(cursor, "gen_place", "hall_id int PRIMARY KEY, place text", rows)


def _enterprise_codes(cursor) -> None:
    """gen_holder_code: each enterprise's credit code encrypted and blind-indexed (certificate holders)."""
    from hall.crypto import blind_index

    cursor.execute("SELECT id, credit_code FROM hall_enterprise")
    rows = [
        (pk, encrypted("delivery.Certificate", "holder_code", code, cursor.db), blind_index(code))
        for pk, code in cursor.fetchall()
    ]
    copy_rows(cursor, "gen_holder_code", "enterprise_id int PRIMARY KEY, code text, code_index text", rows)


def generate(cursor, step) -> None:
    Document = apps.get_model("cases", "Document")
    Certificate = apps.get_model("delivery", "Certificate")
    ResultHandover = apps.get_model("delivery", "ResultHandover")
    DeliveryOrder = apps.get_model("delivery", "DeliveryOrder")
    DeliveryProof = apps.get_model("delivery", "DeliveryProof")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Notice = apps.get_model("hall", "Notice")
    NoticeDelivery = apps.get_model("hall", "NoticeDelivery")

    from .handoffs import address_table

    address_table(cursor)
    step("办件（送达方式）", lambda _: _choices(cursor))
    step("办理结果（已制证的办件）", lambda _: _source(cursor), counted=False)
    _places(cursor)
    _enterprise_codes(cursor)

    def documents(_):
        rows = insert_select(
            cursor,
            Document,
            {
                "number": "'〔' || to_char(s.produced_at, 'YYYY') || '〕压证字第' || s.case_id || '号'",
                "kind": "'result'",
                "case_id": "s.case_id",
                "title": "left(s.result_name, 60)",
                "issuer_name": "coalesce(s.department_name, '')",
                "issued_on": f"(s.produced_at AT TIME ZONE {LOCAL})::date",
                "issued_at": "s.produced_at",
                "file": "'documents/bench/result-' || s.case_id || '.pdf'",
                "sha256": "encode(sha256(('result' || s.case_id)::bytea), 'hex')",
                "token": "md5(s.case_id::text || 'result')",
            },
            "gen_result_src s WHERE s.granted ORDER BY s.produced_at",
        )
        rows += insert_select(
            cursor,
            Document,
            {
                "number": "'〔' || to_char(s.delivered_at, 'YYYY') || '〕压送字第' || s.case_id || '号'",
                "kind": "'delivery_proof'",
                "case_id": "s.case_id",
                "title": "'送达回证'",
                "issuer_name": "h.name",
                "issued_on": f"(s.delivered_at AT TIME ZONE {LOCAL})::date",
                "issued_at": "s.delivered_at",
                "file": "'documents/bench/proof-' || s.case_id || '.pdf'",
                "sha256": "encode(sha256(('proof' || s.case_id)::bytea), 'hex')",
                "token": "md5(s.case_id::text || 'proof')",
            },
            "gen_result_src s JOIN hall_hall h ON h.id = s.order_hall_id "
            "WHERE s.stage IN ('delivered', 'archived') ORDER BY s.delivered_at",
        )
        cursor.execute(
            """CREATE TEMP TABLE gen_result_doc AS SELECT d.case_id, d.kind, d.id FROM cases_document d
               JOIN gen_result_src s ON s.case_id = d.case_id WHERE d.kind IN ('result', 'delivery_proof')"""
        )
        cursor.execute("CREATE UNIQUE INDEX ON gen_result_doc (case_id, kind)")
        cursor.execute("ANALYZE gen_result_doc")
        return rows

    step("文书（结果、送达回证）", documents)
    step("电子证照", lambda _: _certificates(cursor, Certificate))
    step("出件交接", lambda _: _handovers(cursor, ResultHandover))

    def notices(_):
        # The notices of results still waiting for the applicant: electronic results to download
        # (the order keeps it: reading it delivers) and results at the window to collect.
        cursor.execute(
            """ALTER TABLE gen_result_src ADD COLUMN notice_id bigint;
               UPDATE gen_result_src SET notice_id = nextval(pg_get_serial_sequence('hall_notice', 'id'))
               WHERE stage = 'available' OR (stage IN ('at_window', 'returned') AND method = 'pickup')"""
        )
        rows = insert_select(
            cursor,
            Notice,
            {
                "id": "s.notice_id",
                "recipient_id": "s.applicant_id",
                "kind": "(CASE WHEN s.stage = 'available' THEN 'result_electronic' ELSE 'result_ready' END)",
                "subject": "(CASE WHEN s.stage = 'available' THEN '办理结果可下载：' ELSE '请到出件窗口领取：' END) || s.item_name",
                "body": "'办件 ' || s.number || (CASE WHEN s.stage = 'available' THEN ' 的办理结果已电子送达，请在办件详情中下载。'"
                " ELSE ' 的办理结果已到出件窗口，请携带本人身份证件领取。' END)",
                "link": "'/cases/' || s.case_id || '/'",
                "case_number": "s.number",
                "created_at": "(CASE WHEN s.stage = 'available' THEN s.produced_at ELSE s.at_window_at END)",
            },
            "gen_result_src s WHERE s.notice_id IS NOT NULL ORDER BY s.notice_id",
        )
        rows += insert_select(
            cursor,
            NoticeDelivery,
            {"notice_id": "s.notice_id", "channel": "'inbox'", "status": "'sent'", "attempts": "1",
             "sent_at": "n.created_at"},
            "gen_result_src s JOIN hall_notice n ON n.id = s.notice_id",
        )  # fmt: skip
        return rows

    step("通知（待领取、可下载）", notices)
    step("送达单", lambda _: _orders(cursor, DeliveryOrder))
    step("送达回证", lambda _: _proofs(cursor, DeliveryProof))
    step("办件日志（制证、交接、寄递）", lambda _: _events(cursor, CaseEvent))


def _certificates(cursor, Certificate) -> int:
    """A certificate per granted result, numbered region + year + 7-digit yearly sequence; the numbering
    counters continue after them. A holder's earlier certificate of the same kind is superseded."""
    cursor.execute(
        f"""CREATE TEMP TABLE gen_certificate AS
        SELECT s.case_id, nextval(pg_get_serial_sequence('delivery_certificate', 'id')) AS id, doc.id AS document_id,
               (s.produced_at AT TIME ZONE {LOCAL})::date AS issued_on, s.produced_at, s.result_name, s.base_code,
               s.item_name, s.department_name, s.department_code, coalesce(s.region_code, '000000') AS region_code,
               (CASE WHEN s.enterprise_id IS NOT NULL THEN e.name ELSE coalesce(nullif(u.real_name, ''), s.applicant_name) END)
                   AS holder_name,
               (CASE WHEN s.enterprise_id IS NOT NULL THEN hc.code ELSE u.id_number END) AS holder_code,
               (CASE WHEN s.enterprise_id IS NOT NULL THEN hc.code_index ELSE u.id_number_index END) AS holder_index,
               (CASE WHEN s.enterprise_id IS NOT NULL THEN 'credit_code' ELSE 'id_number' END) AS holder_kind
        FROM gen_result_src s JOIN gen_result_doc doc ON doc.case_id = s.case_id AND doc.kind = 'result'
        JOIN hall_user u ON u.id = s.applicant_id
        LEFT JOIN hall_enterprise e ON e.id = s.enterprise_id
        LEFT JOIN gen_holder_code hc ON hc.enterprise_id = s.enterprise_id
        ORDER BY s.produced_at"""
    )
    cursor.execute(
        """ALTER TABLE gen_certificate ADD COLUMN supersedes_id bigint, ADD COLUMN successor_at timestamptz,
                                       ADD COLUMN sequence bigint;
           UPDATE gen_certificate g SET supersedes_id = w.previous, successor_at = w.next_at, sequence = w.sequence
           FROM (SELECT id,
                   lag(id) OVER (PARTITION BY holder_index, result_name ORDER BY produced_at, id) AS previous,
                   lead(produced_at) OVER (PARTITION BY holder_index, result_name ORDER BY produced_at, id) AS next_at,
                   row_number() OVER (PARTITION BY region_code, extract(year FROM issued_on) ORDER BY produced_at, id)
                       AS sequence
                 FROM gen_certificate) w
           WHERE w.id = g.id"""
    )
    # Earlier certificates of this database (a second run) keep their numbers: continue after them.
    cursor.execute(
        """UPDATE gen_certificate g SET sequence = g.sequence + coalesce(n.value, 0)
           FROM (SELECT DISTINCT region_code, extract(year FROM issued_on)::int AS year FROM gen_certificate) k
           LEFT JOIN cases_numbercounter n ON n.key = 'certificate:' || k.region_code || ':' || k.year
           WHERE k.region_code = g.region_code AND k.year = extract(year FROM g.issued_on)::int"""
    )
    rows = insert_select(
        cursor,
        Certificate,
        {
            "id": "g.id",
            "number": "g.region_code || extract(year FROM g.issued_on)::int || lpad(g.sequence::text, 7, '0')",
            "type_name": "g.result_name",
            "type_code": "coalesce(g.base_code, '')",
            "holder_name": "left(g.holder_name, 200)",
            "holder_code": "coalesce(g.holder_code, '')",
            "holder_code_index": "coalesce(g.holder_index, '')",
            "holder_kind": "g.holder_kind",
            "issuer_name": "coalesce(g.department_name, '')",
            "issuer_code": "coalesce(g.department_code, '')",
            "issued_on": "g.issued_on",
            "valid_from": "g.issued_on",
            # Licences (许可证) run five years; most certificates are long-term.
            "valid_until": "(CASE WHEN strpos(g.result_name, '许可证') > 0 THEN g.issued_on + interval '5 years' END)::date",
            "scope": "g.item_name",
            "state": "(CASE WHEN g.successor_at IS NOT NULL THEN 'superseded' "
            "WHEN strpos(g.result_name, '许可证') > 0 AND g.issued_on + interval '5 years' < now() THEN 'expired' ELSE 'valid' END)",
            "state_changed_at": "g.successor_at",
            "case_id": "g.case_id",
            "document_id": "g.document_id",
            "supersedes_id": "g.supersedes_id",
            "created_at": "g.produced_at",
        },
        "gen_certificate g ORDER BY g.id",
    )
    execute(
        cursor,
        """INSERT INTO cases_numbercounter (key, value)
           SELECT 'certificate:' || region_code || ':' || extract(year FROM issued_on)::int, max(sequence)
           FROM gen_certificate GROUP BY region_code, extract(year FROM issued_on)
           ON CONFLICT (key) DO UPDATE SET value = greatest(cases_numbercounter.value, excluded.value)""",
    )
    return rows


def _handovers(cursor, ResultHandover) -> int:
    """Paper results leave the back office in signed batches: one per department, result window and day,
    received and counted by the window (a batch still on its way is not)."""
    handed = stage_at_least("s.stage", "handed")
    received = stage_at_least("s.stage", "at_window")
    cursor.execute(
        f"""CREATE TEMP TABLE gen_handover AS
        SELECT nextval(pg_get_serial_sequence('delivery_resulthandover', 'id')) AS id, b.*
        FROM (SELECT s.owning_department_id AS department_id, s.order_hall_id AS hall_id,
                     (s.handed_at AT TIME ZONE {LOCAL})::date AS day, {received} AS received,
                     min(s.handed_at) AS handed_at, max(s.at_window_at) AS received_at, count(*) AS n
              FROM gen_result_src s
              WHERE s.method <> 'electronic' AND {handed} AND s.owning_department_id IS NOT NULL
              GROUP BY 1, 2, 3, 4 ORDER BY min(s.handed_at)) b"""
    )
    cursor.execute("CREATE INDEX ON gen_handover (department_id, hall_id, day, received)")
    staff = "(SELECT {col} FROM gen_staff WHERE hall_id = {hall} AND role = '{role}')"
    return insert_select(
        cursor,
        ResultHandover,
        {
            "id": "b.id",
            "department_id": "b.department_id",
            "hall_id": "b.hall_id",
            "handed_by_id": "a.user_id",
            "handed_by_signature": "a.name",
            "handed_at": "b.handed_at",
            "count": "b.n",
            "received_by_id": "(CASE WHEN b.received THEN "
            + staff.format(col="user_id", hall="b.hall_id", role="result_clerk")
            + " END)",
            "received_by_signature": "(CASE WHEN b.received THEN "
            + staff.format(col="name", hall="b.hall_id", role="result_clerk")
            + " ELSE '' END)",
            "received_at": "(CASE WHEN b.received THEN b.received_at END)",
            "received_count": "(CASE WHEN b.received THEN b.n END)",
        },
        "gen_handover b JOIN gen_approver a ON a.department_id = b.department_id ORDER BY b.id",
    )


def _orders(cursor, DeliveryOrder) -> int:
    posted = stage_at_least("s.stage", "posted")
    carrier = "(CASE WHEN mod(s.case_id, 4) = 0 THEN 'sf' ELSE 'ems' END)"
    tracking = "(CASE WHEN mod(s.case_id, 4) = 0 THEN 'SF' || lpad(s.case_id::text, 12, '0') ELSE '11' || lpad(s.case_id::text, 11, '0') END)"
    post_sent = f"s.method = 'post' AND {posted}"
    return insert_select(
        cursor,
        DeliveryOrder,
        {
            "case_id": "s.case_id",
            "method": "s.method",
            "hall_id": "s.order_hall_id",
            "address": "s.delivery_address",
            "recipient": "s.delivery_recipient",
            "mobile": "s.delivery_mobile",
            "state": ORDER_STATE,
            "produced_at": "s.produced_at",
            "produced_by_id": "coalesce(a.user_id, (SELECT min(user_id) FROM gen_staff WHERE role = 'approver'))",
            "due": "s.delivery_due",
            "handover_id": "b.id",
            "carrier": f"(CASE WHEN {post_sent} THEN {carrier} ELSE '' END)",
            "tracking_number": f"(CASE WHEN {post_sent} THEN {tracking} ELSE '' END)",
            "posted_at": f"(CASE WHEN {post_sent} THEN s.posted_at END)",
            "post_outcome": "(CASE WHEN s.method = 'post' AND s.stage IN ('delivered', 'archived') THEN 'delivered' "
            "WHEN s.stage = 'returned' THEN 'returned' ELSE '' END)",
            "returned_at": "(CASE WHEN s.stage = 'returned' THEN s.returned_at END)",
            "return_reason": "(CASE WHEN s.stage = 'returned' THEN '收件人地址不详，无法投递' ELSE '' END)",
            "notice_id": "(CASE WHEN s.stage = 'available' THEN s.notice_id END)",
            "first_downloaded_at": "(CASE WHEN s.method = 'electronic' AND s.stage IN ('delivered', 'archived') "
            "THEN s.delivered_at END)",
            "delivered_at": "(CASE WHEN s.stage IN ('delivered', 'archived') THEN s.delivered_at END)",
        },
        f"""gen_result_src s LEFT JOIN gen_approver a ON a.department_id = s.owning_department_id
            LEFT JOIN gen_handover b ON s.method <> 'electronic' AND b.department_id = s.owning_department_id
                 AND b.hall_id = s.order_hall_id AND b.day = (s.handed_at AT TIME ZONE {LOCAL})::date
                 AND b.received = {stage_at_least("s.stage", "at_window")} AND {stage_at_least("s.stage", "handed")}
            ORDER BY s.produced_at""",
    )


def _proofs(cursor, DeliveryProof) -> int:
    clerk = "(SELECT user_id FROM gen_staff WHERE hall_id = s.order_hall_id AND role = 'result_clerk')"
    person = "coalesce(nullif(u.real_name, ''), s.applicant_name)"
    return insert_select(
        cursor,
        DeliveryProof,
        {
            "order_id": "o.id",
            "method": "s.method",
            "place": "(CASE s.method WHEN 'pickup' THEN p.place WHEN 'post' THEN s.delivery_address ELSE e.place END)",
            "recipient_kind": "'applicant'",
            "recipient_name": f"left(CASE WHEN s.method = 'post' AND s.delivery_recipient <> '' THEN s.delivery_recipient ELSE {person} END, 50)",
            "recipient_id_number": "(CASE WHEN s.method = 'pickup' THEN coalesce(u.id_number, '') ELSE '' END)",
            "identity_checked": "s.method = 'pickup'",
            "agent_authority": "(CASE WHEN s.method = 'post' THEN (CASE WHEN o.carrier = 'sf' THEN '顺丰速运' ELSE '中国邮政EMS' END)"
            " || ' 运单号 ' || o.tracking_number || ' 妥投签收' ELSE '' END)",
            "signature": f"(CASE WHEN s.method = 'electronic' THEN '' ELSE left({person}, 50) END)",
            "delivered_by_id": f"(CASE WHEN s.method = 'electronic' THEN NULL ELSE {clerk} END)",
            "delivered_at": "s.delivered_at",
            "document_id": "doc.id",
        },
        """gen_result_src s JOIN delivery_deliveryorder o ON o.case_id = s.case_id
           JOIN gen_result_doc doc ON doc.case_id = s.case_id AND doc.kind = 'delivery_proof'
           JOIN hall_user u ON u.id = s.applicant_id
           LEFT JOIN gen_place p ON p.hall_id = s.order_hall_id LEFT JOIN gen_place e ON e.hall_id = 0
           WHERE s.stage IN ('delivered', 'archived') ORDER BY s.delivered_at""",
    )


def _events(cursor, CaseEvent) -> int:
    approver = "a.user_id"
    clerk = "(SELECT {col} FROM gen_staff WHERE hall_id = s.order_hall_id AND role = 'result_clerk')"
    paper = "s.method <> 'electronic'"
    events = [
        # (kind, when, actor, actor name, hall, note, document, where)
        ("result_produced", "s.produced_at", approver, "a.name", "a.hall_id",
         "(CASE WHEN s.granted THEN s.result_name || ' ' || (SELECT number FROM delivery_certificate WHERE case_id = s.case_id) ELSE '不予许可决定书即为办理结果' END)",
         "doc.id", "TRUE"),
        ("result_handed_over", "s.handed_at", approver, "a.name", "a.hall_id",
         "'移交' || h.name || '出件窗口，移交人签名：' || a.name", "NULL",
         f"{paper} AND {stage_at_least('s.stage', 'handed')}"),
        ("result_received", "s.at_window_at", clerk.format(col="user_id"), clerk.format(col="name"), "s.order_hall_id",
         "h.name || '出件窗口签收结果'", "NULL", f"{paper} AND {stage_at_least('s.stage', 'at_window')}"),
        ("result_posted", "s.posted_at", clerk.format(col="user_id"), clerk.format(col="name"), "s.order_hall_id",
         "(CASE WHEN mod(s.case_id, 4) = 0 THEN '顺丰速运 运单号 SF' || lpad(s.case_id::text, 12, '0')"
         " ELSE '中国邮政EMS 运单号 11' || lpad(s.case_id::text, 11, '0') END)", "NULL",
         f"s.method = 'post' AND {stage_at_least('s.stage', 'posted')}"),
        ("result_returned", "s.returned_at", clerk.format(col="user_id"), clerk.format(col="name"), "s.order_hall_id",
         "'收件人地址不详，无法投递'", "NULL", "s.stage = 'returned'"),
    ]  # fmt: skip
    rows = 0
    for kind, at, actor, actor_name, hall, note, document, where in events:
        rows += insert_select(
            cursor,
            CaseEvent,
            {
                "case_id": "s.case_id",
                "kind": f"'{kind}'",
                "actor_id": actor,
                "actor_name": f"coalesce({actor_name}, '')",
                "role": "'approver'" if actor == approver else "'result_clerk'",
                "hall_id": hall,
                "created_at": at,
                "note": note,
                "document_id": document,
            },
            f"""gen_result_src s LEFT JOIN gen_approver a ON a.department_id = s.owning_department_id
                JOIN hall_hall h ON h.id = s.order_hall_id
                LEFT JOIN gen_result_doc doc ON doc.case_id = s.case_id AND doc.kind = 'result'
                WHERE {where} ORDER BY {at}""",
        )
    return rows


def generate_archive(cursor, step) -> None:
    """归档信息包 of every archived case (its delivery order is already archived): sealed the day the case
    was archived, by the result window of the hall that delivered it, with the item's retention."""
    ArchivePackage = apps.get_model("delivery", "ArchivePackage")
    archived = moment("archived")
    manifest = f"""jsonb_build_object('format', 'GB/T 42727-2023 归档信息包（通办 v1）', 'case_number', c.number,
        'title', v.name, 'sealed_at', to_char({archived} AT TIME ZONE {LOCAL}, 'YYYY-MM-DD"T"HH24:MI:SS+08:00'),
        'algorithm', 'SHA-256',
        'files', jsonb_build_object('case.json', md5(c.id || 'case') || md5(c.id || 'case2'),
                                    'documents/001-准予行政许可决定书.pdf', encode(sha256(c.id::text::bytea), 'hex')),
        'content_sha256', encode(sha256(('manifest' || c.id)::bytea), 'hex'))"""
    clerk = "(SELECT user_id FROM gen_staff WHERE hall_id = coalesce(o.hall_id, c.receiving_hall_id) AND role = 'result_clerk')"
    step(
        "归档信息包",
        lambda _: insert_select(
            cursor,
            ArchivePackage,
            {
                "case_id": "c.id",
                "file": f"'archive/' || to_char({archived} AT TIME ZONE {LOCAL}, 'YYYY') || '/' || c.number || '.zip'",
                "manifest": manifest,
                "sha256": "encode(sha256(('package' || c.id)::bytea), 'hex')",
                "size": "40000 + mod(c.id * 7919, 60000)",
                "year": f"extract(year FROM {archived} AT TIME ZONE {LOCAL})::int",
                "item_id": "v.item_id",
                "item_name": "left(v.name, 200)",
                "hall_id": "c.receiving_hall_id",
                "retention": "v.retention_period",
                "archived_by_id": clerk,
                "archived_at": archived,
            },
            """cases_case c JOIN items_itemversion v ON v.id = c.item_version_id
               LEFT JOIN delivery_deliveryorder o ON o.case_id = c.id
               WHERE c.state = 'archived' AND c.decided_at IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM delivery_archivepackage p WHERE p.case_id = c.id)
               ORDER BY c.id""",
        ),
    )
