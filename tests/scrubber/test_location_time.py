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


def test_planar_laplace_radius_has_the_promised_mean_and_uniform_direction() -> None:
    import math
    import random
    import statistics

    from scrubber.location import planar_laplace_offset

    rng = random.Random(7)
    epsilon = 0.01  # per metre: mean displacement 2 / epsilon = 200 m
    draws = [planar_laplace_offset(epsilon, rng) for _ in range(20000)]
    radii = [math.hypot(x, y) for x, y in draws]
    assert abs(statistics.mean(radii) - 200) < 6
    # Gamma(2, 1/eps): P(r <= 1/eps) = 1 - 2/e ~ 0.264
    assert abs(sum(r <= 100 for r in radii) / len(radii) - (1 - 2 / math.e)) < 0.015
    east = sum(x > 0 for x, _ in draws) / len(draws)
    north = sum(y > 0 for _, y in draws) / len(draws)
    assert abs(east - 0.5) < 0.02 and abs(north - 0.5) < 0.02


def test_noisy_locations_chain_from_least_to_most_noise() -> None:
    import math
    import random

    from scrubber.location import noisy_locations

    rng = random.Random(3)
    far, near = [], []
    for _ in range(3000):
        points = noisy_locations(25.6866, -100.3161, [0.1, 0.001, 0.1], rng)
        assert set(points) == {0.1, 0.001}  # one point per distinct epsilon
        (lat1, lon1), (lat2, lon2) = points[0.1], points[0.001]
        near.append(math.hypot(lat1 - 25.6866, lon1 + 100.3161))
        far.append(math.hypot(lat2 - 25.6866, lon2 + 100.3161))
    # The noisier point is the accurate one plus more noise: on average much farther.
    assert sum(far) / len(far) > 50 * sum(near) / len(near)


def test_noise_then_grid_keeps_the_output_on_the_grid() -> None:
    import random

    from scrubber.location import coarsen_location, displace, planar_laplace_offset

    rng = random.Random(1)
    lat, lon = displace(25.6866, -100.3161, *planar_laplace_offset(0.005, rng))
    cell = coarsen_location(lat, lon, 1000)
    assert coarsen_location(cell.lat, cell.lon, 1000) == cell
