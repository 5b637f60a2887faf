"""Public map feed: ``GET /public/<name>.atom``, Atom (RFC 4287) with GeoRSS-Simple points.

Feed readers show it as news, and GIS tools (QGIS and anything on GDAL's
GeoRSS driver) draw the ``georss:point`` of each entry.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from lxml import etree

from forwarders.base import PublicFeed, category_label

ATOM = "http://www.w3.org/2005/Atom"
GEORSS = "http://www.georss.org/georss"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NAMESPACE = uuid.UUID("5b0f2a4e-6c1e-4d6b-9a51-1f6f0e7c2d93")  # fixed: ids stay stable across restarts
# XML 1.0 cannot carry most control characters; a report may contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EMPTY_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
_TITLE_TEXT = 80


def _text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _urn(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


class AtomForwarder(PublicFeed):
    """Public: no pseudonyms, no attachments (Atom readers would not show them), batches by default."""

    type: ClassVar[str] = "atom"
    media_type: ClassVar[str] = "application/atom+xml"

    def document(self, entries: list[tuple[dict[str, Any], datetime]]) -> bytes:
        nsmap = {None: ATOM, "georss": GEORSS}
        feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
        title = self.destination.options.get("title", self.destination.name)
        _child(feed, "id", _urn("feed", self.destination.name))
        _child(feed, "title", _text(title))
        _child(feed, "updated", _stamp(max((when for _, when in entries), default=_EMPTY_UPDATED)))
        author = _child(feed, "author")
        _child(author, "name", _text(title))
        for report, published in entries:
            self._entry(feed, report, published)
        return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8"))

    def _entry(self, feed: Any, report: dict[str, Any], published: datetime) -> None:
        entry = _child(feed, "entry")
        lang = report.get("lang")
        if isinstance(lang, str):
            entry.set(XML_LANG, lang)
        _child(entry, "id", _urn("entry", self.destination.name, str(report["id"])))
        _child(entry, "title", _text(_title(report)))
        _child(entry, "updated", _stamp(published))
        category = report.get("category")
        if category:
            etree.SubElement(entry, f"{{{ATOM}}}category", term=_text(category))
        content = _child(entry, "content", _text(_body(report)))
        content.set("type", "text")
        location = report.get("location")
        if location:
            point = etree.SubElement(entry, f"{{{GEORSS}}}point")
            point.text = f"{location['lat']} {location['lon']}"  # GeoRSS order: latitude first


def _child(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _title(report: dict[str, Any]) -> str:
    label = category_label(report)
    where = report.get("place") or ""
    if not where:
        text = str(report.get("text") or "")
        where = text if len(text) <= _TITLE_TEXT else text[:_TITLE_TEXT].rsplit(" ", 1)[0] + "…"
    return f"{label}: {where}" if where else label


def _body(report: dict[str, Any]) -> str:
    lines = [str(report.get("text") or "")]
    if report.get("place"):
        lines.append(str(report["place"]))
    if report.get("occurred"):
        lines.append(str(report["occurred"]))
    location = report.get("location")
    if location:
        lines.append(f"± {location['precision_m']} m")
    return "\n\n".join(line for line in lines if line)
