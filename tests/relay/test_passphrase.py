"""Key files sealed under an operator passphrase: nothing usable on a seized disk without it."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import httpx

from keys.secret import Secret
from relay.config import load_config
from relay.keystore import load_keystore
from tests.helpers import RelayProcess, feed_destination, files_under, seal_for, wait_for, write_config

PASSPHRASE = "correct horse battery staple, en español"


def relay(*args: str, passphrase: str | None = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RELAY_KEY_PASSPHRASE"}
    if passphrase is not None:
        env["RELAY_KEY_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "relay", *args], capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def test_encrypted_key_store_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert relay("init", "--encrypt-keys", "--data-dir", str(data)).returncode == 0
    write_config(data, [feed_destination()])
    store = load_keystore(load_config(data), Secret(PASSPHRASE))
    secrets = [k.private.reveal() for k in store.keyring] + [store.signer.private.reveal()]
    secrets.append(store.epochs.secret_for(1))
    for path in files_under(data):
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content and base64.b64encode(secret) not in content, path

    locked = relay("keys", "list", "--data-dir", str(data), passphrase=None)
    assert locked.returncode == 1 and "RELAY_KEY_PASSPHRASE" in locked.stderr
    wrong = relay("keys", "list", "--data-dir", str(data), passphrase="not the passphrase at all")
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr and "Traceback" not in wrong.stderr
    assert relay("keys", "list", "--data-dir", str(data)).returncode == 0

    server = RelayProcess(data, env={"RELAY_KEY_PASSPHRASE": PASSPHRASE})
    try:
        assert httpx.post(f"{server.url}/v1/reports", json=seal_for(server.url, {"text": "hola"})).status_code == 202
        auth = {"Authorization": "Bearer test-feed-token"}
        wait_for(lambda: httpx.get(f"{server.url}/v1/feeds/ngo-feed", headers=auth).json()["items"])
    finally:
        server.stop()
    assert relay("init", "--data-dir", str(data)).returncode == 0  # re-running init stays safe


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    done = relay("init", "--encrypt-keys", "--data-dir", str(tmp_path / "d"), passphrase="short")
    assert done.returncode == 1 and "12 characters" in done.stderr
