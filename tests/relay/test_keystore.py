"""Rotation, grace, destruction: on real files in a real data dir."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nacl.public import PrivateKey, SealedBox

from keys.pseudonyms import epoch_index, epoch_start
from relay.config import load_config
from relay.errors import KeyExpiredError
from relay.keystore import KeyStore, load_keystore
from tests.helpers import files_under, init_data_dir

GRACE_H = 48


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    init_data_dir(tmp_path, [], relay={"ingest_key_grace_hours": GRACE_H, "ingest_key_validity_days": 30,
                                       "epoch_days": 7, "epoch_grace_hours": 1})
    return load_keystore(load_config(tmp_path))


def seal_to(store: KeyStore, kid: str, now: datetime) -> bytes:
    key = next(k for k in store.keyring if k.kid == kid)
    return bytes(SealedBox(PrivateKey(key.private.reveal()).public_key).encrypt(b"reporte"))


def holding(root: Path, secret: bytes) -> list[str]:
    """Files holding the secret, raw or base64 (as the key files store it)."""
    forms = (secret, base64.b64encode(secret))
    return [str(p.relative_to(root)) for p in files_under(root) if any(f in p.read_bytes() for f in forms)]


def test_key_rotated_out_an_hour_ago_opens_in_grace_and_is_refused_after(store: KeyStore) -> None:
    now = datetime.now(UTC)
    old = store.keyring.current(now)
    sealed = seal_to(store, old.kid, now)
    new = store.rotate(now)
    an_hour_later = now + timedelta(hours=1)
    assert store.keyring.current(an_hour_later).kid == new.kid
    assert [k["kid"] for k in store.keyring.published(an_hour_later)] == [new.kid]
    assert store.open(old.kid, sealed, an_hour_later) == b"reporte"
    with pytest.raises(KeyExpiredError) as refused:
        store.open(old.kid, sealed, now + timedelta(hours=GRACE_H, seconds=1))
    assert new.kid in refused.value.message and old.kid not in refused.value.message.split("key ", 1)[-1]


def test_retired_key_is_destroyed_after_grace_and_its_bytes_are_gone(store: KeyStore) -> None:
    root = store.config.data_dir
    now = datetime.now(UTC)
    old = store.keyring.current(now)
    private = old.private.reveal()
    assert holding(root, private)  # the test can see it while it exists
    store.rotate(now)
    assert store.maintain(now + timedelta(hours=GRACE_H - 1)) == []
    assert old.kid in [k.kid for k in store.keyring]
    events = store.maintain(now + timedelta(hours=GRACE_H + 1))
    assert f"destroyed ingest key {old.kid}" in events
    assert old.kid not in [k.kid for k in store.keyring]
    assert holding(root, private) == []


def test_rotation_is_scheduled_before_the_current_key_expires(store: KeyStore) -> None:
    now = datetime.now(UTC)
    first = store.keyring.current(now)
    assert store.maintain(now) == []
    due = first.not_after - timedelta(hours=GRACE_H - 1)
    events = store.maintain(due)
    assert events and events[0].startswith("rotated to ")
    assert store.keyring.current(due).kid != first.kid
    assert store.maintain(due) == []  # once


def test_another_process_sees_a_rotation(store: KeyStore) -> None:
    other = load_keystore(store.config)
    new = store.rotate(datetime.now(UTC))
    sealed = bytes(SealedBox(PrivateKey(new.private.reveal()).public_key).encrypt(b"nuevo"))
    assert other.open(new.kid, sealed, datetime.now(UTC)) == b"nuevo"  # refreshed on the unknown kid


def test_epoch_secret_is_destroyed_after_its_epoch_and_grace(store: KeyStore) -> None:
    root = store.config.data_dir
    week = timedelta(days=7)
    now = datetime.now(UTC)
    index = epoch_index(now, week)
    secret = store.epochs.secret_for(index)
    end = epoch_start(index + 1, week)
    assert store.maintain(end + timedelta(minutes=30)) == [] or index in store.epochs.indices()
    assert holding(root, secret)
    events = store.maintain(end + timedelta(hours=1, seconds=1))
    assert f"destroyed epoch secret {index}" in events
    assert holding(root, secret) == []


def test_key_files_are_never_rewritten(store: KeyStore) -> None:
    ingest = store.paths["ingest"]
    before = {p.name: p.read_bytes() for p in ingest.glob("*.json")}
    store.rotate(datetime.now(UTC))
    after = {p.name: p.read_bytes() for p in ingest.glob("*.json")}
    assert all(after[name] == content for name, content in before.items())
    retired = list(ingest.glob("*.retired"))
    assert len(retired) == 1 and json.dumps(retired[0].read_text())


def test_two_processes_on_the_same_schedule_rotate_once(store: KeyStore) -> None:
    stores = [store, load_keystore(store.config)]  # each opens its own lock file, as processes do
    due = store.keyring.current(datetime.now(UTC)).not_after - timedelta(hours=1)
    start = threading.Barrier(2)
    events: list[list[str]] = []

    def run(s: KeyStore) -> None:
        start.wait()
        events.append(s.maintain(due))

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rotations = [e for batch in events for e in batch if e.startswith("rotated")]
    assert len(rotations) == 1
    assert len(list(store.paths["ingest"].glob("*.json"))) == 2
