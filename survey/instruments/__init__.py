"""The instrument format: YAML questionnaires loaded into immutable, versioned models."""

from .answers import AnswerError, AnswerValue
from .item_types import ITEM_TYPES, ItemType
from .items import ItemBase as Item
from .items import ResponseScale
from .loader import (
    InstrumentError,
    InstrumentIssue,
    LoadResult,
    load_directory,
    load_instrument_file,
    load_instrument_text,
)
from .localized import LocalizedText
from .model import Alert, Band, Instrument, Scale
from .registry import InstrumentRegistry
from .schema import json_schema

__all__ = [
    "ITEM_TYPES",
    "Alert",
    "AnswerError",
    "AnswerValue",
    "Band",
    "Instrument",
    "InstrumentError",
    "InstrumentIssue",
    "InstrumentRegistry",
    "Item",
    "ItemType",
    "LoadResult",
    "LocalizedText",
    "ResponseScale",
    "Scale",
    "json_schema",
    "load_directory",
    "load_instrument_file",
    "load_instrument_text",
]
