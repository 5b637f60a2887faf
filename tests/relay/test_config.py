from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from forwarders import ForwarderContext, build_forwarders
from relay.config import load_config
from relay.keystore import load_keystore
from relay.errors import ConfigError
from relay.storage.sqlite import SQLiteStorage
from tests.helpers import init_data_dir, write_config


def build(tmp_path: Path, destination: dict[str, object]) -> None:
    init_data_dir(tmp_path, [destination])
    config = load_config(tmp_path)
    keystore = load_keystore(config)
    context = ForwarderContext(storage=SQLiteStorage(":memory:"), at_rest=keystore.at_rest, clock=lambda: None)  # type: ignore[arg-type, return-value]
    build_forwarders(config.destinations, context)


@pytest.mark.parametrize("destination, message", [
    ({"name": "x", "type": "carrier-pigeon"}, "unknown type 'carrier-pigeon' (known: atom, feed, geojson, ushahidi, webhook)"),
    ({"name": "x", "type": "webhook", "url": "https://a.example/h"}, "secret"),
    ({"name": "x", "type": "webhook", "url": "https://a.example/h", "secret": "whsec_AAAA",
      "age_recipient": "age1nope"}, "age_recipient"),
    ({"name": "x", "type": "feed"}, "token_sha256"),
    ({"name": "Bad Name", "type": "feed"}, "lowercase"),
    ({"name": "x", "type": "geojson", "time_precision": "second"}, "time_precision"),
    ({"name": "x", "type": "geojson", "location_precision_m": "far"}, "wrong type"),
    ({"name": "x", "type": "geojson", "location_epsilon": 0}, "'location_epsilon' must be above 0"),
    ({"name": "x", "type": "geojson", "batch_min": 0}, "'batch_min' must be at least 1"),
    ({"name": "x", "type": "geojson", "batch_min": 2.5}, "whole number"),
    ({"name": "x", "type": "geojson", "delay_mean_s": -1}, "'delay_mean_s' must be at least 0"),
    ({"name": "x", "type": "geojson", "retention_days": 0}, "'retention_days' must be above 0"),
    ({"name": "x", "type": "geojson", "fields": ["text", "ip"]}, "'fields' must list some of"),
    ({"name": "x", "type": "atom", "age_recipient": "age1x"}, "cannot be encrypted"),
    ({"name": "x", "type": "ushahidi", "url": "https://map.example", "secret": "s"}, "survey_id"),
    ({"name": "x", "type": "ushahidi", "url": "https://map.example", "survey_id": 1}, "secret"),
    ({"name": "x", "type": "ushahidi", "url": "https://map.example", "survey_id": 1, "secret": "s",
      "username": "u"}, "'username' and 'password' go together"),
])
def test_bad_destination_stops_start_up_with_a_clear_message(
    tmp_path: Path, destination: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build(tmp_path, destination)


def test_serve_with_unknown_type_exits_with_one_line(tmp_path: Path) -> None:
    init_data_dir(tmp_path, [])
    write_config(tmp_path, [{"name": "x", "type": "carrier-pigeon"}])
    done = subprocess.run([sys.executable, "-m", "relay", "serve", "--data-dir", str(tmp_path), "--port", "1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "unknown type 'carrier-pigeon'" in done.stderr and "Traceback" not in done.stderr


def test_missing_data_dir_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="relay init"):
        load_config(tmp_path / "nowhere")


def test_image_max_side_is_checked_and_zero_turns_downscaling_off(tmp_path: Path) -> None:
    from relay.config import parse_config

    assert parse_config({"relay": {"image_max_side": 0}}, tmp_path).image_max_side is None
    assert parse_config({"relay": {"image_max_side": 1024}}, tmp_path).image_max_side == 1024
    assert parse_config({}, tmp_path).image_max_side == 2048
    with pytest.raises(ConfigError, match="image_max_side"):
        parse_config({"relay": {"image_max_side": 10}}, tmp_path)


def test_a_password_in_destination_options_is_masked(tmp_path: Path) -> None:
    init_data_dir(tmp_path, [{"name": "m", "type": "ushahidi", "url": "https://map.example", "survey_id": 1,
                              "secret": "client-secret", "username": "u", "password": "PASSWORD-MARKER"}])
    [destination] = load_config(tmp_path).destinations
    assert "PASSWORD-MARKER" not in repr(destination) and "client-secret" not in repr(destination)
