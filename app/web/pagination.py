"""Page-number pagination over a select, with the total count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask, request

from app.extensions import db
from app.parsing import parse_int


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number() -> int:
    """The ?page= argument, at least 1."""
    raw = request.args.get("page", "1")
    return max(1, min(parse_int(raw) or 1, 10**6))


def paginate(stmt: sa.Select[Any], size: int, number: int | None = None) -> Page:
    """One page of the statement's scalar results and the total number of rows."""
    number = number or page_number()
    total = db.session.scalar(count_of(stmt))
    items = list(db.session.scalars(stmt.limit(size).offset((number - 1) * size)))
    return Page(items, number, size, int(total or 0))


def count_of(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """The count of the statement's rows: the same statement selecting count(*) where that is
    the same number (no grouping, distinct, limit or loader options), else over a subquery."""
    plain = (
        not stmt._group_by_clauses
        and not stmt._distinct
        and stmt._limit_clause is None
        and stmt._offset_clause is None
        and not stmt._with_options
        and not stmt._having_criteria
    )
    if plain:
        return stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    return sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())


def page_url(number: int) -> str:
    """The current URL with its query string, at another page."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def init_app(app: Flask) -> None:
    """Expose page_url() to templates."""
    app.jinja_env.globals["page_url"] = page_url
