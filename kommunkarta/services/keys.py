"""A list of keys as a derived table to join with, instead of `column IN (...)`.

Without statistics (nothing runs ANALYZE on a SQLite database) SQLite's planner prefers the
index on `initiatives.state` to an IN list of more than a few keys, and walks every published
initiative (tens of milliseconds at 100,000) instead of looking the keys up. Joined from a
derived table, the keys come first. PostgreSQL plans both shapes well.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Subquery, literal, select, union_all
from sqlalchemy.types import TypeEngine


def keys_table(
    values: Iterable[Any], type_: type[TypeEngine[Any]] | TypeEngine[Any], name: str = "key"
) -> Subquery:
    """A one-column derived table (column `name`) holding `values`; at least one value."""
    return union_all(*(select(literal(v, type_).label(name)) for v in values)).subquery()
