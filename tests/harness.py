"""The relay's worker in-process with a fake clock: real SQLite, real HTTP
receivers, real forwarders, and time that moves only when a test says so."""

from __future__ import annotations

import asyncio
import base64
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from relay.config import load_config
from relay.ingest import Ingestor
from relay.keystore import load_keystore
from relay.runtime import Runtime, build_runtime
from relay.storage.sqlite import SQLiteStorage
from tests.helpers import init_data_dir


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


@dataclass
class Harness:
    runtime: Runtime
    storage: SQLiteStorage
    ingestor: Ingestor
    clock: FakeClock
    loop: asyncio.AbstractEventLoop
    http: httpx.AsyncClient

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()
        self.storage.close()

    def submit(self, text: str = "Retén en el puente", **report: Any) -> None:
        self.loop.run_until_complete(self.ingestor.accept_plain({"text": text, **report}))

    def step(self) -> int:
        """One worker pass, waiting for its deliveries, on the loop the HTTP client lives on."""
        return self.loop.run_until_complete(self.runtime.worker.run_once())

    def pending(self) -> dict[tuple[str, str], int]:
        return {(c.destination, c.state): c.count for c in self.storage.queue_counts() if c.count}


def make_harness(tmp_path: Path, destinations: list[dict[str, Any]], seed: int = 1, **relay: Any) -> Harness:
    init_data_dir(tmp_path, destinations, relay={"delivery_deadline_days": 0.001, **relay})
    config = load_config(tmp_path)
    keystore = load_keystore(config)
    storage = SQLiteStorage(config.database_path)
    clock = FakeClock()
    loop = asyncio.new_event_loop()
    http = httpx.AsyncClient()
    runtime = build_runtime(config, keystore=keystore, storage=storage, http=http,
                            clock=clock, rng=random.Random(seed))
    return Harness(runtime, storage, Ingestor(config, keystore, storage, clock), clock, loop, http)
