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
    "time_precision", "delay_mean_s", "attachments", "public",
}


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
    time_precision: str = "hour"
    delay_mean_s: float = 0.0
    attachments: bool | None = None  # None: the forwarder's default (off for public ones)
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
    if "delay_mean_s" in table:
        values["delay_mean_s"] = float(_typed(table, "delay_mean_s", (int, float), where))
        if values["delay_mean_s"] < 0:
            raise ConfigError(f"{where}: 'delay_mean_s' cannot be negative")
    if "attachments" in table:
        values["attachments"] = _typed(table, "attachments", bool, where)
    values["options"] = {k: v for k, v in table.items() if k not in _COMMON_KEYS}
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
