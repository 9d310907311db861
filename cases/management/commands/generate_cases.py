"""Generate a city's volume of cases into a database of its own, for measuring lists and pages.

    .venv/bin/python manage.py generate_cases --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_1m
    .venv/bin/python manage.py generate_cases --cases 100000 --database-url postgres://…/tongban_bench_100k

The target must be a PostgreSQL database other than the one this process uses (DATABASE_URL): the
command refuses it, and refuses a database that already holds cases it did not make, so it can never
fill or empty a shared database. It creates the database if missing, migrates it, loads the demo
organisation, calendar and catalogue (the same commands as `make demo`), then fills in bulk with
INSERT … SELECT over generate_series (no row passes through Python):

- applicants: persons, and enterprises with their agents (IDs and mobiles encrypted, blind-indexed);
- cases over `--years` years across halls (江城 40 %), their items and departments, channels and
  states by age: most of the history closed (archived, refused, withdrawn), the last weeks open in
  every state with their clocks (next due date, warning level), and a few old cases left overdue;
- their events (submitted, accepted, decided, delivered/archived), documents (metadata: number,
  hash, verification token; no files) and notices (an inbox notice and its delivery per case);
- queue tickets for counter cases when the hall floor models exist;
- then, as the services would have left them (cases/generation/, one module per part):
  `handoffs` (cross-county hand-offs with their legs, events and tallies; the cases' delivery choice),
  `deliveries` (results, e-certificates, signed hand-overs to the result windows, delivery orders in
  every state of the window, proofs of delivery), `archive` (the archive package of each archived case),
  `floor` (opening hours, tickets filed by window category, bookings and slots, today's queue) and
  `ratings` (rateable services, ratings, rectification tickets with their ledger, public figures).

Each step prints its rows and rows per second. Columns the command does not know (added by other
features) get their model default, so a newer schema still fills. `--steps handoffs,deliveries,archive,floor,ratings`
runs only those steps on a database generated before (each once, recorded in bench_generated), so an
existing bench database is extended without generating it again:

    .venv/bin/python manage.py generate_cases --steps handoffs,deliveries,archive,floor,ratings \
        --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_1m
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, models, transaction

from cases.generation import floor, handoffs, ratings, results
from cases.generation.sql import copy_buffer as _copy_buffer
from cases.generation.sql import count as _count
from cases.generation.sql import has_column as _has_column
from cases.generation.sql import insert_select, staff_tables

ALIAS = "generate_cases_target"
ROOT = Path(settings.BASE_DIR)
MARK = "generate_cases"  # recorded in the target so a second run adds nothing and a foreign database is refused
OWN_COUNTY_SHARE = 0.85  # a hall's cases for items of its own county; the rest are handed off
STUCK_OPEN = 300  # old cases left open across the city, at every size


def _same_database(a: dict, b: dict) -> bool:
    if "postgresql" not in a.get("ENGINE", "") or "postgresql" not in b.get("ENGINE", ""):
        return False
    host = lambda d: (d.get("HOST") or "localhost").replace("127.0.0.1", "localhost")  # noqa: E731
    return (host(a), str(a.get("PORT") or 5432), a.get("NAME")) == (host(b), str(b.get("PORT") or 5432), b.get("NAME"))


def refuse_database_in_use(url: str) -> dict:
    """The parsed target, or CommandError when it is the database in use (settings or DATABASE_URL)."""
    target = dj_database_url.parse(url)
    if "postgresql" not in target["ENGINE"]:
        raise CommandError("generate_cases 只能写入 PostgreSQL 数据库（--database-url postgres://…）。")
    in_use = [settings.DATABASES["default"]]
    if os.environ.get("DATABASE_URL"):
        in_use.append(dj_database_url.parse(os.environ["DATABASE_URL"]))
    if any(_same_database(target, db) for db in in_use):
        raise CommandError(f"拒绝写入正在使用的数据库 {target['NAME']}：请指定一个专用的压测数据库。")
    return target


def _create_database(target: dict) -> None:
    import psycopg2

    admin = psycopg2.connect(
        dbname="postgres",
        user=target.get("USER") or "postgres",
        password=target.get("PASSWORD") or None,
        host=target.get("HOST") or "127.0.0.1",
        port=target.get("PORT") or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{target["NAME"]}"')
    admin.close()


class Command(BaseCommand):
    help = "Fill a database of its own with a city's volume of cases (never the database in use)."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", required=True, help="postgres://… of a dedicated bench database")
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument(
            "--per-day",
            type=int,
            default=0,
            help="cases received per day; the history then spans cases ÷ per-day days (the same open work "
            "at every size: compare 10k, 100k and 1M at --per-day 913, a 1M city's rate over 3 years)",
        )
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument(
            "--steps",
            default="",
            help="run only these steps on a database already generated, e.g. handoffs,deliveries,archive,ratings "
            f"(each at most once; its prerequisites must have run). Steps: {', '.join(STEPS)}",
        )

    def handle(self, *args, database_url, cases, years, per_day, seed, steps, **options):
        target = refuse_database_in_use(database_url)
        wanted = _steps_wanted(steps)
        _create_database(target)
        self._prepare(database_url, migrate_only=bool(wanted))
        connections.settings[ALIAS] = connections.configure_settings({"default": target, ALIAS: target})[ALIAS]
        connection = connections[ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            existing = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_generated (step text PRIMARY KEY, rows bigint, at timestamptz)"
            )
            cursor.execute("SELECT step FROM bench_generated")
            done = {row[0] for row in cursor.fetchall()}
        started = time.monotonic()
        if wanted:
            if "cases" not in done:
                raise CommandError(f"{target['NAME']} 还没有生成办件：请先不带 --steps 运行一次。")
            self._run_steps(connection, wanted, done)
            self.stdout.write(
                self.style.SUCCESS(f"完成：{', '.join(wanted)}，用时 {time.monotonic() - started:,.0f} 秒")
            )
            return
        if "cases" in done:
            self.stdout.write(f"{target['NAME']} 已生成过办件（{existing:,} 件），不再追加。")
            return
        if existing > 1000:
            raise CommandError(f"{target['NAME']} 已有 {existing:,} 件非生成的办件：拒绝写入，请换一个空库。")
        random.seed(seed)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [seed / 1000])
            self._people(cursor, cases)
            self._combos(cursor)
            self._cases(cursor, cases, max(cases // per_day, 1) if per_day else 365 * years)
            self._events(cursor)
            self._documents(cursor)
            self._notices(cursor)
            self._tickets(cursor)
            cursor.execute("INSERT INTO bench_generated VALUES ('cases', %s, now())", [cases])
        self._run_steps(connection, list(STEPS), done | {"cases"}, vacuum=False)
        self._step("VACUUM ANALYZE", lambda c: self._vacuum(connection))
        self.stdout.write(self.style.SUCCESS(f"完成：{cases:,} 件，用时 {time.monotonic() - started:,.0f} 秒"))

    def _run_steps(self, connection, wanted: list[str], done: set[str], vacuum: bool = True) -> None:
        """Each step in one transaction, recorded in bench_generated with its rows: a step already recorded
        is skipped, one whose prerequisite neither ran before nor runs now is refused before anything."""
        for name in wanted:
            missing = [need for need in STEPS[name][1] if need not in done and need not in wanted]
            if missing:
                raise CommandError(f"步骤 {name} 需要先运行：{', '.join(missing)}。")
        for name in wanted:
            if name in done:
                self.stdout.write(f"{name}: 已生成过，跳过。")
                continue
            generate, _, tables = STEPS[name]
            total = 0

            def step(label, run, counted=True):
                nonlocal total
                rows = self._step(label, run)
                total += rows if counted else 0
                return rows

            with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
                # Another run on the same database may have made the step meanwhile: one at a time.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"generate_cases:{name}"])
                cursor.execute("SELECT 1 FROM bench_generated WHERE step = %s", [name])
                if cursor.fetchone():
                    self.stdout.write(f"{name}: 已生成过，跳过。")
                    done.add(name)
                    continue
                _bulk_load_mode(cursor)
                # Fresh statistics: an earlier run rolled back leaves dead rows in tables the planner
                # believes empty, and a NOT EXISTS over them would be read once per case.
                cursor.execute(f"ANALYZE {', '.join(tables)}")
                staff_tables(cursor)
                generate(cursor, step)
                cursor.execute("INSERT INTO bench_generated VALUES (%s, %s, now())", [name, total])
            done.add(name)
            if vacuum:
                self._step(f"VACUUM ANALYZE（{name}）", lambda c, tables=tables: self._vacuum(connection, tables))

    # ---- steps ------------------------------------------------------------------------------------

    def _prepare(self, url: str, migrate_only: bool = False) -> None:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_LOG_LEVEL": "WARNING"}
        python = sys.executable
        commands = ["migrate"] if migrate_only else ["migrate", "seed_demo", "seed_calendar", "seed_catalogue"]
        for command in commands:
            args = [command, "--skip-checks", *(["--noinput"] if command == "migrate" else [])]
            started = time.monotonic()
            subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            self.stdout.write(f"{command}: {time.monotonic() - started:.1f} s")

    def _step(self, label: str, run) -> int:
        started = time.monotonic()
        rows = run(None) or 0
        seconds = max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"{label}: {rows:,} 行，{seconds:,.1f} 秒，{rows / seconds:,.0f} 行/秒")
        self.stdout.flush()
        return rows

    def _vacuum(self, connection, tables: tuple[str, ...] = ()) -> int:
        import psycopg2

        params = connection.get_connection_params()
        raw = psycopg2.connect(**params)
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        raw.close()
        return 0

    def _people(self, cursor, cases: int) -> None:
        """Persons (one per ~8 cases) and enterprises with their agents (one per ~60 cases)."""
        from hall.crypto import blind_index

        User = apps.get_model("hall", "User")
        Enterprise = apps.get_model("hall", "Enterprise")
        id_field, mobile_field = User._meta.get_field("id_number"), User._meta.get_field("mobile")
        persons, enterprises = max(cases // 8, 200), max(cases // 60, 20)
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

        def people():
            for n in range(persons + enterprises):
                id_number = _id_number(n)
                mobile = f"1{3 + n % 7}{n:09d}"[:11]
                yield (
                    f"b{n}",
                    "enterprise" if n >= persons else "person",
                    surnames[n % len(surnames)] + given[(n // 7) % len(given)] + given[(n // 3) % len(given)],
                    id_field.get_db_prep_save(id_number, cursor.db),
                    mobile_field.get_db_prep_save(mobile, cursor.db),
                    blind_index(id_number),
                    blind_index(mobile),
                )

        def load(_):
            cursor.execute(
                "CREATE TEMP TABLE gen_people (n int, username text, kind text, name text, idn text, mob text, idx text, mobx text)"
            )
            buffer = _copy_buffer((n, *row) for n, row in enumerate(people()))
            cursor.copy_expert("COPY gen_people FROM STDIN", buffer)
            rows = insert_select(
                cursor,
                User,
                {
                    "password": "'!'",
                    "username": "p.username",
                    "kind": "p.kind",
                    "real_name": "p.name",
                    "id_number": "p.idn",
                    "mobile": "p.mob",
                    "id_number_index": "p.idx",
                    "mobile_index": "p.mobx",
                    "date_joined": "now() - interval '4 years'",
                    "is_active": "true",
                },
                "gen_people p ORDER BY p.n",
            )
            cursor.execute(
                """CREATE TEMP TABLE gen_person AS SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id AS user_id,
                   u.real_name AS name FROM hall_user u JOIN gen_people p ON p.username = u.username WHERE p.kind = 'person'"""
            )
            cursor.execute(
                """CREATE TEMP TABLE gen_agent AS SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id AS user_id
                   FROM hall_user u JOIN gen_people p ON p.username = u.username WHERE p.kind = 'enterprise'"""
            )
            rows += insert_select(
                cursor,
                Enterprise,
                {
                    "name": "'阳江压测' || a.k || '号有限公司'",
                    "credit_code": "'91441702' || lpad(a.k::text, 10, '0')",
                    "legal_representative": "'王芳'",
                    "agent_id": "a.user_id",
                },
                "gen_agent a ORDER BY a.k",
            )
            cursor.execute(
                """CREATE TEMP TABLE gen_enterprise AS SELECT a.k, e.id AS enterprise_id, a.user_id AS agent_id, e.name
                   FROM hall_enterprise e JOIN gen_agent a ON a.user_id = e.agent_id"""
            )
            for table in ("gen_person", "gen_enterprise"):
                cursor.execute(f"CREATE UNIQUE INDEX ON {table} (k)")
            return rows

        self._step("申请人（自然人、企业及经办人）", load)

    def _combos(self, cursor) -> None:
        """Hall × item version × department, weighted so that 江城 receives 40 % of the cases, and each hall
        receives mostly the items of its own county: OWN_COUNTY_SHARE of its cases, the rest items of other
        counties that it receives city-wide (全市通办) and hands off."""
        ItemVersion = apps.get_model("items", "ItemVersion")
        Hall = apps.get_model("hall", "Hall")
        halls = list(Hall.objects.using(ALIAS).order_by("code"))
        combos = []
        for hall in halls:
            versions = list(
                ItemVersion.objects.using(ALIAS)
                .filter(receivable_halls=hall, item__current_version=models.F("pk"))
                .values_list("pk", "item__department_id", "item__region_id")
            ) or list(
                ItemVersion.objects.using(ALIAS)
                .filter(item__current_version=models.F("pk"), item__region=hall.region)
                .values_list("pk", "item__department_id", "item__region_id")
            )
            own = [v for v in versions if v[2] == hall.region_id] or versions
            other = [v for v in versions if v[2] != hall.region_id] or own
            weight = 40 if hall.code == "JC" else 15
            for i in range(weight * 20):
                pool = own if i % 20 < OWN_COUNTY_SHARE * 20 else other
                if pool:
                    version, department, _region = pool[i % len(pool)]
                    combos.append((hall.pk, hall.code, version, department))
        if not combos:
            raise CommandError("目标库没有可受理的事项：seed_catalogue 是否成功？")
        random.shuffle(combos)
        cursor.execute(
            "CREATE TEMP TABLE gen_combo (k int PRIMARY KEY, hall_id int, code text, version_id int, department_id int)"
        )
        cursor.copy_expert("COPY gen_combo FROM STDIN", _copy_buffer((k, *c) for k, c in enumerate(combos)))
        self.combos = len(combos)

    def _cases(self, cursor, cases: int, days: int) -> None:
        Case = apps.get_model("cases", "Case")
        persons = _count(cursor, "gen_person")
        enterprises = _count(cursor, "gen_enterprise")
        # g runs with time: the newest cases have the highest ids, as in a live table.
        source = f"""(
            SELECT g, r, c.*, (CASE WHEN r < 0.15 THEN e.enterprise_id END) AS enterprise_id,
                   (CASE WHEN r < 0.15 THEN e.agent_id ELSE p.user_id END) AS applicant_id,
                   (CASE WHEN r < 0.15 THEN e.name ELSE p.name END) AS applicant_name,
                   created, (now()::date - created::date) AS age, random() AS s
            FROM (
                SELECT g, random() AS r, now() - ((({cases} - g)::float / {cases}) * {days} * interval '1 day')
                       - (random() * interval '8 hours') AS created
                FROM generate_series(1, {cases}) AS g
            ) base
            JOIN gen_combo c ON c.k = mod(g::bigint * 7919, {self.combos})
            JOIN gen_person p ON p.k = mod(g::bigint * 104729, {persons})
            JOIN gen_enterprise e ON e.k = mod(g::bigint * 1299709, {enterprises})
        ) x"""
        # State by age: open work in the last weeks, history closed, a few old cases left open. A hall's
        # stuck cases are escalated and cleared, so their number does not grow with the years of archive:
        # about STUCK_OPEN across the city whatever the history's length (a share of it at most 0.3 %).
        older = cases * max(days - 30, 0) / days
        stuck = min(0.003, STUCK_OPEN / older) if older else 0
        state = f"""(CASE
            WHEN age <= 2 THEN (CASE WHEN s < 0.55 THEN 'submitted' WHEN s < 0.65 THEN 'supplement_requested' ELSE 'accepted' END)
            WHEN age <= 30 THEN (CASE WHEN s < 0.05 THEN 'submitted' WHEN s < 0.08 THEN 'supplement_requested'
                 WHEN s < 0.45 THEN 'accepted' WHEN s < 0.47 THEN 'suspended' WHEN s < 0.62 THEN 'approved'
                 WHEN s < 0.64 THEN 'denied' WHEN s < 0.85 THEN 'delivered' WHEN s < 0.90 THEN 'rejected'
                 WHEN s < 0.94 THEN 'withdrawn' ELSE 'archived' END)
            ELSE (CASE WHEN s < {stuck * 2 / 3} THEN 'accepted' WHEN s < {stuck} THEN 'submitted' WHEN s < 0.06 THEN 'rejected'
                 WHEN s < 0.10 THEN 'withdrawn' ELSE 'archived' END)
            END)"""
        cursor.execute(f"CREATE TEMP VIEW gen_case_src AS SELECT x.*, {state} AS state FROM {source}")
        received = "created + interval '20 minutes'"
        accepted_on = f"(({received})::date + 1)"
        decided = f"({received} + interval '12 days')"
        next_due = f"""(CASE WHEN state IN ('submitted', 'supplement_requested') THEN ({received})::date + 7
            WHEN state = 'accepted' THEN {accepted_on} + 28
            WHEN state IN ('approved', 'denied') THEN ({decided})::date + 14 END)"""
        level = f"""(CASE WHEN {next_due} IS NULL THEN 'none' WHEN {next_due} < now()::date THEN 'overdue'
            WHEN {next_due} = now()::date THEN 'red' WHEN {next_due} <= now()::date + 2 THEN 'yellow' ELSE 'green' END)"""
        exprs = {
            "number": "code || to_char(created, 'YYMMDD') || lpad(mod(g, 100000)::text, 5, '0')",
            "state": "state",
            "channel": "(CASE WHEN r > 0.6 THEN 'counter' ELSE 'online' END)",
            "applicant_id": "applicant_id",
            "enterprise_id": "enterprise_id",
            "applicant_name": "applicant_name",
            "item_version_id": "version_id",
            "receiving_hall_id": "hall_id",
            "owning_department_id": "department_id",
            "identity_checked": "true",
            "created_at": "created",
            "updated_at": "created",
            "submitted_at": "created",
            "received_at": received,
            "intake_due": f"({received})::date + 7",
            "accepted_on": f"(CASE WHEN state NOT IN ('submitted', 'supplement_requested', 'rejected', 'withdrawn') THEN {accepted_on} END)",
            "decision_due": f"(CASE WHEN state NOT IN ('submitted', 'supplement_requested', 'rejected', 'withdrawn') THEN {accepted_on} + 28 END)",
            "decided_at": f"(CASE WHEN state IN ('approved', 'denied', 'delivered', 'archived') THEN {decided} END)",
            "delivery_due": f"(CASE WHEN state IN ('approved', 'denied', 'delivered', 'archived') THEN ({decided})::date + 14 END)",
            "next_due": next_due,
            "warning_level": level,
        }
        exprs = {column: sql for column, sql in exprs.items() if _has_column(Case, column)}
        self._step("办件", lambda _: insert_select(cursor, Case, exprs, "gen_case_src ORDER BY g"))

    def _events(self, cursor) -> None:
        CaseEvent = apps.get_model("cases", "CaseEvent")
        steps = [
            ("submitted", "c.created_at", "'draft'", "'submitted'", "TRUE"),
            ("accepted", "c.accepted_on + time '10:00'", "'submitted'", "'accepted'", "c.accepted_on IS NOT NULL"),
            ("refused", "c.received_at + interval '2 days'", "'submitted'", "'rejected'", "c.state = 'rejected'"),
            ("withdrawn", "c.received_at + interval '1 day'", "'submitted'", "'withdrawn'", "c.state = 'withdrawn'"),
            ("granted", "c.decided_at", "'accepted'", "'approved'", "c.decided_at IS NOT NULL"),
            (
                "delivered",
                "c.decided_at + interval '3 days'",
                "'approved'",
                "'delivered'",
                "c.state IN ('delivered', 'archived')",
            ),
            ("archived", "c.decided_at + interval '20 days'", "'delivered'", "'archived'", "c.state = 'archived'"),
        ]

        def load(_):
            rows = 0
            for kind, at, before, after, where in steps:
                rows += insert_select(
                    cursor,
                    CaseEvent,
                    {
                        "case_id": "c.id",
                        "kind": f"'{kind}'",
                        "actor_id": "c.applicant_id",
                        "actor_name": "c.applicant_name",
                        "hall_id": "c.receiving_hall_id",
                        "from_state": before,
                        "to_state": after,
                        "created_at": at,
                    },
                    f"cases_case c WHERE {where} AND c.number IS NOT NULL",
                )
            return rows

        self._step("办件日志", load)

    def _documents(self, cursor) -> None:
        Document = apps.get_model("cases", "Document")
        exprs = {
            "number": "'〔' || to_char(c.decided_at, 'YYYY') || '〕压字第' || c.id || '号'",
            "kind": "'grant'",
            "case_id": "c.id",
            "title": "'准予行政许可决定书'",
            "issuer_name": "'阳江市江城区市场监督管理局'",
            "issued_on": "c.decided_at::date",
            "issued_at": "c.decided_at",
            "file": "'documents/bench/' || c.id || '.pdf'",
            "sha256": "encode(sha256(c.id::text::bytea), 'hex')",
            "token": "md5(c.id::text || 'bench')",
        }
        self._step(
            "文书（元数据）",
            lambda _: insert_select(cursor, Document, exprs, "cases_case c WHERE c.decided_at IS NOT NULL"),
        )

    def _notices(self, cursor) -> None:
        Notice = apps.get_model("hall", "Notice")
        NoticeDelivery = apps.get_model("hall", "NoticeDelivery")

        def load(_):
            rows = insert_select(
                cursor,
                Notice,
                {
                    "recipient_id": "c.applicant_id",
                    "kind": "'case_submitted'",
                    "subject": "'您的申请已提交'",
                    "body": "'办件编号 ' || c.number",
                    "link": "'/cases/' || c.id || '/'",
                    "case_number": "c.number",
                    "created_at": "c.created_at",
                    "read_at": "(CASE WHEN mod(c.id, 3) > 0 THEN c.created_at + interval '1 day' END)",
                },
                "cases_case c WHERE c.number IS NOT NULL",
            )
            rows += insert_select(
                cursor,
                NoticeDelivery,
                {
                    "notice_id": "n.id",
                    "channel": "'inbox'",
                    "status": "'sent'",
                    "attempts": "1",
                    "sent_at": "n.created_at",
                },
                "hall_notice n WHERE n.kind = 'case_submitted'",
            )
            return rows

        self._step("通知", load)

    def _tickets(self, cursor) -> None:
        """A queue ticket for each counter case (hall floor), when the model exists."""
        try:
            Ticket = apps.get_model("hall", "Ticket")
        except LookupError:
            return
        exprs = {
            "hall_id": "c.receiving_hall_id",
            "date": "c.received_at::date",
            "category": "'comprehensive'",
            "sequence": "mod(c.id, 100000)::int",
            "number": "'A' || lpad(mod(c.id, 1000)::text, 3, '0')",
            "person_id": "c.applicant_id",
            "state": "'served'",
            "issued_at": "c.received_at - interval '15 minutes'",
            "called_at": "c.received_at - interval '5 minutes'",
            "served_at": "c.received_at - interval '5 minutes'",
            "closed_at": "c.received_at",
            "wait_seconds": "600",
            "service_seconds": "900",
        }
        exprs = {column: sql for column, sql in exprs.items() if _has_column(Ticket, column)}
        try:
            self._step(
                "排队号", lambda _: insert_select(cursor, Ticket, exprs, "cases_case c WHERE c.channel = 'counter'")
            )
        except Exception as exc:  # the floor schema is still moving: the cases are what is measured
            self.stderr.write(f"排队号未生成：{exc}")


# name → (generate(cursor, step), prerequisites, tables to vacuum after a run on its own)
STEPS = {
    "handoffs": (
        handoffs.generate,
        (),
        ("cases_case", "cases_handoff", "cases_handoffleg", "cases_handofftally", "cases_caseevent"),
    ),
    "deliveries": (
        results.generate,
        ("handoffs",),
        (
            "cases_case",
            "cases_document",
            "cases_caseevent",
            "delivery_certificate",
            "delivery_resulthandover",
            "delivery_deliveryorder",
            "delivery_deliveryproof",
            "hall_notice",
            "hall_noticedelivery",
        ),
    ),  # fmt: skip
    "archive": (results.generate_archive, ("deliveries",), ("delivery_archivepackage",)),
    "floor": (
        floor.generate,
        (),
        ("hall_openinghours", "hall_windowseat", "hall_slot", "hall_booking", "hall_ticket", "hall_ticketsequence"),
    ),
    "ratings": (
        ratings.generate,
        ("deliveries", "floor"),
        (
            "evaluation_service",
            "evaluation_rating",
            "evaluation_ratingtoken",
            "evaluation_rectificationticket",
            "evaluation_ticketstep",
            "evaluation_appeal",
            "evaluation_figurerow",
        ),
    ),  # fmt: skip
}


def _bulk_load_mode(cursor) -> None:
    """Every row a step writes is made by joins over rows already there, so, as pg_restore
    --disable-triggers does, the step skips the foreign keys' per-row checks: at 1M they lock each
    referenced case and took longer than the rows themselves. Needs a superuser; otherwise they run."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


def _steps_wanted(steps: str) -> list[str]:
    """The steps named in --steps, in the order they must run; a plain message for an unknown name."""
    names = [name.strip() for name in steps.split(",") if name.strip()]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        raise CommandError(f"未知的步骤：{', '.join(unknown)}。可选：{', '.join(STEPS)}。")
    return [name for name in STEPS if name in names]


def _id_number(n: int) -> str:
    """A valid 18-digit ID number (GB 11643: region, birth date, sequence, check digit), unique per n."""
    block, m = divmod(n, 50_000)
    region = 441702 if block == 0 else 440100 + block
    body = f"{region:06d}{1950 + m % 50:04d}{1 + m % 12:02d}{1 + m % 28:02d}{m // 50 % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check
