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
