"""Webhook delivery through the real worker, a real receiver and a fake clock."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import standardwebhooks

from relay.config import load_config
from relay.keystore import load_keystore
from relay.storage.sqlite import SQLiteStorage
from tests.harness import FakeClock, make_harness, new_secret
from tests.helpers import Receiver, init_data_dir


@dataclass
class Webhook:
    """A harness with one webhook destination, and its secret."""

    harness: Webhook
    secret: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.harness, name)


@pytest.fixture
def harness(tmp_path: Path, receiver: Receiver) -> Iterator[Webhook]:
    h = make_webhook(tmp_path, receiver)
    yield h
    h.close()


def make_webhook(tmp_path: Path, receiver: Receiver, **destination: Any) -> Webhook:
    secret = new_secret()
    h = make_harness(tmp_path, [{"name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": secret,
                                 **destination}])
    return Webhook(h, secret)


def test_receiver_down_then_up_gets_it_once_with_a_stable_webhook_id(harness: Webhook, receiver: Receiver) -> None:
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


def test_retry_waits_for_its_backoff(harness: Webhook, receiver: Receiver) -> None:
    receiver.responses = [(500, {})]
    harness.submit()
    harness.step()
    harness.clock.advance(2)  # below the first backoff (2.5-5 s)
    harness.step()
    assert len(receiver.requests) == 1


def test_429_retry_after_is_honoured(harness: Webhook, receiver: Receiver) -> None:
    receiver.responses = [(429, {"Retry-After": "60"})]
    harness.submit()
    harness.step()
    harness.clock.advance(59)
    harness.step()
    assert len(receiver.requests) == 1
    harness.clock.advance(2)
    harness.step()
    assert len(receiver.requests) == 2


def test_410_disables_the_destination_and_keeps_the_delivery(harness: Webhook, receiver: Receiver) -> None:
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
    harness = make_webhook(tmp_path, receiver, timeout_s=0.3)
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


def test_past_the_deadline_a_delivery_becomes_a_dead_letter(harness: Webhook, receiver: Receiver) -> None:
    receiver.responses = [(500, {})] * 100
    harness.submit()
    for _ in range(30):
        harness.step()
        harness.clock.advance(3600)
    assert harness.pending()[("ngo-a", "dead")] == 1
    assert 1 < len(receiver.requests) < 30


def test_a_report_that_cannot_be_opened_stays_in_the_inbox_and_blocks_nothing(
    harness: Webhook, receiver: Receiver
) -> None:
    kid = next(iter(harness.runtime.pipeline.keystore.keyring)).kid
    harness.storage.add_reports([(kid, b"not a sealed box")])
    harness.submit("el bueno")
    harness.step()
    assert len(receiver.requests) == 1
    assert harness.pending() == {("", "inbox"): 1}


def test_v1a_ed25519_signature_verifies_with_the_published_signing_key(tmp_path: Path, receiver: Receiver) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    harness = make_webhook(tmp_path, receiver, signatures=["v1", "v1a"])
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


def test_429_with_retry_after_pauses_every_delivery_to_that_destination(
    harness: Webhook, receiver: Receiver
) -> None:
    receiver.responses = [(429, {"Retry-After": "120"})]
    harness.submit("uno")
    harness.step()
    harness.submit("dos")  # queued while the destination asked us to wait
    harness.clock.advance(100)
    harness.step()
    assert len(receiver.requests) == 1, "a paused destination got another request"
    harness.clock.advance(25)
    harness.step()
    assert len(receiver.requests) == 3 and harness.pending() == {}


@pytest.mark.parametrize("status", [502, 503, 504])
def test_overloaded_destinations_are_paused_with_backoff(harness: Webhook, receiver: Receiver, status: int) -> None:
    receiver.responses = [(status, {})] * 2
    harness.submit("uno")
    harness.step()
    harness.submit("dos")
    harness.step()  # paused: the second report is not sent into a failing destination
    assert len(receiver.requests) == 1
    harness.clock.advance(3600)
    harness.step()
    harness.clock.advance(3600)
    harness.step()
    assert harness.pending() == {}


def test_a_hanging_destination_does_not_hold_up_the_others(tmp_path: Path, receiver: Receiver) -> None:
    hanging = Receiver(delay_s=2.0).start()
    try:
        h = make_harness(tmp_path, [
            {"name": "slow", "type": "webhook", "url": hanging.url, "secret": new_secret(), "timeout_s": 1.5},
            {"name": "fast", "type": "webhook", "url": receiver.url, "secret": new_secret()},
        ])
        try:
            h.submit()
            h.step()
            [fast] = receiver.requests
            assert fast.finished - fast.started < 0.5, "the fast destination waited for the hanging one"
            assert h.pending() == {("slow", "pending"): 1}
            assert "slow" in h.storage.paused_destinations(h.clock().timestamp())
        finally:
            h.close()
    finally:
        hanging.stop()


def test_a_dead_letter_is_kept_encrypted_and_can_be_retried(harness: Webhook, receiver: Receiver) -> None:
    receiver.responses = [(500, {})] * 100
    harness.submit("MARCADOR-DEAD-LETTER")
    for _ in range(30):
        harness.step()
        harness.clock.advance(3600)
    [letter] = harness.storage.dead_letters("ngo-a")
    assert letter.last_error == "HTTP 500" and letter.attempts > 1
    assert b"MARCADOR" not in harness.storage.path.read_bytes()
    tried = len(receiver.requests)
    receiver.responses = []
    assert harness.storage.revive_dead([letter.id]) == 1
    harness.step()
    assert len(receiver.requests) == tried + 1 and harness.pending() == {}
    assert receiver.requests[-1].headers["webhook-id"] == letter.id


def test_after_410_an_operator_enables_the_destination_and_nothing_was_lost(
    harness: Webhook, receiver: Receiver
) -> None:
    receiver.responses = [(410, {})]
    harness.submit("uno")
    harness.step()
    harness.submit("dos")
    harness.step()
    assert len(receiver.requests) == 1
    assert harness.storage.enable_destination("ngo-a")
    harness.step()
    assert len(receiver.requests) == 3 and harness.pending() == {}
