"""Pull feeds: an NGO fetches ``GET /v1/feeds/<name>?after=<cursor>`` with a bearer token."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any, ClassVar

from forwarders.base import ForwarderContext, age_recipient, append_to_feed, encode_private
from relay.config import DestinationConfig
from relay.errors import ConfigError, UnauthorizedError
from relay.storage import FeedItem

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class FeedForwarder:
    """Delivering is appending to the destination's feed (idempotent on the delivery id);
    items are stored encrypted at rest and age-encrypted when the NGO has a recipient."""

    type: ClassVar[str] = "feed"
    public: ClassVar[bool] = False

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None:
        token_hash = destination.token_sha256 or ""
        if not _SHA256_HEX.match(token_hash):
            raise ConfigError(
                f"destination '{destination.name}': feed needs 'token_sha256' "
                "(64 hex digits; `relay init` prints how to make one)"
            )
        self.destination = destination
        self._token_hash = bytes.fromhex(token_hash)
        self._recipient = age_recipient(destination)
        self._context = context

    def encode(self, report: dict[str, Any]) -> bytes:
        return encode_private(report, self._recipient)

    async def deliver(self, delivery_id: str, body: bytes) -> None:
        await append_to_feed(self._context, self.destination.name, delivery_id, body)

    def authorize(self, authorization: str | None) -> None:
        """Constant-time check of ``Authorization: Bearer <token>`` against the stored hash."""
        scheme, _, token = (authorization or "").partition(" ")
        digest = hashlib.sha256(token.strip().encode()).digest()
        if scheme.lower() != "bearer" or not hmac.compare_digest(digest, self._token_hash):
            raise UnauthorizedError("a valid bearer token for this feed is required")

    def page(self, items: list[FeedItem], after: int) -> dict[str, Any]:
        """One page of the feed; ``cursor`` is what to pass as ``after`` next time."""
        opened = [json.loads(self._context.at_rest.open(item.body)) for item in items]
        return {"items": opened, "cursor": str(items[-1].seq if items else after)}
