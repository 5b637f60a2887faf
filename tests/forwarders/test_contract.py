"""Every registered forwarder honours the same contract; the relay-served feeds render right."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from forwarders import FORWARDERS, ForwarderContext, build_forwarders
from relay.config import DestinationConfig, load_config
from relay.datadir import hash_token
from relay.errors import ConfigError
from relay.keystore import load_keystore
from relay.storage.sqlite import SQLiteStorage
from tests.helpers import FEED_TOKEN, RelayProcess, feed_destination, init_data_dir, seal_for, wait_for

VALID: dict[str, dict[str, Any]] = {
    "webhook": {"url": "http://127.0.0.1:9/hook", "secret": "whsec_" + base64.b64encode(os.urandom(24)).decode()},
    "feed": {"token_sha256": hash_token(FEED_TOKEN)},
    "geojson": {},
    "atom": {},
    "ushahidi": {"url": "http://127.0.0.1:9", "secret": "client-secret", "survey_id": 1},
}
REPORT = {"type": "report", "id": "d_x", "pseudonym": "abcd-efgh-ijklm", "epoch": "2026-11-19",
          "category": "checkpoint", "text": "Retén", "place": None, "location": None, "occurred": None,
          "attachments": [], "redactions": {}}


def test_every_registered_type_has_a_valid_example_here() -> None:
    assert set(FORWARDERS) == set(VALID)


def _build(kind: str, tmp_path: Path, **extra: Any) -> Any:
    init_data_dir(tmp_path, [{"name": "dest", "type": kind, **VALID[kind], **extra}])
    config = load_config(tmp_path)
    keystore = load_keystore(config)
    context = ForwarderContext(storage=SQLiteStorage(":memory:"), at_rest=keystore.at_rest, clock=lambda: None)  # type: ignore[arg-type, return-value]
    return build_forwarders(config.destinations, context)["dest"]


@pytest.mark.parametrize("kind", sorted(FORWARDERS))
def test_forwarder_contract(kind: str, tmp_path: Path) -> None:
    forwarder = _build(kind, tmp_path)
    assert FORWARDERS[kind].type == kind and isinstance(forwarder.public, bool)
    destination = forwarder.destination
    assert isinstance(destination, DestinationConfig)
    body = json.loads(forwarder.encode(REPORT))
    if forwarder.public:
        # Public by default: nothing that links a sender's reports, no files, batches (P5).
        assert "pseudonym" not in body and "epoch" not in body, "public readers must not link senders"
        assert "pseudonym" not in destination.fields and destination.attachments is False
        assert destination.batch_min >= 2 and destination.batch_interval_s > 0
    else:
        assert body["pseudonym"] == REPORT["pseudonym"] and destination.attachments is True
        assert destination.batch_min == 1 and destination.batch_interval_s == 0


@pytest.mark.parametrize("kind", sorted(FORWARDERS))
def test_an_operator_can_turn_batches_and_attachments_off_or_on(kind: str, tmp_path: Path) -> None:
    extra: dict[str, Any] = {"batch_min": 1, "batch_interval_s": 0, "fields": ["text", "category"]}
    if kind != "ushahidi":  # cannot upload media: refused at start-up instead (below)
        extra["attachments"] = True
    destination = _build(kind, tmp_path, **extra).destination
    assert (destination.batch_min, destination.batch_interval_s, destination.fields) == (1, 0, ("text", "category"))
    assert destination.attachments is False  # not in fields: not sent, whatever `attachments` says


def test_ushahidi_refuses_attachments_rather_than_dropping_them_silently(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="attachments"):
        _build("ushahidi", tmp_path, attachments=True)


def test_an_unknown_type_stops_start_up_naming_the_known_ones(tmp_path: Path) -> None:
    init_data_dir(tmp_path, [{"name": "dest", "type": "carrier-pigeon"}])
    config = load_config(tmp_path)
    context = ForwarderContext(storage=SQLiteStorage(":memory:"), at_rest=None, clock=lambda: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError, match="unknown type 'carrier-pigeon'.*atom, feed, geojson, ushahidi, webhook"):
        build_forwarders(config.destinations, context)


def test_public_geojson_and_pull_feed_through_the_real_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    init_data_dir(data, [feed_destination(), {"name": "map", "type": "geojson", "location_precision_m": 1000,
                                              "batch_min": 1, "batch_interval_s": 0}])
    relay = RelayProcess(data)
    try:
        for i in range(3):
            report = {"text": f"Retén {i}", "location": {"lat": 25.6866, "lon": -100.3161}}
            assert httpx.post(f"{relay.url}/v1/reports", json=seal_for(relay.url, report)).status_code == 202
        httpx.post(f"{relay.url}/v1/reports", json=seal_for(relay.url, {"text": "sin lugar"}))
        geo = wait_for(lambda: (r := httpx.get(f"{relay.url}/public/map.geojson")).json()["features"][3:] and r)
        auth = {"Authorization": f"Bearer {FEED_TOKEN}"}
        first = httpx.get(f"{relay.url}/v1/feeds/ngo-feed?after=0", headers=auth).json()
        rest = httpx.get(f"{relay.url}/v1/feeds/ngo-feed?after=2", headers=auth).json()
        again = httpx.get(f"{relay.url}/public/map.geojson", headers={"If-None-Match": geo.headers["etag"]})
    finally:
        relay.stop()
    assert geo.headers["content-type"] == "application/geo+json"
    collection = geo.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 4
    point = collection["features"][-1]  # newest first
    assert point["geometry"]["type"] == "Point"
    lon, lat = point["geometry"]["coordinates"]
    assert round(lon) == -100 and round(lat) == 26  # RFC 7946 order: [longitude, latitude]
    assert "pseudonym" not in point["properties"] and point["properties"]["precision_m"] == 1000
    assert collection["features"][0]["geometry"] is None
    assert again.status_code == 304
    assert len(first["items"]) == 4 and first["cursor"] == "4"
    assert [i["text"] for i in rest["items"]] == [first["items"][2]["text"], first["items"][3]["text"]]


def test_feed_items_expire_after_the_retention(tmp_path: Path) -> None:
    from tests.harness import make_harness

    h = make_harness(tmp_path, [feed_destination("ngo", retention_days=0.5)])
    try:
        h.submit("viejo")
        h.step()
        assert h.storage.feed_head("ngo")[0] == 1
        h.clock.advance(11 * 3600)
        h.submit("nuevo")
        h.step()
        assert h.storage.feed_head("ngo")[0] == 2  # the first is 11-12 h old: kept
        h.clock.advance(2 * 3600)
        h.step()
        [kept] = h.storage.feed_items("ngo", 0, 10)
        assert kept.seq == 2
    finally:
        h.close()
