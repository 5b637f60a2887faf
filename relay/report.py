"""The ingest envelope and the report schema (SPEC: Ingest), validated strictly.

Validation errors name the field and the rule, never the submitted value.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pydantic
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from relay.errors import EnvelopeError, MalformedJSONError, ValidationError

CATEGORIES = ("checkpoint", "shooting", "disappearance", "extortion", "other")
Category = Literal["checkpoint", "shooting", "disappearance", "extortion", "other"]


class _Strict(BaseModel):
    # Unknown fields are refused, not ignored: a partner app that sends a field
    # we do not scrub must learn so, instead of the field silently vanishing.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Location(_Strict):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class Attachment(_Strict):
    filename: Annotated[str, StringConstraints(max_length=255)] = ""
    content_type: Annotated[str, StringConstraints(max_length=127)] = ""
    data: str

    def decoded(self) -> bytes:
        return decode_base64(self.data, "attachment data")


class Report(_Strict):
    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000, pattern=r"\S")]
    category: Category | None = None
    occurred_at: AwareDatetime | None = None
    location: Location | None = None
    place: Annotated[str, StringConstraints(max_length=500)] | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)
    codename: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    lang: Literal["es", "en"] | None = None


@dataclass(frozen=True)
class Envelope:
    kid: str
    sealed: bytes


def decode_base64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"{what} is not valid base64", code="bad_base64") from None


def parse_envelope(body: bytes) -> Envelope:
    """``{"v": 1, "kid": ..., "sealed": <base64>}`` or a 400 naming what is wrong."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedJSONError("request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise EnvelopeError("request body must be a JSON object")
    if document.get("v") != 1:
        raise EnvelopeError("envelope version 'v' must be 1", code="unsupported_version")
    kid, sealed = document.get("kid"), document.get("sealed")
    if not isinstance(kid, str) or not kid:
        raise EnvelopeError("'kid' must be a non-empty string")
    if not isinstance(sealed, str) or not sealed:
        raise EnvelopeError("'sealed' must be a non-empty base64 string")
    extra = set(document) - {"v", "kid", "sealed"}
    if extra:
        raise EnvelopeError("envelope has unknown fields: " + ", ".join(sorted(map(str, extra))[:5]))
    return Envelope(kid, decode_base64(sealed, "'sealed'"))


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "report"
    return f"{where}: {error['msg']}"


def parse_report(plaintext: bytes) -> Report:
    """The opened report, schema-checked; ``ValidationError`` (422) names each bad field."""
    try:
        document = json.loads(plaintext)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("the sealed report is not valid UTF-8 JSON") from None
    try:
        return Report.model_validate(document)
    except pydantic.ValidationError as exc:
        problems = [_describe(e) for e in exc.errors(include_input=False, include_url=False)]
        raise ValidationError("; ".join(problems[:5])) from None
