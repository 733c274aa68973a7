"""Batched writes for imports: PostgreSQL COPY where it exists, plain bulk SQL elsewhere.

Rows are plain tuples in the order of ``fields`` (model attnames such as ``person_id``), so
a 400,000-row import never builds 400,000 model instances on PostgreSQL. Elsewhere (SQLite)
inserts go through ``bulk_create`` (which returns the new primary keys) and audit entries
through ``kaskad.core.audit.audit_bulk``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from kaskad.core.audit import audit_bulk
from kaskad.core.models import AuditEntry

# (actor_id, action, object_type, object_id, object_repr, changes, source)
AuditRow = tuple[int | None, str, str, str, str, dict[str, Any], str]

_temp_tables = itertools.count(1)
SMALL_UPDATE = 64  # below this, one UPDATE per row beats a temporary table
COPY_LINES = 2000  # lines per write to the COPY stream


class BulkWriter:
    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"

    # --- lookups ---------------------------------------------------------------------------

    def select_in(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        key: str,
        values: Sequence[Any],
        *,
        null: str = "",
    ) -> list[tuple[Any, ...]]:
        """``fields`` of the rows whose ``key`` is in ``values`` (and whose ``null`` field,
        if named, is NULL)."""
        if not values:
            return []
        if not self.postgres:
            filters: dict[str, Any] = {f"{key}__in": values}
            if null:
                filters[f"{null}__isnull"] = True
            return list(
                model._default_manager.using(self.using).filter(**filters).values_list(*fields)
            )
        # One array parameter instead of thousands: far less to parse and plan.
        opts = model._meta
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(_column(model, name)) for name in fields)
        condition = f"{quote(_column(model, key))} = ANY(%s)"
        if null:
            condition += f" AND {quote(_column(model, null))} IS NULL"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {quote(opts.db_table)} WHERE {condition}",  # noqa: S608
                [list(values)],
            )
            rows = cursor.fetchall()
        json_at = [
            index
            for index, name in enumerate(fields)
            if isinstance(_field(model, name), models.JSONField)
        ]
        if not json_at:
            return [tuple(row) for row in rows]
        decoded = []
        for row in rows:
            values_ = list(row)
            for index in json_at:
                # Django has psycopg hand JSON back as text (its fields decode it themselves).
                if isinstance(values_[index], str):
                    values_[index] = json.loads(values_[index])
            decoded.append(tuple(values_))
        return decoded

    # --- inserts ---------------------------------------------------------------------------

    def insert(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        returning: bool = True,
    ) -> list[int]:
        """Insert rows; return their new primary keys in row order (if ``returning``)."""
        if not rows:
            return []
        if self.postgres:
            return self._copy_insert(model, fields, rows, returning=returning)
        if self.connection.vendor == "sqlite" and self.connection.in_atomic_block:
            return self._sqlite_insert(model, fields, rows, returning=returning)
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._default_manager.using(self.using).bulk_create(objects, batch_size=1000)
        return [obj.pk for obj in objects]

    def _sqlite_insert(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        returning: bool,
    ) -> list[int]:
        """One executemany, with values adapted as Django's SQLite backend adapts them.

        The keys: inside our transaction (BEGIN IMMEDIATE holds the only write lock) an
        AUTOINCREMENT table numbers new rows consecutively, so they are the n numbers ending
        at last_insert_rowid(). That is checked, not assumed: a mismatch fails the import.
        """
        opts = model._meta
        quote = self.connection.ops.quote_name
        table = quote(opts.db_table)
        columns = ", ".join(quote(_column(model, name)) for name in fields)
        adapt = _row_adapter(self.connection, model, fields)
        placeholders = ", ".join(["%s"] * len(fields))
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                [adapt(row) for row in rows],
            )
            if not returning:
                return []
            cursor.execute("SELECT last_insert_rowid()")
            last = int(cursor.fetchone()[0])
            first = last - len(rows) + 1
            pk = quote(_pk(model))
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s",  # noqa: S608
                [first, last],
            )
            if cursor.fetchone()[0] != len(rows):
                raise RuntimeError(f"{opts.db_table}: new keys are not consecutive")
        return list(range(first, last + 1))

    def _copy_insert(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        returning: bool,
    ) -> list[int]:
        opts = model._meta
        quote = self.connection.ops.quote_name
        columns = [_column(model, name) for name in fields]
        ids: list[int] = []
        encode = _row_encoder(model, fields)
        with self.connection.cursor() as cursor:
            if returning:
                # Take the keys from the table's own sequence first: COPY cannot return them.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [opts.db_table, _pk(model), len(rows)],
                )
                ids = [row[0] for row in cursor.fetchall()]
                columns = [_pk(model), *columns]
                lines = [f"{pk}\t{encode(row)}\n" for pk, row in zip(ids, rows, strict=True)]
            else:
                lines = [f"{encode(row)}\n" for row in rows]
            statement = (
                f"COPY {quote(opts.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            )
            with cursor.copy(statement) as copy:
                for start in range(0, len(lines), COPY_LINES):
                    copy.write("".join(lines[start : start + COPY_LINES]))
        return ids

    # --- updates ---------------------------------------------------------------------------

    def update(
        self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Set ``fields`` from rows of (pk, *values)."""
        if not rows:
            return
        if self.postgres and len(rows) >= SMALL_UPDATE and self.connection.in_atomic_block:
            self._copy_update(model, fields, rows)
            return
        opts = model._meta
        quote = self.connection.ops.quote_name
        assignments = ", ".join(f"{quote(_column(model, name))} = %s" for name in fields)
        statement = (
            f"UPDATE {quote(opts.db_table)} SET {assignments} "  # noqa: S608 - names are ours
            f"WHERE {quote(_pk(model))} = %s"
        )
        adapt = _row_adapter(self.connection, model, fields)
        params = [[*adapt(row[1:]), row[0]] for row in rows]
        with self.connection.cursor() as cursor:
            cursor.executemany(statement, params)

    def _copy_update(
        self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        opts = model._meta
        quote = self.connection.ops.quote_name
        table = quote(opts.db_table)
        pk = quote(_pk(model))
        columns = [quote(_column(model, name)) for name in fields]
        temp = quote(f"import_{opts.db_table}_{next(_temp_tables)}")
        encode = _row_encoder(model, (_pk(model, name=True), *fields))
        with self.connection.cursor() as cursor:
            # CREATE ... AS ... WITH NO DATA copies the column types but no constraints.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {pk}, {', '.join(columns)} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                copy.write("".join(f"{encode(row)}\n" for row in rows))
            assignments = ", ".join(f"{c} = s.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {temp} AS s "  # noqa: S608
                f"WHERE t.{pk} = s.{pk}"
            )
            cursor.execute(f"DROP TABLE {temp}")

    # --- audit trail -----------------------------------------------------------------------

    def audit(self, rows: Sequence[AuditRow], *, at: datetime) -> None:
        """Audit entries in one batch: COPY on PostgreSQL, one executemany on SQLite (the
        same rows audit_bulk would write, without a model instance per entry)."""
        if not rows:
            return
        if self.postgres or (
            self.connection.vendor == "sqlite" and self.connection.in_atomic_block
        ):
            self.insert(
                AuditEntry,
                (
                    "at",
                    "actor_id",
                    "action",
                    "object_type",
                    "object_id",
                    "object_repr",
                    "changes",
                    "source",
                ),
                [
                    (
                        at,
                        actor_id,
                        action,
                        object_type,
                        object_id,
                        object_repr[:200],
                        changes,
                        source[:200],
                    )
                    for (
                        actor_id,
                        action,
                        object_type,
                        object_id,
                        object_repr,
                        changes,
                        source,
                    ) in rows
                ],
                returning=False,
            )
            return
        audit_bulk(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr[:200],
                changes=changes,
                source=source[:200],
            )
            for actor_id, action, object_type, object_id, object_repr, changes, source in rows
        )


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _column(model: type[models.Model], name: str) -> str:
    return str(_field(model, name).column)


def _pk(model: type[models.Model], *, name: bool = False) -> str:
    pk = model._meta.pk
    assert pk is not None
    return str(pk.name if name else pk.column)


# --- COPY text format ----------------------------------------------------------------------
# Building the text ourselves is several times faster than psycopg's per-row write_row, and
# the types that occur here are few.

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _escape(text: str) -> str:
    # Checking first is much cheaper than translate() on Cyrillic text, and rarely fails.
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


_dates: dict[Any, str] = {}


def _text(value: Any) -> str:
    if value is None:
        return NULL
    if value.__class__ is str:
        return _escape(value)
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (date, datetime)):
        text = _dates.get(value)
        if text is None:
            if len(_dates) > 100_000:
                _dates.clear()
            text = _dates[value] = value.isoformat()
        return text
    return _escape(str(value))


def _json_text(value: Any) -> str:
    if value is None:
        return NULL
    return _escape(json.dumps(value, ensure_ascii=False))


def _row_encoder(
    model: type[models.Model], fields: Sequence[str]
) -> Callable[[Sequence[Any]], str]:
    converters = [
        _json_text if isinstance(_field(model, name), models.JSONField) else _text
        for name in fields
    ]

    def encode(row: Sequence[Any]) -> str:
        return "\t".join([convert(value) for convert, value in zip(converters, row, strict=True)])

    return encode


# --- plain parameters (SQLite) ----------------------------------------------------------------


def _row_adapter(
    connection: Any, model: type[models.Model], fields: Sequence[str]
) -> Callable[[Sequence[Any]], list[Any]]:
    """Values as Django's backend would send them, minus the per-value machinery (the same
    few date and time objects repeat in every row, so they are adapted once)."""
    converters: list[Callable[[Any], Any] | None] = []
    for name in fields:
        field = _field(model, name)
        if isinstance(field, models.JSONField):
            converters.append(_json_param)
        elif isinstance(field, (models.DateTimeField, models.DateField)):
            converters.append(_cached_adapter(field, connection))
        else:
            converters.append(None)

    def adapt(row: Sequence[Any]) -> list[Any]:
        return [
            value if convert is None or value is None else convert(value)
            for convert, value in zip(converters, row, strict=True)
        ]

    return adapt


def _json_param(value: Any) -> str:
    return json.dumps(value)


def _cached_adapter(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any]:
    known: dict[Any, Any] = {}

    def adapt(value: Any) -> Any:
        result = known.get(value)
        if result is None:
            result = known[value] = field.get_db_prep_save(value, connection)
        return result

    return adapt
