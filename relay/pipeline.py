"""From a sealed report to one encrypted delivery per destination.

The steps, in order: open the sealed box (relay), scrub text, place and files
once (scrubber), then per destination coarsen location and time, name the
sender (keys) and encode the body (forwarders). Nothing here touches the
network; the worker stores the result in one transaction with the inbox
row's deletion.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forwarders import Forwarder
from keys.pseudonyms import delivery_id, epoch_index, epoch_label, pseudonym, sender_key
from relay.config import DestinationConfig, RelayConfig
from relay.keystore import KeyStore
from relay.errors import RelayError
from relay.report import Report, parse_report
from relay.storage import InboxItem, NewDelivery
from scrubber.files import FileCleaner, build_cleaners, clean_file
from scrubber.location import coarsen_location, noisy_locations
from scrubber.text import scrub_text
from scrubber.timestamps import coarsen_time

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScrubbedReport:
    """The destination-independent part: scrubbed once, held only in memory."""

    report: Report
    text: str
    place: str | None
    lang: str
    redactions: dict[str, int]
    attachments: tuple[dict[str, Any], ...]


def _count(into: dict[str, int], more: dict[str, int]) -> None:
    for kind, n in more.items():
        into[kind] = into.get(kind, 0) + n


def scrub_report(report: Report, cleaners: dict[str, FileCleaner] | None = None) -> ScrubbedReport:
    """Scrub text and place, clean every attachment. A file that fails to clean
    is dropped and counted, never forwarded as it came."""
    text = scrub_text(report.text, report.lang)
    redactions = text.counts()
    place = None
    if report.place:
        scrubbed_place = scrub_text(report.place, text.lang)
        place = scrubbed_place.text
        _count(redactions, scrubbed_place.counts())
    attachments = []
    for attachment in report.attachments:
        try:
            cleaned = clean_file(attachment.decoded(), cleaners)
        except RelayError:
            _count(redactions, {"attachment_refused": 1})
            continue
        attachments.append({
            "content_type": cleaned.content_type,
            "sha256": hashlib.sha256(cleaned.data).hexdigest(),
            "removed": list(cleaned.removed),
            "data": base64.b64encode(cleaned.data).decode(),
        })
    return ScrubbedReport(report, text.text, place, text.lang, redactions, tuple(attachments))


class Pipeline:
    def __init__(
        self,
        config: RelayConfig,
        keystore: KeyStore,
        forwarders: dict[str, Forwarder],
        *,
        clock: Callable[[], datetime],
        random_bytes: Callable[[int], bytes],
        rng: random.Random,
    ) -> None:
        self.config = config
        self.keystore = keystore
        self.forwarders = forwarders
        self._clock = clock
        self._random = random_bytes
        self._rng = rng
        self._cleaners = build_cleaners(max_side=config.image_max_side)

    def prepare(self, item: InboxItem) -> list[NewDelivery]:
        """Open, scrub and encode one report for every destination."""
        now = self._clock()
        report = parse_report(self.keystore.open(item.kid, item.sealed, now))
        scrubbed = scrub_report(report, self._cleaners)
        sender = sender_key(report.codename) if report.codename else None
        epoch = epoch_index(now, self.config.epoch)
        secret = self.keystore.epochs.secret_for(epoch)
        noisy = self._noisy_points(report)
        deliveries = []
        for name, forwarder in self.forwarders.items():
            destination = forwarder.destination
            did = delivery_id(self._random(16))
            document = self._document(scrubbed, destination, did, noisy)
            if "pseudonym" in destination.fields:
                document["pseudonym"] = pseudonym(secret, name, sender, self._random(16))
                document["epoch"] = epoch_label(epoch, self.config.epoch)
            body = self.keystore.at_rest.seal(forwarder.encode(document), self._random(24))
            deliveries.append(NewDelivery(did, name, body, self._due(destination, now)))
        return deliveries

    def _noisy_points(self, report: Report) -> dict[float, tuple[float, float]]:
        """Planar-Laplace points for every epsilon in use, drawn once per report as
        a chain (see ``noisy_locations``), so that destinations cannot pool them."""
        if report.location is None:
            return {}
        epsilons = [f.destination.location_epsilon for f in self.forwarders.values()]
        return noisy_locations(report.location.lat, report.location.lon,
                               [e for e in epsilons if e is not None], self._rng)

    @staticmethod
    def _document(
        scrubbed: ScrubbedReport, destination: DestinationConfig, did: str,
        noisy: dict[float, tuple[float, float]],
    ) -> dict[str, Any]:
        """The spec's delivered report, cut down to the destination's ``fields``."""
        report = scrubbed.report
        location = None
        if report.location is not None:
            lat, lon = report.location.lat, report.location.lon
            if destination.location_epsilon is not None:
                lat, lon = noisy[destination.location_epsilon]
            location = coarsen_location(lat, lon, destination.location_precision_m).to_json()
            if destination.location_epsilon is not None:
                location["epsilon"] = destination.location_epsilon  # readers must know it is displaced
        occurred = None
        if report.occurred_at is not None:
            occurred = coarsen_time(report.occurred_at, destination.time_precision)
        full: dict[str, Any] = {
            "category": report.category or "other",
            "lang": scrubbed.lang,
            "text": scrubbed.text,
            "place": scrubbed.place,
            "location": location,
            "occurred": occurred,
            "attachments": list(scrubbed.attachments) if destination.attachments else [],
            "redactions": dict(scrubbed.redactions),
        }
        kept = {k: v for k, v in full.items() if k in destination.fields}
        return {"type": "report", "id": did, **kept}

    def _due(self, destination: DestinationConfig, now: datetime) -> float:
        """0 means "now" and stores no time at all; a mixing delay is exponential
        so that the release time says little about the arrival time (P5)."""
        if destination.delay_mean_s <= 0:
            return 0.0
        return now.timestamp() + self._rng.expovariate(1.0 / destination.delay_mean_s)
