"""The interface every destination type implements, and what they share."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

import anyio.to_thread
import httpx
import pyrage

from keys.atrest import AtRestCipher
from keys.keyring import RelaySigner
from relay.config import DestinationConfig
from relay.errors import ConfigError
from relay.i18n import translations
from relay.preview import CATEGORY_LABELS
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
    ``DeliveryError`` when the destination did not take it. ``destination``
    has its defaults resolved (``with_defaults``)."""

    type: ClassVar[str]
    public: ClassVar[bool]
    destination: DestinationConfig

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None: ...

    def encode(self, report: dict[str, Any]) -> bytes: ...

    async def deliver(self, delivery_id: str, body: bytes) -> None: ...


# Public maps publish in batches by default: at least this many reports, on
# ticks this far apart, so that a report's appearance tells little about when
# it was sent. Operators can lower them knowingly, per destination.
PUBLIC_BATCH_MIN = 5
PUBLIC_BATCH_INTERVAL_S = 900.0


def with_defaults(destination: DestinationConfig, public: bool) -> DestinationConfig:
    """Fill in what relay.toml left unsaid with the safe choice for the kind of
    destination: public ones get no attachments, no pseudonym and batches."""
    fields = destination.fields
    if public:
        fields = tuple(f for f in fields if f != "pseudonym")  # readers could link a sender's reports
    attachments = destination.attachments
    if attachments is None:
        attachments = not public
    return replace(
        destination,
        fields=fields,
        attachments=attachments and "attachments" in fields,
        batch_min=destination.batch_min or (PUBLIC_BATCH_MIN if public else 1),
        batch_interval_s=destination.batch_interval_s if destination.batch_interval_s is not None
        else (PUBLIC_BATCH_INTERVAL_S if public else 0.0),
    )


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


def public_view(report: dict[str, Any]) -> dict[str, Any]:
    """What a public map may show. ``with_defaults`` already dropped the
    pseudonym from a public destination's fields; this second line of defence
    keeps it out even if that ever changed."""
    return {k: v for k, v in report.items() if k not in ("pseudonym", "epoch")}


def category_label(report: dict[str, Any]) -> str:
    """The category as the public reads it, in the report's language (a map's
    readers are the citizens the form speaks to)."""
    lang = report.get("lang")
    gettext = translations(lang if lang in ("es", "en") else "es").gettext
    category = str(report.get("category") or "other")
    return gettext(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category


def published_hour(moment: datetime) -> float:
    """When a feed item was published, floored to the hour: retention and Atom's
    ``updated`` need a date, and P5 forbids exact server times."""
    return float(int(moment.timestamp()) // 3600 * 3600)


async def append_to_feed(context: ForwarderContext, destination: str, delivery_id: str, body: bytes) -> None:
    """Delivery for feeds the relay serves itself: the item is stored encrypted
    at rest, once per delivery id however often the worker retries."""
    sealed = context.at_rest.seal(body, context.random_bytes(24))
    published = published_hour(context.clock())
    await anyio.to_thread.run_sync(context.storage.add_feed_item, destination, delivery_id, sealed, published)


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime | None


class PublicFeed:
    """What GeoJSON and Atom share: public, served by the relay, rendered from
    the newest ``PUBLIC_ITEMS`` items and cached until the feed changes."""

    type: ClassVar[str]
    media_type: ClassVar[str]
    public: ClassVar[bool] = True
    PUBLIC_ITEMS: ClassVar[int] = 1000

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None:
        if destination.age_recipient is not None:
            raise ConfigError(f"destination '{destination.name}': a public feed cannot be encrypted")
        self.destination = destination
        self._context = context
        self._cache: tuple[tuple[int, int], RenderedFeed] | None = None

    def encode(self, report: dict[str, Any]) -> bytes:
        return dumps(public_view(report))

    async def deliver(self, delivery_id: str, body: bytes) -> None:
        await append_to_feed(self._context, self.destination.name, delivery_id, body)

    def render(self) -> RenderedFeed:
        """The current document (newest items), from the cache when nothing changed."""
        storage = self._context.storage
        head = storage.feed_head(self.destination.name)
        if self._cache is not None and self._cache[0] == head:
            return self._cache[1]
        items = storage.feed_items(self.destination.name, max(0, head[1] - self.PUBLIC_ITEMS), self.PUBLIC_ITEMS)
        entries = [(json.loads(self._context.at_rest.open(i.body)), self.published(i.published)) for i in items]
        entries.reverse()  # newest first
        body = self.document(entries)
        last = max((when for _, when in entries), default=None)
        rendered = RenderedFeed(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', last)
        self._cache = (head, rendered)
        return rendered

    def published(self, hour: float) -> datetime:
        """The publication time as readers see it: the stored hour, floored to
        the destination's time precision when that is coarser."""
        moment = datetime.fromtimestamp(hour, UTC)
        if self.destination.time_precision == "day":
            moment = moment.replace(hour=0)
        return moment

    def document(self, entries: list[tuple[dict[str, Any], datetime]]) -> bytes:
        raise NotImplementedError
