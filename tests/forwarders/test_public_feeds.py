"""GeoJSON and Atom public feeds, read by real clients: GDAL's ogrinfo and feedparser."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from lxml import etree

from tests.helpers import RelayProcess, init_data_dir, seal_for, wait_for
from tests.tools import require

POINTS = [(25.6866, -100.3161), (25.7250, -100.3120), (20.6597, -103.3496), (19.4326, -99.1332), (25.54, -103.41)]
NOW_BATCHES = {"batch_min": 1, "batch_interval_s": 0}


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    data = tmp_path_factory.mktemp("feeds")
    init_data_dir(data, [
        {"name": "mapa", "type": "geojson", "location_precision_m": 1000, **NOW_BATCHES},
        {"name": "alertas", "type": "atom", "location_precision_m": 1000, "time_precision": "day",
         "title": "Alertas <Monterrey> & más", **NOW_BATCHES},
    ])
    process = RelayProcess(data)
    keyset = httpx.get(f"{process.url}/v1/keys").json()
    for i, (lat, lon) in enumerate(POINTS):
        report = {"text": f"Retén número {i}, llamen al 81 1234 5678", "category": "checkpoint",
                  "location": {"lat": lat, "lon": lon}, "place": "Monterrey"}
        assert httpx.post(f"{process.url}/v1/reports", json=seal_for(process.url, report, keyset)).status_code == 202
    # No location, and characters XML 1.0 cannot carry: the feed must stay well-formed.
    odd = {"text": "Sin ubicación \x01\x0b <b>&amp;</b> ]]> fin", "lang": "es"}
    assert httpx.post(f"{process.url}/v1/reports", json=seal_for(process.url, odd, keyset)).status_code == 202
    wait_for(lambda: len(httpx.get(f"{process.url}/public/mapa.geojson").json()["features"]) == 6
             and httpx.get(f"{process.url}/public/alertas.atom").text.count("<entry") == 6)
    yield process
    process.stop()


def _ogrinfo(path: Path) -> str:
    require("ogrinfo")
    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_opens_the_geojson_with_every_feature(relay: RelayProcess, tmp_path: Path) -> None:
    response = httpx.get(f"{relay.url}/public/mapa.geojson")
    assert response.headers["content-type"] == "application/geo+json"
    (tmp_path / "mapa.geojson").write_bytes(response.content)
    out = _ogrinfo(tmp_path / "mapa.geojson")
    assert "Feature Count: 6" in out and "Point" in out
    assert "Extent: (-103." in out and "25.7" in out  # [lon, lat] read the right way round


def test_ogrinfo_opens_the_atom_feed_with_every_point(relay: RelayProcess, tmp_path: Path) -> None:
    response = httpx.get(f"{relay.url}/public/alertas.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    (tmp_path / "alertas.atom").write_bytes(response.content)
    out = _ogrinfo(tmp_path / "alertas.atom")
    assert "GeoRSS" in out or "georss" in out.lower()
    assert "Feature Count: 6" in out
    assert "Extent: (-103." in out and "25.7" in out  # GeoRSS "lat lon" read the right way round


def test_feedparser_reads_entries_and_their_points(relay: RelayProcess) -> None:
    parsed = feedparser.parse(httpx.get(f"{relay.url}/public/alertas.atom").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title == "Alertas <Monterrey> & más"
    assert len(parsed.entries) == 6
    points = [e.where["coordinates"] for e in parsed.entries if "where" in e]
    assert len(points) == 5
    for lon, lat in points:  # feedparser gives GeoJSON order; the cell is within ~1 km of a sent point
        assert any(abs(lat - p[0]) < 0.01 and abs(lon - p[1]) < 0.01 for p in POINTS)
    texts = " ".join(e.summary for e in parsed.entries)
    assert "[TELÉFONO]" in texts and "1234" not in texts and "<b>&amp;</b> ]]> fin" in texts
    assert all(e.updated.endswith("T00:00:00Z") for e in parsed.entries)  # time_precision = "day"
    assert all(e.title.startswith(("Retén: Monterrey", "Otro")) for e in parsed.entries)


def test_public_feeds_carry_no_pseudonym_and_no_exact_time(relay: RelayProcess) -> None:
    for path in ("/public/mapa.geojson", "/public/alertas.atom"):
        body = httpx.get(relay.url + path).text
        assert "pseudonym" not in body and "epoch" not in body
    for feature in httpx.get(f"{relay.url}/public/mapa.geojson").json()["features"]:
        assert feature["properties"]["published"].endswith(":00:00Z")  # the hour, never the minute


@pytest.mark.parametrize("path", ["/public/mapa.geojson", "/public/alertas.atom"])
def test_caching_headers_and_conditional_get(relay: RelayProcess, path: str) -> None:
    first = httpx.get(relay.url + path)
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["last-modified"].endswith(":00:00 GMT")
    again = httpx.get(relay.url + path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(relay.url + path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_atom_feed_is_well_formed_atom(relay: RelayProcess) -> None:
    root = etree.fromstring(httpx.get(f"{relay.url}/public/alertas.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{atom}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(atom + required) is not None
    ids = [e.findtext(atom + "id") for e in root.iter(atom + "entry")]
    assert len(set(ids)) == 6 and all(i.startswith("urn:uuid:") for i in ids)


def test_a_feed_that_is_not_public_or_does_not_exist_is_404(relay: RelayProcess) -> None:
    assert httpx.get(f"{relay.url}/public/mapa.atom").status_code == 404
    assert httpx.get(f"{relay.url}/public/nada.geojson").status_code == 404
