"""P1 (no request identifiers kept) and P2 (no plaintext at rest), on the artifacts."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import httpx
import pyrage

from tests.helpers import (
    FEED_TOKEN, Receiver, RelayProcess, feed_destination, files_under, init_data_dir, seal_for, send_form,
    wait_for,
)

XFF_MARKER = "203.0.113.77"
UA_MARKER = "ZeroTraceBrowser/9.9-marker"
TEXT_MARKER = "zqxjmarkerwq"


def _scan(root: Path, markers: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in files_under(root):
        data = path.read_bytes()
        for marker in markers:
            if marker.encode() in data:
                found.setdefault(marker, []).append(str(path.relative_to(root)))
    return found


def test_p1_zero_trace_of_request_data_after_delivery(tmp_path: Path, receiver: Receiver) -> None:
    data = tmp_path / "data"
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    init_data_dir(data, [
        {"name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": secret},
        feed_destination(),
        {"name": "map", "type": "geojson"},
    ])
    relay = RelayProcess(data)
    try:
        headers = {"X-Forwarded-For": XFF_MARKER, "X-Real-IP": XFF_MARKER, "Forwarded": f"for={XFF_MARKER}",
                   "User-Agent": UA_MARKER, "Cookie": f"id={UA_MARKER}"}
        for i in range(3):
            envelope = seal_for(relay.url, {"text": f"Retén {TEXT_MARKER} número {i}", "location": {"lat": 19.4, "lon": -99.1}})
            assert httpx.post(f"{relay.url}/v1/reports", json=envelope, headers=headers).status_code == 202
        form = {"text": f"Balacera {TEXT_MARKER} por el mercado", "lang": "es"}
        send_form(relay.url, form, headers=headers)
        bad = httpx.post(f"{relay.url}/v1/reports", content=b"{nope", headers={**headers, "content-type": "application/json"})
        assert bad.status_code == 400
        wait_for(lambda: len(receiver.requests) == 4)
        feed = httpx.get(f"{relay.url}/v1/feeds/ngo-feed", headers={"Authorization": f"Bearer {FEED_TOKEN}"})
        assert len(feed.json()["items"]) == 4
    finally:
        relay.stop()
    # The delivery really carried the text (so the scan below is meaningful) ...
    assert any(TEXT_MARKER.encode() in r.body for r in receiver.requests)
    # ... and no request header reached the destination either.
    assert not any(XFF_MARKER in str(r.headers) or UA_MARKER in str(r.headers) for r in receiver.requests)
    # Database, WAL, SHM, server log, temp dir: none holds any marker.
    assert (data / "relay.db").exists() and (data / "server.log").exists()
    assert _scan(data, [XFF_MARKER, UA_MARKER, TEXT_MARKER]) == {}


def test_p2_waiting_reports_are_sealed_in_the_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    init_data_dir(data, [feed_destination()])
    relay = RelayProcess(data, "--no-worker")  # reports stay in the inbox
    try:
        envelope = seal_for(relay.url, {"text": f"Desaparición {TEXT_MARKER}"})
        assert httpx.post(f"{relay.url}/v1/reports", json=envelope).status_code == 202
        form = {"text": f"Retén {TEXT_MARKER} en la glorieta"}
        send_form(relay.url, form)
    finally:
        relay.stop()
    assert _scan(data, [TEXT_MARKER, "Desaparici", "glorieta"]) == {}


def test_p2_feed_items_at_rest_are_encrypted_and_age_wrapped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    identity = pyrage.x25519.Identity.generate()
    init_data_dir(data, [feed_destination(age_recipient=str(identity.to_public()))])
    relay = RelayProcess(data)
    try:
        envelope = seal_for(relay.url, {"text": f"Extorsión {TEXT_MARKER}"})
        httpx.post(f"{relay.url}/v1/reports", json=envelope)
        auth = {"Authorization": f"Bearer {FEED_TOKEN}"}
        items = wait_for(lambda: httpx.get(f"{relay.url}/v1/feeds/ngo-feed", headers=auth).json()["items"])
    finally:
        relay.stop()
    assert items[0]["type"] == "report.encrypted"
    assert TEXT_MARKER in pyrage.decrypt(items[0]["age"].encode(), [identity]).decode()
    assert _scan(data, [TEXT_MARKER, "Extorsi"]) == {}
