"""Public map feed: ``GET /public/<name>.geojson``, an RFC 7946 FeatureCollection."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from forwarders.base import PublicFeed, dumps


class GeoJSONForwarder(PublicFeed):
    """Reports become Features anyone can read (QGIS, Leaflet, ``ogrinfo``).
    Public: no pseudonyms, no attachments unless enabled, batches by default."""

    type: ClassVar[str] = "geojson"
    media_type: ClassVar[str] = "application/geo+json"

    def document(self, entries: list[tuple[dict[str, Any], datetime]]) -> bytes:
        return dumps({"type": "FeatureCollection", "features": [_feature(r, when) for r, when in entries]})


def _feature(report: dict[str, Any], published: datetime) -> dict[str, Any]:
    location = report.get("location")
    geometry = None
    if location:
        # RFC 7946: positions are [longitude, latitude].
        geometry = {"type": "Point", "coordinates": [location["lon"], location["lat"]]}
    properties = {k: v for k, v in report.items() if k not in ("location", "type")}
    if location:
        properties["precision_m"] = location["precision_m"]
        if "epsilon" in location:
            properties["location_epsilon"] = location["epsilon"]
    properties["published"] = published.isoformat().replace("+00:00", "Z")
    return {"type": "Feature", "id": report["id"], "geometry": geometry, "properties": properties}
