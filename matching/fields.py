"""An integer-array column that works on both databases Vetta runs on.

PostgreSQL stores ``integer[]`` (GIN-indexable, ``@>`` / ``&&`` in SQL); SQLite stores the
same list as JSON text and matching filters it in numpy instead.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class IntArrayField(models.Field):
    description = "A list of integers (integer[] on PostgreSQL, JSON text elsewhere)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int]:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[int]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = json.loads(value)
        return [int(v) for v in value]

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if value is None:
            return None
        ints = sorted({int(v) for v in value})
        return ints if connection.vendor == "postgresql" else json.dumps(ints)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))


@IntArrayField.register_lookup
class ContainsAll(models.Lookup):
    """``skills__contains_all=[…]``: the array holds every id (PostgreSQL ``@>``, GIN-indexed)."""

    lookup_name = "contains_all"

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotImplementedError("contains_all needs PostgreSQL; filter in numpy instead.")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> {rhs}::integer[]", [*lhs_params, *rhs_params]
