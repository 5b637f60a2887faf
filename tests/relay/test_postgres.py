"""The PostgreSQL backend beyond the storage contract: migrations, the CLI,
the privacy promises on its tables, and many processes sharing one queue."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import psycopg
import pytest

from relay.errors import ConfigError
from relay.storage.migrations import LATEST
from relay.storage.postgres import PostgresStorage
from tests.helpers import Receiver, RelayProcess, init_data_dir, seal_for, wait_for

TEXT_MARKER = "zqxjpgmarkerwq"


def test_reopening_applies_nothing_and_a_newer_schema_is_refused(postgres_url: str) -> None:
    first = PostgresStorage(postgres_url)
    assert first.applied_migrations == list(range(1, LATEST + 1))
    first.close()
    second = PostgresStorage(postgres_url)
    assert second.applied_migrations == [] and second.schema_version() == LATEST
    second.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("INSERT INTO relay_schema (version, name) VALUES (%s, 'from the future')", (LATEST + 1,))
    with pytest.raises(ConfigError, match="newer than this relay"):
        PostgresStorage(postgres_url)


def test_an_unreachable_database_stops_start_up_with_a_message() -> None:
    with pytest.raises(ConfigError, match="cannot connect"):
        PostgresStorage("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", max_connections=1)


def test_p6_a_server_that_would_not_keep_commits_is_refused(postgres_url: str) -> None:
    dbname = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" SET synchronous_commit = off'.encode())
    with pytest.raises(ConfigError, match="synchronous_commit"):
        PostgresStorage(postgres_url)


def test_database_errors_are_unavailable_not_a_crash(postgres_url: str) -> None:
    from relay.errors import UnavailableError

    storage = PostgresStorage(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE inbox RENAME TO inbox_gone")  # stands in for a broken server
    with pytest.raises(UnavailableError):
        storage.add_reports([("kid", b"sealed")])
    storage.close()


def test_relay_migrate_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    init_data_dir(tmp_path / "data", [{"name": "map", "type": "geojson"}])
    env = {**os.environ, "RELAY_DATABASE_URL": postgres_url}
    command = [sys.executable, "-m", "relay", "migrate", "--data-dir", str(tmp_path / "data")]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    applied = ", ".join(str(v) for v in range(1, LATEST + 1))
    assert first.stdout.strip() == f"postgresql: applied {applied}; schema at version {LATEST}"
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert again.stdout.strip() == f"postgresql: nothing to apply; schema at version {LATEST}"
    assert not (tmp_path / "data" / "relay.db").exists()  # SQLite was not used


def _dump(url: str) -> bytes:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump not installed")
    return subprocess.run([pg_dump, "--data-only", url], capture_output=True, check=True, timeout=60).stdout


def test_p1_p2_no_plaintext_or_request_data_in_postgresql(tmp_path: Path, postgres_url: str,
                                                          receiver: Receiver) -> None:
    data = tmp_path / "data"
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    init_data_dir(data, [{"name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": secret,
                          "delay_mean_s": 3600}])  # deliveries wait in the table, encrypted
    headers = {"X-Forwarded-For": "203.0.113.77", "User-Agent": "ZeroTraceBrowser/9.9-marker"}
    relay = RelayProcess(data, env={"RELAY_DATABASE_URL": postgres_url})
    try:
        assert httpx.get(f"{relay.url}/readyz").json() == {"status": "ready", "database": "postgresql",
                                                          "schema": LATEST}
        for i in range(3):
            envelope = seal_for(relay.url, {"text": f"Retén {TEXT_MARKER} {i}"})
            assert httpx.post(f"{relay.url}/v1/reports", json=envelope, headers=headers).status_code == 202
        with psycopg.connect(postgres_url) as conn:
            wait_for(lambda: conn.execute("SELECT count(*) FROM deliveries").fetchone() == (3,))
    finally:
        relay.stop()
    dump = _dump(postgres_url)
    assert b"deliveries" in dump and dump.count(b"ngo-a") >= 3  # the rows are there ...
    for marker in (TEXT_MARKER, "Ret", "203.0.113.77", "ZeroTraceBrowser"):
        assert marker.encode() not in dump  # ... and hold none of it in the clear


def _start_worker(data: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "relay", "worker", "--data-dir", str(data)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})


@pytest.mark.slow
def test_two_api_nodes_four_workers_5000_reports_one_worker_killed(
        tmp_path: Path, postgres_url: str, receiver: Receiver) -> None:
    total = 5000
    data = tmp_path / "data"
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    init_data_dir(data, [{"name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": secret}],
                  relay={"lease_seconds": 5})
    env = {"RELAY_DATABASE_URL": postgres_url}
    apis = [RelayProcess(data, "--no-worker", env=env) for _ in range(2)]
    workers = [_start_worker(data, env, tmp_path / f"worker{i}.log") for i in range(4)]
    try:
        keyset = httpx.get(f"{apis[0].url}/v1/keys").json()
        envelope_for = [seal_for(apis[0].url, {"text": f"Retén en la glorieta, aviso {i}"}, keyset)
                        for i in range(total)]
        started = time.monotonic()

        def post(part: int) -> None:
            with httpx.Client(timeout=30) as client:
                for i in range(part, total, 8):
                    api = apis[i % 2]
                    assert client.post(f"{api.url}/v1/reports", json=envelope_for[i]).status_code == 202

        posters = [threading.Thread(target=post, args=(p,)) for p in range(8)]
        for t in posters:
            t.start()
        wait_for(lambda: len(receiver.requests) >= total // 4, timeout=120)
        workers[0].send_signal(signal.SIGKILL)  # mid-run, with claims in hand
        workers[0].wait()
        for t in posters:
            t.join()
        texts = lambda: {json.loads(r.body)["text"] for r in list(receiver.requests)}  # noqa: E731
        wait_for(lambda: len(texts()) == total, timeout=240, interval=0.5)
        print(f"{total} reports delivered in {time.monotonic() - started:.1f} s")
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(timeout=30)
        for api in apis:
            api.stop()
    assert texts() == {f"Retén en la glorieta, aviso {i}" for i in range(total)}
    by_id: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in receiver.requests:
        by_id[r.headers["webhook-id"]].append((r.started, r.finished))
    assert len(by_id) == total
    for spans in by_id.values():  # a redelivery (after the kill) never overlaps the first attempt
        spans.sort()
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone() == (0,)
