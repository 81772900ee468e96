"""Paging and sorting of the initiatives table: parsed strictly, turned back into links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from flask_babel import lazy_gettext as _l

PER_PAGE_CHOICES = (25, 50, 100)
MAX_PAGE = 999_999
# column -> the direction a first click sorts in
SORT_COLUMNS = {"title": "asc", "start_year": "desc", "updated": "desc"}


class ArgumentError(ValueError):
    """A paging or sorting argument has a value we do not understand."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TableArgs:
    page: int = 1
    per_page: int = 50
    sort: str = "updated"
    order: str = "desc"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> TableArgs:
        """Read page, per_page, sort and order; raises ArgumentError naming the bad one."""
        page = args.get("page", "1").strip() or "1"
        if not re.fullmatch(r"\d{1,6}", page) or not 1 <= int(page) <= MAX_PAGE:
            raise ArgumentError("page", _l("page must be a whole number from 1 upwards"))
        per_page = args.get("per_page", str(cls.per_page)).strip() or str(cls.per_page)
        if not per_page.isdigit() or int(per_page) not in PER_PAGE_CHOICES:
            choices = ", ".join(str(c) for c in PER_PAGE_CHOICES)
            raise ArgumentError(
                "per_page", _l("per_page must be one of %(choices)s", choices=choices)
            )
        sort = args.get("sort", cls.sort).strip() or cls.sort
        if sort not in SORT_COLUMNS:
            choices = ", ".join(SORT_COLUMNS)
            raise ArgumentError("sort", _l("sort must be one of %(choices)s", choices=choices))
        order = args.get("order", "").strip() or SORT_COLUMNS[sort]
        if order not in ("asc", "desc"):
            raise ArgumentError("order", _l("order must be asc or desc"))
        return cls(int(page), int(per_page), sort, order)

    @property
    def descending(self) -> bool:
        return self.order == "desc"

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        """Query arguments for links: only what differs from the defaults."""
        chosen = replace(self, **overrides)
        out = {
            f.name: getattr(chosen, f.name)
            for f in fields(chosen)
            if f.name != "order" and getattr(chosen, f.name) != f.default
        }
        if chosen.order != SORT_COLUMNS[chosen.sort]:
            out["order"] = chosen.order
        return out

    def sorted_by(self, column: str) -> dict[str, Any]:
        """Arguments of the header link for a column: first page, toggled if already sorted."""
        if column == self.sort:
            order = "asc" if self.descending else "desc"
        else:
            order = SORT_COLUMNS[column]
        return self.to_args(sort=column, order=order, page=1)


def page_window(current: int, last: int, width: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and `width` either side of the current one,
    with None where numbers are left out."""
    shown = sorted({1, last, *range(max(1, current - width), min(last, current + width) + 1)})
    out: list[int | None] = []
    for before, number in zip([0, *shown], shown, strict=False):
        if before and number - before > 1:
            out.append(None)
        out.append(number)
    return out
