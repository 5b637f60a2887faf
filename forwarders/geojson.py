"""Public map feeds: ``GET /public/<name>.geojson`` (RFC 7946)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from forwarders.base import ForwarderContext, append_to_feed, dumps, public_view
from relay.config import DestinationConfig
from relay.errors import ConfigError
from relay.storage import FeedItem

MEDIA_TYPE = "application/geo+json"


class GeoJSONForwarder:
    """Reports become Features in a FeatureCollection anyone can read (QGIS, Leaflet,
    ``ogrinfo``). Public: no pseudonyms, and no attachments unless enabled."""

    type: ClassVar[str] = "geojson"
    public: ClassVar[bool] = True

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None:
        if destination.age_recipient is not None:
            raise ConfigError(f"destination '{destination.name}': a public feed cannot be encrypted")
        self.destination = destination
        self._context = context

    @property
    def wants_attachments(self) -> bool:
        return self.destination.attachments is True

    def encode(self, report: dict[str, Any]) -> bytes:
        return dumps(public_view(report, self.wants_attachments))

    async def deliver(self, delivery_id: str, body: bytes) -> None:
        await append_to_feed(self._context, self.destination.name, delivery_id, body)

    def render(self, items: list[FeedItem]) -> tuple[bytes, str]:
        """The FeatureCollection and its ETag."""
        features = [_feature(json.loads(self._context.at_rest.open(i.body))) for i in items]
        body = dumps({"type": "FeatureCollection", "features": features})
        return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _feature(report: dict[str, Any]) -> dict[str, Any]:
    location = report.get("location")
    geometry = None
    if location:
        # RFC 7946: positions are [longitude, latitude].
        geometry = {"type": "Point", "coordinates": [location["lon"], location["lat"]]}
    properties = {k: v for k, v in report.items() if k not in ("location", "type")}
    if location:
        properties["precision_m"] = location["precision_m"]
    return {"type": "Feature", "id": report["id"], "geometry": geometry, "properties": properties}
