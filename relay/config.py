"""``relay.toml`` and the environment, parsed once at the edge into frozen dataclasses.

Anything missing or malformed raises ``ConfigError`` with a message that names
the setting, so the relay refuses to start rather than run half-configured.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from keys.secret import Secret
from relay.errors import ConfigError
from scrubber.timestamps import PRECISIONS

CONFIG_FILE = "relay.toml"
DEFAULT_DATA_DIR = "relay-data"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_COMMON_KEYS = {
    "name", "type", "url", "secret", "age_recipient", "token_sha256", "location_precision_m",
    "location_epsilon", "time_precision", "delay_mean_s", "batch_min", "batch_interval_s",
    "attachments", "fields", "retention_days",
}
# What a destination may receive; ``fields`` in relay.toml picks a subset.
# ``type`` and ``id`` always go (a delivery without them cannot be handled),
# ``epoch`` goes with ``pseudonym``.
FIELDS = ("category", "lang", "text", "place", "location", "occurred", "attachments", "redactions",
          "pseudonym")


@dataclass(frozen=True)
class DestinationConfig:
    """One entry of ``[[destinations]]``. Type-specific checks live in each forwarder."""

    name: str
    type: str
    url: str | None = None
    secret: Secret[str] | None = None
    age_recipient: str | None = None
    token_sha256: str | None = None
    location_precision_m: int = 1000
    # Planar-Laplace noise (geo-indistinguishability) per metre before the
    # grid snap; None: none. The mean displacement is 2 / epsilon metres.
    location_epsilon: float | None = None
    time_precision: str = "hour"
    delay_mean_s: float = 0.0
    # Batch mixing: hold deliveries until at least ``batch_min`` wait, and
    # release only on ``batch_interval_s`` ticks (0: as soon as enough wait).
    # None: the forwarder's default (batches for public destinations).
    batch_min: int | None = None
    batch_interval_s: float | None = None
    attachments: bool | None = None  # None: the forwarder's default (off for public ones)
    fields: tuple[str, ...] = FIELDS
    retention_days: float = 30.0  # feeds the relay serves: items older than this are deleted
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RelayConfig:
    data_dir: Path
    destinations: tuple[DestinationConfig, ...]
    max_body_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 10
    onion_location: str | None = None  # http://<56 chars>.onion, sent as Onion-Location on the form
    image_max_side: int | None = 2048  # photos are downscaled to this; None: kept at full size
    epoch: timedelta = timedelta(days=7)
    ingest_key_validity: timedelta = timedelta(days=30)
    ingest_key_grace: timedelta = timedelta(days=2)
    epoch_grace: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    delivery_deadline: timedelta = timedelta(days=7)
    retry_first: timedelta = timedelta(seconds=5)  # backoff doubles from here to a day
    # postgresql://... for the scale-out backend; None: SQLite in the data dir.
    database_url: Secret[str] | None = None

    @property
    def database_path(self) -> Path:
        return self.data_dir / "relay.db"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    return Path(data_dir or os.environ.get("RELAY_DATA_DIR") or DEFAULT_DATA_DIR)


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigError(f"{where}: '{key}' has the wrong type")
    return value


def _number(table: Mapping[str, Any], key: str, where: str, *, minimum: float, strict: bool = False) -> float:
    value = float(_typed(table, key, (int, float), where))
    if value < minimum or (strict and value == minimum):
        raise ConfigError(f"{where}: '{key}' must be {'above' if strict else 'at least'} {minimum:g}")
    return value


def _mixing(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Location noise, delay, batches and retention: numbers with a lower bound."""
    values: dict[str, Any] = {}
    if "location_epsilon" in table:
        values["location_epsilon"] = _number(table, "location_epsilon", where, minimum=0, strict=True)
    if "delay_mean_s" in table:
        values["delay_mean_s"] = _number(table, "delay_mean_s", where, minimum=0)
    if "batch_min" in table:
        values["batch_min"] = int(_number(table, "batch_min", where, minimum=1))
        if values["batch_min"] != table["batch_min"]:
            raise ConfigError(f"{where}: 'batch_min' must be a whole number")
    if "batch_interval_s" in table:
        values["batch_interval_s"] = _number(table, "batch_interval_s", where, minimum=0)
    if "retention_days" in table:
        values["retention_days"] = _number(table, "retention_days", where, minimum=0, strict=True)
    return values


def _destination(table: Mapping[str, Any], index: int) -> DestinationConfig:
    where = f"destinations[{index}]"
    for required in ("name", "type"):
        if required not in table:
            raise ConfigError(f"{where}: '{required}' is required")
    name = _typed(table, "name", str, where)
    if not _NAME.match(name):
        raise ConfigError(f"{where}: name must be lowercase letters, digits and dashes")
    where = f"destination '{name}'"
    values: dict[str, Any] = {"name": name, "type": _typed(table, "type", str, where)}
    for key in ("url", "age_recipient", "token_sha256"):
        if key in table:
            values[key] = _typed(table, key, str, where)
    if "secret" in table:
        values["secret"] = Secret(_typed(table, "secret", str, where))
    if "location_precision_m" in table:
        values["location_precision_m"] = _typed(table, "location_precision_m", int, where)
        if values["location_precision_m"] < 1:
            raise ConfigError(f"{where}: 'location_precision_m' must be at least 1")
    if "time_precision" in table:
        values["time_precision"] = _typed(table, "time_precision", str, where)
        if values["time_precision"] not in PRECISIONS:
            raise ConfigError(f"{where}: 'time_precision' must be one of {', '.join(PRECISIONS)}")
    if "attachments" in table:
        values["attachments"] = _typed(table, "attachments", bool, where)
    values.update(_mixing(table, where))
    if "fields" in table:
        fields = _typed(table, "fields", list, where)
        unknown = [f for f in fields if f not in FIELDS]
        if unknown or not fields:
            raise ConfigError(f"{where}: 'fields' must list some of {', '.join(FIELDS)}")
        values["fields"] = tuple(fields)
    values["options"] = {
        # A type's own secrets (Ushahidi's password) get the masked type too.
        k: Secret(str(v)) if k == "password" else v for k, v in table.items() if k not in _COMMON_KEYS
    }
    return DestinationConfig(**values)


def parse_config(
    document: Mapping[str, Any], data_dir: Path, environ: Mapping[str, str] | None = None
) -> RelayConfig:
    """``environ`` (default: the process environment) may set RELAY_DATABASE_URL,
    which wins over ``database_url`` in the file, so that a password need not
    be written to relay.toml."""
    environ = os.environ if environ is None else environ
    settings = document.get("relay", {})
    if not isinstance(settings, dict):
        raise ConfigError("[relay] must be a table")
    entries = document.get("destinations", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError("[[destinations]] must be an array of tables")
    destinations = tuple(_destination(e, i) for i, e in enumerate(entries))
    names = [d.name for d in destinations]
    if len(set(names)) != len(names):
        raise ConfigError("destination names must be unique")
    values: dict[str, Any] = {"data_dir": data_dir, "destinations": destinations}
    for key in ("max_body_bytes", "max_attachments"):
        if key in settings:
            values[key] = _typed(settings, key, int, "[relay]")
    if "onion_location" in settings:
        onion = _typed(settings, "onion_location", str, "[relay]").rstrip("/")
        if not re.fullmatch(r"https?://[a-z2-7]{56}\.onion", onion):
            raise ConfigError("[relay] onion_location must be http://<56 characters>.onion")
        values["onion_location"] = onion
    if "image_max_side" in settings:  # 0 turns downscaling off
        side = _typed(settings, "image_max_side", int, "[relay]")
        if side < 0 or 0 < side < 64:
            raise ConfigError("[relay] image_max_side must be 0 (off) or at least 64 pixels")
        values["image_max_side"] = side or None
    url = environ.get("RELAY_DATABASE_URL") or (
        _typed(settings, "database_url", str, "[relay]") if "database_url" in settings else None)
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("database_url must be a postgresql:// URL (leave it out for SQLite)")
        values["database_url"] = Secret(url)
    durations = {
        "epoch_days": ("epoch", "days"),
        "ingest_key_validity_days": ("ingest_key_validity", "days"),
        "ingest_key_grace_hours": ("ingest_key_grace", "hours"),
        "epoch_grace_hours": ("epoch_grace", "hours"),
        "delivery_deadline_days": ("delivery_deadline", "days"),
        "lease_seconds": ("lease", "seconds"),
        "retry_first_seconds": ("retry_first", "seconds"),
    }
    for key, (attr, unit) in durations.items():
        if key in settings:
            amount = _typed(settings, key, (int, float), "[relay]")
            if amount <= 0:
                raise ConfigError(f"[relay]: '{key}' must be positive")
            values[attr] = timedelta(**{unit: amount})
    return RelayConfig(**values)


def load_config(data_dir: str | os.PathLike[str] | None) -> RelayConfig:
    """Read ``relay.toml`` from the data dir; stops with ``ConfigError`` when it cannot."""
    root = resolve_data_dir(data_dir)
    path = root / CONFIG_FILE
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path} not found; run `relay init --data-dir {root}` first") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(document, root)
