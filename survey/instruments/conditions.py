"""Structured conditions used by show_if and alerts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Operator = Literal["==", "!=", ">", ">=", "<", "<=", "in"]
Literal_ = int | float | str
OPERATORS: tuple[str, ...] = ("==", "!=", ">", ">=", "<", "<=", "in")
ORDERING_OPERATORS = frozenset({">", ">=", "<", "<="})


class Condition(BaseModel):
    """One comparison of an item answer (or, in alerts, a scale score) with a literal."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    item: str | None = None
    scale: str | None = None
    op: Operator
    value: Literal_ | tuple[Literal_, ...]


class ConditionGroup(BaseModel):
    """Conditions joined by `all` (and) or `any` (or); exactly one of the two is given."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    all_: tuple[Condition, ...] | None = Field(default=None, alias="all")
    any_: tuple[Condition, ...] | None = Field(default=None, alias="any")

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Return the conditions, whichever join is used."""
        return self.all_ or self.any_ or ()

    @property
    def joined_by_all(self) -> bool:
        """Return whether every condition must hold."""
        return self.all_ is not None
