from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest

from scrubber.location import coarsen_location
from scrubber.timestamps import coarsen_time


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


@pytest.mark.parametrize("precision", [100, 1000, 5000])
def test_coarse_location_is_near_but_not_exact(precision: int) -> None:
    rng = random.Random(7)
    for _ in range(500):
        lat, lon = rng.uniform(14.5, 32.7), rng.uniform(-117, -86.7)
        coarse = coarsen_location(lat, lon, precision)
        assert _metres(lat, lon, coarse.lat, coarse.lon) <= precision * 0.75
        assert coarse.precision_m == precision


def test_every_point_in_a_cell_maps_to_the_same_output() -> None:
    base = coarsen_location(25.6866, -100.3161, 1000)
    rng = random.Random(3)
    neighbours = {coarsen_location(25.6866 + rng.uniform(-1e-5, 1e-5), -100.3161 + rng.uniform(-1e-5, 1e-5), 1000)
                  for _ in range(100)}
    assert neighbours == {base}
    outputs = {coarsen_location(25.6 + i * 1e-4, -100.3, 1000) for i in range(100)}
    assert len(outputs) < 5  # 1.1 km of latitude steps through about two cells


def test_time_coarsening_keeps_the_offset() -> None:
    moment = datetime(2026, 11, 20, 21, 47, 13, 5, tzinfo=timezone(timedelta(hours=-6)))
    assert coarsen_time(moment, "minute") == "2026-11-20T21:47:00-06:00"
    assert coarsen_time(moment, "hour") == "2026-11-20T21:00:00-06:00"
    assert coarsen_time(moment, "day") == "2026-11-20"
    with pytest.raises(ValueError):
        coarsen_time(moment, "second")
