"""The JSON Schema of the instrument format, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from .model import Instrument

SCHEMA_ID = "https://example.invalid/survey/instruments/schema.json"


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema that editors can use to validate and complete instrument files."""
    schema = Instrument.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """Return the schema as committed in instruments/schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
