"""Written-out read queries for the busiest pages, and the model instances they load.

Compiling a query through the ORM costs more than running it on the pages people open most
(the programme manager's application list, a founder's dashboard). There the queries are
written out; this module runs them and turns their rows into the same objects the ORM would:

- `fetch` runs a statement through a Django cursor, so execute wrappers and error
  translation apply, and `assertNumQueries` counts it. On PostgreSQL it is a prepared
  statement with binary results: planned once per connection, its rows decoded in C rather
  than parsed from text. While queries are logged (DEBUG, the test suite's query counts) it
  runs as the ORM's queries do, so that the log shows the SQL with its values.
- `Columns` selects a model's fields under a table alias; `Columns.load` builds the instance
  from a row's values with the ORM's own converters (`Model.from_db`), so that a written-out
  query and its ORM twin give equal objects on SQLite and PostgreSQL alike (each use is held
  to the ORM's answer by tests); `relate` links the instances of one row as select_related
  would, and `table` quotes a model's table name.

Prepared statements need a session of one's own on the server: behind a pooler in
transaction mode, set DATABASE_PREPARED_STATEMENTS=0 (settings.py) and the statements run
unprepared, still with binary results.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Model


class _PreparedCursor(psycopg.Cursor):
    """Binds on the server, prepares the statement (when the connection allows it: psycopg
    ignores `prepare` when its prepare_threshold is None) and asks for binary results."""

    def execute(self, query, params=None, *, prepare=True, binary=True):
        return super().execute(query, params, prepare=prepare, binary=binary)


def _cursor():
    """A Django cursor (execute wrappers, error translation); on PostgreSQL over a
    _PreparedCursor, unless queries are being logged (DEBUG, `assertNumQueries`): the log then
    gets the SQL with its values, as the ORM's queries are logged."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    return connection.make_cursor(_PreparedCursor(connection.connection))


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    """Every row that a statement with %s placeholders returns (see the module's docstring)."""
    cursor = _cursor()
    with cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def table(model: type[Model]) -> str:
    """The model's table name, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


def relate(instance: Model, name: str, related: Model | None, back: str | None = None) -> None:
    """Give `instance` its related object `name` as select_related would (None for a LEFT JOIN
    that found nothing), and `related` its way `back` to `instance`."""
    instance._state.fields_cache[name] = related
    if related is not None and back is not None:
        related._state.fields_cache[back] = instance


class Columns:
    """Some (or all) concrete fields of `model` as `alias`.`column`, in the order of the model's
    fields (the order `Model.from_db` expects its values in); the primary key always."""

    def __init__(self, model: type[Model], alias: str, names: Sequence[str] | None = None):
        wanted = None if names is None else {*names, model._meta.pk.attname}
        self.model, self.alias = model, alias
        self.fields = tuple(
            field
            for field in model._meta.concrete_fields
            if wanted is None or field.attname in wanted
        )
        unknown = (wanted or set()) - {field.attname for field in self.fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
        self.attnames = tuple(field.attname for field in self.fields)
        self._pk_index = self.attnames.index(model._meta.pk.attname)
        self._converters: dict[str, list] = {}

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def converters(self) -> list:
        """(index, column, the ORM's converters) for each field that has any, on this
        database."""
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                chain = connection.ops.get_db_converters(column) + field.get_db_converters(
                    connection
                )
                if chain:
                    found.append((index, column, chain))
            self._converters[vendor] = found
        return self._converters[vendor]

    def load(self, values: Iterator) -> Model | None:
        """The instance from the next len(self.fields) values of `values` (an iterator over a row),
        or None when its primary key is NULL (a LEFT JOIN that found nothing)."""
        row = [next(values) for _ in self.fields]
        if row[self._pk_index] is None:
            return None
        for index, column, chain in self.converters():
            value = row[index]
            for converter in chain:
                value = converter(value, column, connection)
            row[index] = value
        return self.model.from_db(connection.alias, self.attnames, row)
