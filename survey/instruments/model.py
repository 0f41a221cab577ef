"""The Instrument model: an immutable, versioned questionnaire definition."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .conditions import ConditionGroup
from .item_types import ITEM_TYPES
from .items import ID_PATTERN, ItemBase, LikertItem, Number, ResponseScale
from .localized import LocalizedText

# The item union is built from the registry, so a new type is one registry entry.
if TYPE_CHECKING:
    Item = ItemBase
else:
    Item = Annotated[Union[tuple(t.model for t in ITEM_TYPES.values())], Field(discriminator="type")]  # noqa: UP007
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)


class Band(BaseModel):
    """A labelled part of a scale's range: min <= score < max (the last band includes its max)."""

    model_config = _STRICT

    id: str = Field(pattern=ID_PATTERN)
    label: LocalizedText
    min: Number
    max: Number


class Scale(BaseModel):
    """A score computed from several numeric items."""

    model_config = _STRICT

    id: str = Field(pattern=ID_PATTERN)
    label: LocalizedText
    items: tuple[str, ...] = Field(min_length=1)
    method: Literal["mean", "sum"] = "mean"
    min_answered: int | None = None  # None: every item must count
    range: tuple[Number, Number] | None = None  # optional; checked against the items' range
    higher_is_better: bool
    bands: tuple[Band, ...] = ()

    @property
    def required_answers(self) -> int:
        """Return how many items must count for the scale to have a score."""
        return len(self.items) if self.min_answered is None else self.min_answered


class Alert(BaseModel):
    """A condition over answers or scores that makes the app show support resources."""

    model_config = _STRICT

    id: str = Field(pattern=ID_PATTERN)
    condition: ConditionGroup
    message: LocalizedText


class Licence(BaseModel):
    """Who holds the rights to the wording, and what they allow."""

    model_config = _STRICT

    type: str = Field(min_length=1)
    holder: str = Field(min_length=1)
    redistribution_allowed: bool
    modification_allowed: bool
    attribution: str | None = None


class Citation(BaseModel):
    """A reference for the construct or the questionnaire."""

    model_config = _STRICT

    text: str = Field(min_length=1)
    url: str | None = None
    doi: str | None = None


class Instrument(BaseModel):
    """A questionnaire; its content_hash identifies the exact version answered."""

    model_config = _STRICT

    id: str = Field(pattern=ID_PATTERN)
    version: str = Field(min_length=1)
    title: LocalizedText
    instructions: LocalizedText | None = None
    time_frame: LocalizedText | None = None
    # "construct" would shadow BaseModel.construct, so the attribute takes a trailing underscore.
    construct_: str = Field(alias="construct", min_length=1)
    estimated_minutes: Number
    validated: bool
    disclaimer: LocalizedText | None = None
    licence: Licence
    citations: tuple[Citation, ...] = ()
    locales: tuple[Annotated[str, Field(pattern=LOCALE_PATTERN)], ...] = Field(min_length=1)
    response_scales: dict[str, ResponseScale] = Field(default_factory=dict)
    items: tuple[Item, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = ()
    alerts: tuple[Alert, ...] = ()

    def model_post_init(self, context: Any, /) -> None:
        """Attach each likert item's response scale so it can parse answers alone."""
        for item in self.items:
            if isinstance(item, LikertItem):
                item._scale = self.response_scales.get(item.response_scale)

    def definition(self) -> dict[str, Any]:
        """Return the normalised, JSON-able definition (defaults omitted) that the hash covers."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> Instrument:
        """Rebuild an instrument from definition(), with the same checks as a YAML file.

        :raises InstrumentError: if the definition is not valid.
        """
        from .loader import instrument_from_data  # the loader imports this module

        return instrument_from_data(definition, "<definition>")

    @cached_property
    def content_hash(self) -> str:
        """Return the sha256 hex of the canonical JSON of the definition."""
        canonical = json.dumps(self.definition(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @cached_property
    def _items_by_id(self) -> dict[str, ItemBase]:
        return {item.id: item for item in self.items}

    def item(self, item_id: str) -> ItemBase:
        """Return the item with this id.

        :raises KeyError: if there is none.
        """
        return self._items_by_id[item_id]

    def scale(self, scale_id: str) -> Scale:
        """Return the scale with this id.

        :raises KeyError: if there is none.
        """
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    @cached_property
    def _item_ranges(self) -> dict[str, tuple[float, float] | None]:
        # Filled in as asked, per item (and per scale below): value_range() rebuilds a likert
        # item's anchors on every call, and scoring asks for every range on every submission. Only this
        # instrument's own items and scales are kept (an instrument never changes); a broken one, asked
        # for by the checks, raises as before without touching the others.
        return {}

    @cached_property
    def _scale_ranges(self) -> dict[str, tuple[float, float]]:
        return {}

    def numeric_range(self, item: ItemBase | str) -> tuple[float, float] | None:
        """Return the (min, max) answer of a numeric item, None for other items."""
        found = self.item(item) if isinstance(item, str) else item
        own = self._items_by_id.get(found.id) is found
        if not own or found.id not in self._item_ranges:
            found_range = found.value_range() if ITEM_TYPES[found.type].numeric else None
            if not own:
                return found_range
            self._item_ranges[found.id] = found_range
        return self._item_ranges[found.id]

    def scale_range(self, scale: Scale | str) -> tuple[float, float]:
        """Return the lowest and highest score a scale can take (its items share one range)."""
        found = self.scale(scale) if isinstance(scale, str) else scale
        own = any(candidate is found for candidate in self.scales)
        if not own or found.id not in self._scale_ranges:
            found_range = self._scale_range(found)
            if not own:
                return found_range
            self._scale_ranges[found.id] = found_range
        return self._scale_ranges[found.id]

    def _scale_range(self, scale: Scale) -> tuple[float, float]:
        low, high = self.numeric_range(scale.items[0]) or (0.0, 0.0)
        count = len(scale.items) if scale.method == "sum" else 1
        return low * count, high * count

    def text(self, localized: LocalizedText | None, locale: str) -> str:
        """Return a text in locale, falling back to the first declared locale."""
        return localized.in_locale(locale, self.locales[0]) if localized is not None else ""

    @property
    def bands_are_clinical(self) -> bool:
        """Return whether bands may be read clinically: only for validated instruments."""
        return self.validated
