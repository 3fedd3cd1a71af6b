"""A throwaway PostgreSQL database for the benches that run real worker processes (they share the database).

    url, drop = scratch_database(os.environ["DATABASE_URL"], "faults")   # <name>_faults, made empty
    try: ...
    finally: drop()
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def scratch_database(base_url: str, suffix: str) -> tuple[str, Callable[[], None]]:
    """Create ``<name>_<suffix>`` next to ``base_url``'s database (dropped first if a run left it behind);
    return its URL and the function that drops it."""
    import psycopg

    parts = urlsplit(base_url)
    name = f"{parts.path.lstrip('/')}_{suffix}"
    admin = urlunsplit(parts._replace(path="/postgres"))

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), drop
