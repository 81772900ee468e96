"""Paging and sorting of the initiatives table: parsed strictly, turned back into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from kommunkarta import rules
from kommunkarta.services.errors import InvalidField

PER_PAGE_CHOICES = (25, 50, 100)
MAX_PAGE = 999_999
# column -> the direction a first click sorts in
SORT_COLUMNS = {"title": "asc", "start_year": "desc", "updated": "desc"}


@dataclass(frozen=True)
class TableArgs:
    page: int = 1
    per_page: int = 50
    sort: str = "updated"
    order: str = "desc"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> TableArgs:
        """Read page, per_page, sort and order; raises InvalidField naming the bad one."""
        page = rules.whole_number(args.get("page", "").strip() or "1", "page", 1, MAX_PAGE)
        per_page = args.get("per_page", "").strip() or str(cls.per_page)
        choices = ", ".join(str(c) for c in PER_PAGE_CHOICES)
        chosen = rules.whole_number(per_page, "per_page", 1, max(PER_PAGE_CHOICES))
        if chosen not in PER_PAGE_CHOICES:
            raise InvalidField(
                "per_page", _l("per_page must be one of %(choices)s", choices=choices), per_page
            )
        sort = args.get("sort", cls.sort).strip() or cls.sort
        if sort not in SORT_COLUMNS:
            choices = ", ".join(SORT_COLUMNS)
            raise InvalidField("sort", _l("sort must be one of %(choices)s", choices=choices))
        order = args.get("order", "").strip() or SORT_COLUMNS[sort]
        if order not in ("asc", "desc"):
            raise InvalidField("order", _l("order must be asc or desc"))
        return cls(page, chosen, sort, order)

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
