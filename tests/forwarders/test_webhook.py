"""Webhook delivery through the real worker, a real receiver and a fake clock."""

from __future__ import annotations

import asyncio
import base64
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import standardwebhooks

from relay.config import load_config
from relay.keystore import load_keystore
from relay.ingest import Ingestor
from relay.runtime import Runtime, build_runtime
from relay.storage.sqlite import SQLiteStorage
from tests.helpers import Receiver, init_data_dir


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Harness:
    runtime: Runtime
    storage: SQLiteStorage
    ingestor: Ingestor
    clock: FakeClock
    secret: str
    loop: asyncio.AbstractEventLoop
    http: httpx.AsyncClient

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()
        self.storage.close()

    def submit(self, text: str = "Retén en el puente") -> None:
        self.loop.run_until_complete(self.ingestor.accept_plain({"text": text}))

    def step(self) -> int:
        """One worker pass, on the one loop the harness's HTTP client lives on."""
        return self.loop.run_until_complete(self.runtime.worker.run_once())

    def pending(self) -> dict[tuple[str, str], int]:
        return {(c.destination, c.state): c.count for c in self.storage.queue_counts() if c.count}


@pytest.fixture
def harness(tmp_path: Path, receiver: Receiver) -> Iterator[Harness]:
    h = make_harness(tmp_path, receiver)
    yield h
    h.close()


def make_harness(tmp_path: Path, receiver: Receiver, **destination: Any) -> Harness:
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    init_data_dir(tmp_path, [{"name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": secret,
                              **destination}], relay={"delivery_deadline_days": 0.001})
    config = load_config(tmp_path)
    keystore = load_keystore(config)
    storage = SQLiteStorage(config.database_path)
    clock = FakeClock()
    loop = asyncio.new_event_loop()
    http = httpx.AsyncClient()
    runtime = build_runtime(config, keystore=keystore, storage=storage, http=http,
                            clock=clock, rng=random.Random(1))
    return Harness(runtime, storage, Ingestor(config, keystore, storage, clock), clock, secret, loop, http)


def test_receiver_down_then_up_gets_it_once_with_a_stable_webhook_id(harness: Harness, receiver: Receiver) -> None:
    receiver.responses = [(503, {}), (502, {})]
    harness.submit()
    harness.step()
    harness.clock.advance(11)
    harness.step()
    harness.clock.advance(25)
    harness.step()
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    standardwebhooks.Webhook(harness.secret).verify(receiver.requests[-1].body, receiver.requests[-1].headers)
    assert harness.pending() == {}


def test_retry_waits_for_its_backoff(harness: Harness, receiver: Receiver) -> None:
    receiver.responses = [(500, {})]
    harness.submit()
    harness.step()
    harness.clock.advance(2)  # below the first backoff (2.5-5 s)
    harness.step()
    assert len(receiver.requests) == 1


def test_429_retry_after_is_honoured(harness: Harness, receiver: Receiver) -> None:
    receiver.responses = [(429, {"Retry-After": "60"})]
    harness.submit()
    harness.step()
    harness.clock.advance(59)
    harness.step()
    assert len(receiver.requests) == 1
    harness.clock.advance(2)
    harness.step()
    assert len(receiver.requests) == 2


def test_410_disables_the_destination_and_keeps_the_delivery(harness: Harness, receiver: Receiver) -> None:
    receiver.responses = [(410, {})]
    harness.submit()
    harness.step()
    harness.submit("segundo")
    for _ in range(3):
        harness.clock.advance(3600)
        harness.step()
    assert len(receiver.requests) == 1
    assert harness.storage.disabled_destinations() == {"ngo-a": "HTTP 410 Gone: destination disabled"}
    assert harness.pending()[("ngo-a", "pending")] == 2


def test_a_hanging_receiver_times_out_and_is_retried(tmp_path: Path, receiver: Receiver) -> None:
    harness = make_harness(tmp_path, receiver, timeout_s=0.3)
    try:
        receiver.delay_s = 1.0
        harness.submit()
        harness.step()
        assert harness.pending() == {("ngo-a", "pending"): 1}
        receiver.delay_s = 0
        harness.clock.advance(10)
        harness.step()
        assert harness.pending() == {}
    finally:
        harness.close()


def test_past_the_deadline_a_delivery_becomes_a_dead_letter(harness: Harness, receiver: Receiver) -> None:
    receiver.responses = [(500, {})] * 100
    harness.submit()
    for _ in range(30):
        harness.step()
        harness.clock.advance(3600)
    assert harness.pending()[("ngo-a", "dead")] == 1
    assert 1 < len(receiver.requests) < 30


def test_a_report_that_cannot_be_opened_stays_in_the_inbox_and_blocks_nothing(
    harness: Harness, receiver: Receiver
) -> None:
    kid = next(iter(harness.runtime.pipeline.keystore.keyring)).kid
    harness.storage.add_reports([(kid, b"not a sealed box")])
    harness.submit("el bueno")
    harness.step()
    assert len(receiver.requests) == 1
    assert harness.pending() == {("", "inbox"): 1}


def test_v1a_ed25519_signature_verifies_with_the_published_signing_key(tmp_path: Path, receiver: Receiver) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    harness = make_harness(tmp_path, receiver, signatures=["v1", "v1a"])
    try:
        harness.submit()
        harness.step()
        [request] = receiver.requests
        standardwebhooks.Webhook(harness.secret).verify(request.body, request.headers)  # v1 still there
        schemes = dict(part.split(",", 1) for part in request.headers["webhook-signature"].split(" "))
        assert set(schemes) == {"v1", "v1a"}
        public = Ed25519PublicKey.from_public_bytes(harness.runtime.pipeline.keystore.signer.public_key)
        signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
        public.verify(base64.b64decode(schemes["v1a"]), signed)
    finally:
        harness.close()


def test_v1a_only_needs_no_shared_secret(tmp_path: Path) -> None:
    from forwarders import ForwarderContext, build_forwarders
    from relay.config import DestinationConfig

    keystore_dir = tmp_path / "k"
    init_data_dir(keystore_dir, [])
    keystore = load_keystore(load_config(keystore_dir))
    destination = DestinationConfig(name="ngo", type="webhook", url="https://ngo.example/h",
                                    options={"signatures": ["v1a"]})
    context = ForwarderContext(storage=SQLiteStorage(":memory:"), at_rest=keystore.at_rest,
                               clock=FakeClock(), signer=keystore.signer)
    assert build_forwarders((destination,), context)["ngo"].destination.secret is None
