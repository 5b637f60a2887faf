"""A report from `relay submit` to a real webhook receiver, through the real server."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyrage
import pytest
import standardwebhooks

from keys.keyring import verify_keyset
from tests.helpers import Receiver, RelayProcess, init_data_dir, seal_for, wait_for

PHONE = "81 1234 5678"
EMAIL = "maria.lopez@example.com"
LAT, LON = 25.686613, -100.316116


@pytest.fixture
def webhook_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


@pytest.fixture
def identity() -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.generate()


@pytest.fixture
def relay(tmp_path: Path, receiver: Receiver, webhook_secret: str,
          identity: pyrage.x25519.Identity) -> Iterator[RelayProcess]:
    init_data_dir(tmp_path / "data", [{
        "name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": webhook_secret,
        "age_recipient": str(identity.to_public()), "location_precision_m": 1000,
        "time_precision": "hour",
    }])
    server = RelayProcess(tmp_path / "data")
    yield server
    server.stop()


def relay_submit(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "relay", "submit", "--url", url, *args],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def decrypt_delivery(received: bytes, identity: pyrage.x25519.Identity) -> dict[str, object]:
    wrapper = json.loads(received)
    assert wrapper["type"] == "report.encrypted"
    return json.loads(pyrage.decrypt(wrapper["age"].encode(), [identity]))


def test_report_reaches_webhook_signed_encrypted_and_scrubbed(
    relay: RelayProcess, receiver: Receiver, webhook_secret: str, identity: pyrage.x25519.Identity
) -> None:
    receipt = relay_submit(
        relay.url, "--text", f"Retén en la carretera a Saltillo. Llámenme al {PHONE} o a {EMAIL}",
        "--lat", str(LAT), "--lon", str(LON), "--category", "checkpoint",
        "--occurred-at", "2026-11-20T21:47:13-06:00",
    )
    assert receipt.startswith("r_")
    wait_for(lambda: receiver.requests)
    request = receiver.requests[0]

    # Standard Webhooks: the stock package verifies our signature.
    standardwebhooks.Webhook(webhook_secret).verify(request.body, request.headers)
    report = decrypt_delivery(request.body, identity)

    assert PHONE not in json.dumps(report) and EMAIL not in json.dumps(report)
    assert "[TELÉFONO]" in report["text"] and "[CORREO]" in report["text"]
    assert "Retén en la carretera a Saltillo" in report["text"]
    location = report["location"]
    assert location["precision_m"] == 1000
    assert (location["lat"], location["lon"]) != (LAT, LON)
    assert abs(location["lat"] - LAT) < 0.01 and abs(location["lon"] - LON) < 0.01
    assert report["occurred"] == "2026-11-20T21:00:00-06:00"
    assert report["pseudonym"] and report["id"] == request.headers["webhook-id"]
    assert report["category"] == "checkpoint"


@pytest.mark.skipif(shutil.which("age") is None, reason="the age CLI is not installed")
def test_age_cli_decrypts_the_delivery(
    relay: RelayProcess, receiver: Receiver, identity: pyrage.x25519.Identity, tmp_path: Path
) -> None:
    relay_submit(relay.url, "--text", "Balacera en la colonia Centro")
    wait_for(lambda: receiver.requests)
    key_file = tmp_path / "identity.txt"
    key_file.write_text(str(identity) + "\n")
    armored = json.loads(receiver.requests[0].body)["age"]
    done = subprocess.run(["age", "--decrypt", "-i", str(key_file)], input=armored.encode(),
                          capture_output=True, timeout=30, check=True)
    assert json.loads(done.stdout)["text"] == "Balacera en la colonia Centro"


def test_codename_keeps_pseudonym_within_epoch_and_none_gives_fresh_ones(
    relay: RelayProcess, receiver: Receiver, identity: pyrage.x25519.Identity
) -> None:
    codename = "nube faro limón trigo cobre viento sal"
    relay_submit(relay.url, "--text", "primer reporte", "--codename", codename)
    relay_submit(relay.url, "--text", "segundo reporte", "--codename", codename.upper())
    relay_submit(relay.url, "--text", "sin nombre uno")
    relay_submit(relay.url, "--text", "sin nombre dos")
    wait_for(lambda: len(receiver.requests) == 4)
    by_text = {r["text"]: r for r in (decrypt_delivery(q.body, identity) for q in receiver.requests)}
    assert by_text["primer reporte"]["pseudonym"] == by_text["segundo reporte"]["pseudonym"]
    assert by_text["primer reporte"]["id"] != by_text["segundo reporte"]["id"]
    pseudonyms = {by_text[t]["pseudonym"] for t in ("primer reporte", "sin nombre uno", "sin nombre dos")}
    assert len(pseudonyms) == 3


def test_submit_refuses_a_tampered_or_unpinned_key_set(relay: RelayProcess) -> None:
    other = base64.b64encode(os.urandom(32)).decode()
    done = subprocess.run(
        [sys.executable, "-m", "relay", "submit", "--url", relay.url, "--text", "x",
         "--signing-key", other], capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "pinned" in done.stderr and "Traceback" not in done.stderr


def test_rotation_by_the_cli_reaches_the_running_server(relay: RelayProcess, receiver: Receiver,
                                                       identity: pyrage.x25519.Identity) -> None:
    old_kid = httpx.get(f"{relay.url}/v1/keys").json()["ingest"][0]["kid"]
    sealed_before = seal_for(relay.url, {"text": "sellado antes de rotar"})
    done = subprocess.run([sys.executable, "-m", "relay", "keys", "rotate", "--data-dir", str(relay.data_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "new ingest key" in done.stdout
    keyset = httpx.get(f"{relay.url}/v1/keys").json()
    assert [k["kid"] for k in keyset["ingest"]] != [old_kid] and len(keyset["ingest"]) == 1
    verify_keyset(keyset)
    assert httpx.post(f"{relay.url}/v1/reports", json=sealed_before).status_code == 202  # grace period
    relay_submit(relay.url, "--text", "sellado después de rotar")
    wait_for(lambda: len(receiver.requests) == 2)
    texts = {decrypt_delivery(r.body, identity)["text"] for r in receiver.requests}
    assert texts == {"sellado antes de rotar", "sellado después de rotar"}


def test_attachments_arrive_cleaned_with_what_was_removed(
    relay: RelayProcess, receiver: Receiver, identity: pyrage.x25519.Identity, tmp_path: Path
) -> None:
    """A photo, a PDF and a voice note with real metadata go in through the
    API; what the NGO receives has none of it, and says which kinds went."""
    from tests.scrubber.files import samples
    from tests.scrubber.files.leaks import leaks

    files = {"foto.jpg": samples.photo(tmp_path, "JPEG"), "acta.pdf": samples.pdf_document(tmp_path),
             "nota.mp3": samples.audio(tmp_path, "mp3")}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths += ["--file", str(tmp_path / name)]
    relay_submit(relay.url, "--text", "Balacera frente a la escuela", *paths)
    wait_for(lambda: receiver.requests, timeout=60)
    report = decrypt_delivery(receiver.requests[0].body, identity)
    attachments = report["attachments"]
    assert [a["content_type"] for a in attachments] == ["image/jpeg", "application/pdf", "audio/mpeg"]
    for attachment in attachments:
        data = base64.b64decode(attachment["data"])
        assert leaks(data, tmp_path) == [], attachment["content_type"]
        assert attachment["removed"]
    assert "gps" in attachments[0]["removed"] and "document_info" in attachments[1]["removed"]
