"""What the bench scripts share: make the PostgreSQL database a run fills, if it is not there."""

from urllib.parse import urlparse


def ensure_database(url: str) -> None:
    """Create the database named in a postgres:// URL (nothing for other URLs)."""
    if not url.startswith("postgres"):
        return
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    admin.close()


def refuse_shared_database(url: str) -> None:
    """Exit with a message unless `url` names a bench database of its own: a PostgreSQL database whose
    name starts with tongban_bench, that is not this shell's DATABASE_URL and that no other session is
    using. A bench that empties tables must never run against a shared database."""
    import os
    import sys

    if not url.startswith("postgres"):
        return
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    in_use = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    reason = None
    if not name.startswith("tongban_bench"):
        reason = f"the database {name!r} is not a bench database (its name must start with tongban_bench)"
    elif name == in_use:
        reason = f"the database {name!r} is this shell's DATABASE_URL"
    else:
        import psycopg2

        try:
            admin = psycopg2.connect(
                dbname="postgres",
                user=parts.username or "postgres",
                password=parts.password,
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
            )
        except psycopg2.OperationalError as exc:
            sys.exit(f"bench: PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432}: {exc}")
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
            )
            others = cursor.fetchone()[0]
        admin.close()
        if others:
            reason = f"the database {name!r} is in use by {others} other session(s)"
    if reason:
        sys.exit(f"bench: refusing to fill or empty a shared database: {reason}.")
