"""The database cache every process shares (settings CACHES), and its table.

Throttles count in the cache (public registration: kaskad/learning/services.py), so the count
must be one for all of gunicorn's workers and the background worker: Django's per-process
memory cache would give each process its own limit. The table is created after every
`migrate` (`cache_table_create`, connected in core's AppConfig), so a fresh SQLite file, a new
PostgreSQL database and the test databases all have it.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends import db
from django.core.management import call_command
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(db.DatabaseCache):
    """Django's database cache with an increment that holds across processes.

    Django's own `incr` reads the value, adds and writes it back: two workers counting at the
    same moment lose one count, and the write resets the entry's expiry to the default. Here
    the row is locked first (an UPDATE, so PostgreSQL holds a row lock and SQLite its write
    lock until commit), then read and written in the same transaction, keeping its expiry.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        cache_key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        qn = connection.ops.quote_name
        table, key_col, value_col, expires_col = (
            qn(self._table),  # type: ignore[attr-defined]
            qn("cache_key"),
            qn("value"),
            qn("expires"),
        )
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {expires_col} = {expires_col} WHERE {key_col} = %s",  # noqa: S608
                [cache_key],
            )
            cursor.execute(
                f"SELECT {value_col}, {expires_col} FROM {table} WHERE {key_col} = %s",  # noqa: S608
                [cache_key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            expression = models.Expression(output_field=models.DateTimeField())
            converters = connection.ops.get_db_converters(
                expression
            ) + expression.get_db_converters(connection)
            expires = row[1]
            for converter in converters:
                expires = converter(expires, expression, connection)
            if expires < tz_now():
                raise ValueError(f"Key '{key}' not found")
            raw = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(raw.encode()))  # noqa: S301 (our own rows)
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode(
                "latin1"
            )
            cursor.execute(
                f"UPDATE {table} SET {value_col} = %s WHERE {key_col} = %s",  # noqa: S608
                [encoded, cache_key],
            )
        return new_value


def cache_table_create(*, using: str = "default", **_: Any) -> None:
    """`createcachetable` for one database: creates the table of every database cache in
    CACHES if it is missing (a no-op otherwise, and with Redis)."""
    call_command("createcachetable", database=using, verbosity=0)
