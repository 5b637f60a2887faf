"""The interface every destination type implements, and what they share."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

import anyio.to_thread
import httpx
import pyrage

from keys.atrest import AtRestCipher
from keys.keyring import RelaySigner
from relay.config import DestinationConfig
from relay.errors import ConfigError
from relay.storage import Storage


@dataclass(frozen=True)
class ForwarderContext:
    """What a forwarder may touch. Built once by ``create_app`` and passed in."""

    storage: Storage
    at_rest: AtRestCipher
    clock: Callable[[], datetime]
    http: httpx.AsyncClient | None = None
    random_bytes: Callable[[int], bytes] = field(default=os.urandom)
    signer: RelaySigner | None = None  # the relay's Ed25519 key, for Standard Webhooks v1a


class Forwarder(Protocol):
    """``encode`` runs when a report fans out (pure: a report in, the body to
    queue out); ``deliver`` runs later in the worker and raises
    ``DeliveryError`` when the destination did not take it."""

    type: ClassVar[str]
    public: ClassVar[bool]
    destination: DestinationConfig

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None: ...

    @property
    def wants_attachments(self) -> bool: ...

    def encode(self, report: dict[str, Any]) -> bytes: ...

    async def deliver(self, delivery_id: str, body: bytes) -> None: ...


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def age_recipient(destination: DestinationConfig) -> pyrage.x25519.Recipient | None:
    """Parse the destination's age recipient at start-up (fail closed on a typo)."""
    if destination.age_recipient is None:
        return None
    try:
        return pyrage.x25519.Recipient.from_str(destination.age_recipient)
    except (pyrage.RecipientError, ValueError):
        raise ConfigError(f"destination '{destination.name}': age_recipient is not a valid age1... key") from None


def encode_private(report: dict[str, Any], recipient: pyrage.x25519.Recipient | None) -> bytes:
    """The spec's body for non-public destinations: the report, or its age-armored ciphertext."""
    body = dumps(report)
    if recipient is None:
        return body
    armored = pyrage.encrypt(body, [recipient], armored=True)
    return dumps({"type": "report.encrypted", "age": armored.decode()})


def public_view(report: dict[str, Any], with_attachments: bool) -> dict[str, Any]:
    """What a public map may show: no pseudonym (readers could link a sender's
    reports within an epoch) and no attachments unless the operator opted in."""
    hidden = {"pseudonym", "epoch"} | (set() if with_attachments else {"attachments"})
    return {k: v for k, v in report.items() if k not in hidden}


async def append_to_feed(context: ForwarderContext, destination: str, delivery_id: str, body: bytes) -> None:
    """Delivery for feeds the relay serves itself: the item is stored encrypted
    at rest, once per delivery id however often the worker retries."""
    sealed = context.at_rest.seal(body, context.random_bytes(24))
    await anyio.to_thread.run_sync(context.storage.add_feed_item, destination, delivery_id, sealed)
