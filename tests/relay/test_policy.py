"""Per-destination policy as destinations receive it: fields, noise, attachments."""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

from PIL import Image

from scrubber.location import coarsen_location
from tests.harness import make_harness, new_secret
from tests.helpers import Receiver

MONTERREY = {"lat": 25.6866, "lon": -100.3161}


def _photo() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_fields_noise_and_attachments_follow_each_destination(tmp_path: Path) -> None:
    lean, noisy = Receiver().start(), Receiver().start()
    try:
        h = make_harness(tmp_path, [
            {"name": "lean", "type": "webhook", "url": lean.url, "secret": new_secret(),
             "fields": ["text", "category"]},
            {"name": "noisy", "type": "webhook", "url": noisy.url, "secret": new_secret(),
             "location_precision_m": 100, "location_epsilon": 0.005, "attachments": False},
        ])
        try:
            for _ in range(20):
                h.submit("Retén", location=MONTERREY, category="checkpoint",
                         attachments=[{"filename": "a.jpg", "content_type": "image/jpeg", "data": _photo()}])
            while h.step():
                pass
        finally:
            h.close()
        lean_reports = [json.loads(r.body) for r in lean.requests]
        noisy_reports = [json.loads(r.body) for r in noisy.requests]
    finally:
        lean.stop()
        noisy.stop()
    assert len(lean_reports) == len(noisy_reports) == 20
    assert {tuple(sorted(r)) for r in lean_reports} == {("category", "id", "text", "type")}
    exact = coarsen_location(MONTERREY["lat"], MONTERREY["lon"], 100)
    distances = []
    for report in noisy_reports:
        location = report["location"]
        assert location["epsilon"] == 0.005 and location["precision_m"] == 100
        assert report["attachments"] == [] and "pseudonym" in report
        distances.append(math.hypot(location["lat"] - exact.lat, location["lon"] - exact.lon) * 111_320)
    # Mean displacement 2 / epsilon = 400 m: the 100 m cell alone would say where it was.
    assert sum(d > 100 for d in distances) >= 15
    assert 150 < sum(distances) / len(distances) < 900
