"""Real servers for tests: the relay in a subprocess, an HTTP receiver in a thread."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from nacl.public import PublicKey, SealedBox

from relay.datadir import hash_token
from relay.keystore import ensure_keys
from relay.config import RelayConfig

FEED_TOKEN = "test-feed-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    started: float = 0.0  # time.monotonic() when the request arrived and was answered
    finished: float = 0.0


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST.

    ``responses`` is a queue of (status, headers) answered in order, then 200.
    """

    requests: list[Received] = field(default_factory=list)
    responses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delay_s: float = 0.0
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                started = time.monotonic()
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                status, headers = receiver.responses.pop(0) if receiver.responses else (200, {})
                receiver.requests.append(
                    Received(self.path, dict(self.headers.items()), body, started, time.monotonic()))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = serve_in_thread(Handler, self.port)
        self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        stop_server(self._server)
        self._server = None


def serve_in_thread(handler: type[BaseHTTPRequestHandler], port: int = 0) -> ThreadingHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (``port`` 0: any free one), serving in the background."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_server(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()


def write_config(data_dir: Path, destinations: list[dict[str, Any]], relay: dict[str, Any] | None = None) -> None:
    """A relay.toml from plain dicts (tests write their own destinations)."""
    lines = ["[relay]"]
    for key, value in (relay or {}).items():
        lines.append(f"{key} = {json.dumps(value)}")
    for destination in destinations:
        lines.append("[[destinations]]")
        for key, value in destination.items():
            lines.append(f"{key} = {json.dumps(value)}")
    (data_dir / "relay.toml").write_text("\n".join(lines) + "\n")


def init_data_dir(data_dir: Path, destinations: list[dict[str, Any]], relay: dict[str, Any] | None = None) -> None:
    ensure_keys(data_dir, datetime.now(UTC), RelayConfig(data_dir, ()).ingest_key_validity)
    write_config(data_dir, destinations, relay)


def feed_destination(name: str = "ngo-feed", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "feed", "token_sha256": hash_token(FEED_TOKEN), **extra}


class RelayProcess:
    """``relay serve`` in a subprocess on a free loopback port; stderr goes to a
    log file inside the data dir, and TMPDIR points inside it too, so that a
    scan of the data dir covers the database, WAL, logs and temp files."""

    def __init__(self, data_dir: Path, *extra_args: str, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        tmp = data_dir / "tmp"
        tmp.mkdir(exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1", **(env or {})}
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relay", "serve", "--data-dir", str(data_dir),
             "--port", str(self.port), *extra_args],
            stdout=self._log, stderr=subprocess.STDOUT, env=env,
        )
        wait_for(self._ready, timeout=30)

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError("relay exited at start:\n" + self.log_path.read_text())
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self._log.close()


def seal_for(relay_url: str, report: dict[str, Any] | bytes, keyset: dict[str, Any] | None = None) -> dict[str, Any]:
    """An envelope sealed to the relay's current key (the test acting as a partner app);
    pass ``keyset`` to seal many without fetching it each time."""
    keyset = keyset or httpx.get(f"{relay_url}/v1/keys").json()
    key = keyset["ingest"][0]
    plaintext = report if isinstance(report, bytes) else json.dumps(report).encode()
    sealed = SealedBox(PublicKey(base64.b64decode(key["public_key"]))).encrypt(plaintext)
    return {"v": 1, "kid": key["kid"], "sealed": base64.b64encode(sealed).decode()}


def files_under(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def send_form(relay_url: str, fields: dict[str, str], files: list[tuple[str, bytes]] | None = None,
              headers: dict[str, str] | None = None, lang: str = "es") -> httpx.Response:
    """The form as a browser without JavaScript uses it: review, then send.
    Returns the receipt page (asserted to be one)."""
    import re

    upload = [("files", (name, data, "application/octet-stream")) for name, data in files or []]
    preview = httpx.post(f"{relay_url}/submit?lang={lang}", data={"lang": lang, **fields, "action": "review"},
                         files=upload or None, headers=headers, timeout=60)
    assert preview.status_code == 200, preview.text
    hidden = dict(re.findall(r'name="(draft|key)" value="([^"]+)"', preview.text))
    receipt = httpx.post(f"{relay_url}/submit?lang={lang}", headers=headers, timeout=60,
                         data={"lang": lang, "action": "send", **hidden})
    assert receipt.status_code == 200 and "r_" in receipt.text, receipt.text
    return receipt
