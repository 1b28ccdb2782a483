"""Statements on the busiest paths, run on the database driver directly.

Issuing a lone ticket runs eight short statements in one transaction, and every kiosk tap looks its
device up: SQLAlchemy's work around each execution (≈ 40 µs here) cost more than SQLite's own.
These compile a Core statement once per dialect and run it on a driver cursor. Parameters and a
SELECT's columns still pass through their types' processors (`TypeEngine.bind_processor` and
`result_processor`), so the database is given, and the caller gets back, what SQLAlchemy's own
execution would give. RETURNING values come as the driver gives them (here: ids and numbers).

What SQLAlchemy's execution would add is skipped: its cursor events and echo do not see these
statements, and a driver error arrives as the driver's own exception (sqlite3.*, psycopg.*), not
wrapped in sqlalchemy.exc. Statements that need more than a fixed SQL text (IN lists expanded at
execution, values computed per execution, INSERT columns left to Python-side defaults, escaped
parameter names) are run by SQLAlchemy instead.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


class HotStatement:
    """A statement run on the driver cursor of a session's own connection, inside its transaction.
    Rows are named tuples (`row.service_id`). An INSERT names the columns it is given (`columns`),
    as SQLAlchemy's execution does from the parameters, and is refused any other ones."""

    def __init__(self, statement, columns: tuple[str, ...] | None = None):
        if columns is not None:
            unknown = set(columns) - set(statement.table.c.keys())
            if unknown:
                raise ValueError(f"no such column(s): {', '.join(sorted(unknown))}")
        self.statement = statement
        self.columns = frozenset(columns) if columns is not None else None
        self._column_keys = columns
        self._compiled: dict[tuple, _Compiled | None] = {}

    def rows(self, session: Session, **params) -> list[tuple]:
        if self.columns is not None and params.keys() != self.columns:
            raise ValueError(f"an insert of {sorted(self.columns)} was given {sorted(params)}")
        connection = session.connection()
        compiled = self._compiled_for(connection.dialect)
        if compiled is None:
            result = connection.execute(self.statement, params)
            return list(result) if result.returns_rows else []
        return compiled.run(connection.connection.driver_connection, params)

    def scalar(self, session: Session, **params):
        return self.rows(session, **params)[0][0]

    def many(self, session: Session, rows: list[dict]) -> None:
        """The statement once per row of parameters, in one call (an INSERT of several rows)."""
        if len(rows) <= 1:      # one row (a single change): no executemany machinery (psycopg's pipeline)
            for params in rows:
                self.rows(session, **params)
            return
        if self.columns is not None and any(params.keys() != self.columns for params in rows):
            raise ValueError(f"an insert of {sorted(self.columns)} was given other columns")
        connection = session.connection()
        compiled = self._compiled_for(connection.dialect)
        if compiled is None:
            connection.execute(self.statement, rows)
        else:
            compiled.run_many(connection.connection.driver_connection, rows)

    def _compiled_for(self, dialect: Dialect) -> _Compiled | None:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        if key not in self._compiled:   # two threads compiling at once compile the same thing
            self._compiled[key] = _Compiled.of(self.statement, dialect, self._column_keys)
        return self._compiled[key]


class DriverRead:
    """A one-statement read on a pooled driver connection of its own (a kiosk's device lookup, on
    every request), not in a session: SQLAlchemy's work around it and the session's BEGIN and
    ROLLBACK were most of the lookup's cost. Back in the pool, any transaction the driver began
    (PostgreSQL) is rolled back."""

    def __init__(self, engine: Engine, statement):
        self._engine = engine
        self._compiled = _Compiled.of(statement, engine.dialect, None)
        if self._compiled is None:
            raise ValueError("this statement needs SQLAlchemy's execution (see models/driver.py)")

    def rows(self, **params) -> list[tuple]:
        connection = self._engine.raw_connection()
        try:
            return self._compiled.run(connection.driver_connection, params)
        finally:
            connection.close()


@dataclass
class _Compiled:
    sql: str
    order: tuple[str, ...] | None          # parameter names in place order (qmark), or None (named)
    literals: dict                         # values written in the statement ('waiting', LIMIT 20)
    binds: dict[str, Callable]             # parameter name → its type's conversion
    columns: list                          # selected columns, for their conversions
    dialect: Dialect
    row: type = tuple
    results: tuple[Callable | None, ...] | None = None   # built at the first run, from its cursor

    @classmethod
    def of(cls, statement, dialect: Dialect, columns: tuple[str, ...] | None) -> _Compiled | None:
        """None when the statement needs SQLAlchemy's execution (see the module's docstring)."""
        compiled = statement.compile(dialect=dialect, column_keys=list(columns) if columns else None)
        if _needs_execution(compiled):
            return None
        binds = {name: processor for name, bind in compiled.binds.items()
                 if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
        literals = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        selected = list(statement.selected_columns) if isinstance(statement, Select) else []
        row = namedtuple("Row", [column.key for column in selected], rename=True) if selected else tuple
        return cls(str(compiled), tuple(compiled.positiontup) if compiled.positional else None, literals,
                   binds, selected, dialect, row)

    def run(self, driver_connection, params: dict) -> list[tuple]:
        cursor = driver_connection.cursor()
        try:
            cursor.execute(self.sql, self._values(params))
            if cursor.description is None:
                return []
            found = cursor.fetchall()
            if not self.columns:          # RETURNING: integers here, as they come
                return [tuple(row) for row in found]
            if self.results is None:
                self.results = self._result_processors(cursor.description)
        finally:
            cursor.close()
        make = self.row._make if self.row is not tuple else tuple
        if not any(self.results):         # nothing to convert (SQLite's integers and texts)
            return [make(row) for row in found]
        return [make([value if process is None else process(value)
                      for process, value in zip(self.results, row, strict=True)]) for row in found]

    def run_many(self, driver_connection, rows: list[dict]) -> None:
        """A statement without results, once per row of parameters (the driver's executemany)."""
        cursor = driver_connection.cursor()
        try:
            cursor.executemany(self.sql, [self._values(params) for params in rows])
        finally:
            cursor.close()

    def _values(self, params: dict):
        values = self.literals | params
        for name, process in self.binds.items():
            values[name] = process(values[name])
        return values if self.order is None else tuple(values[name] for name in self.order)

    def _result_processors(self, description) -> tuple[Callable | None, ...]:
        # As SQLAlchemy does: some conversions depend on the type the driver reports (PostgreSQL).
        return tuple(column.type.dialect_impl(self.dialect).result_processor(self.dialect, entry[1])
                     for column, entry in zip(self.columns, description, strict=True))


def _needs_execution(compiled) -> bool:
    binds = compiled.binds.values()
    return bool(any(bind.expanding or bind.callable is not None for bind in binds)
                or compiled.literal_execute_params or compiled.post_compile_params
                or compiled.escaped_bind_names or compiled.insert_prefetch or compiled.update_prefetch)
