"""Coarsen a location to a destination's precision, optionally after
planar-Laplace noise. Pure: randomness is passed in."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

_METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True)
class CoarseLocation:
    lat: float
    lon: float
    precision_m: int

    def to_json(self) -> dict[str, float | int]:
        return {"lat": self.lat, "lon": self.lon, "precision_m": self.precision_m}


def _decimals(step_degrees: float) -> int:
    # Enough decimals to name the cell centre, no more: extra digits would
    # suggest a precision that the relay deliberately threw away.
    return max(0, math.ceil(-math.log10(step_degrees)) + 1)


def coarsen_location(lat: float, lon: float, precision_m: int) -> CoarseLocation:
    """Snap to the centre of a grid cell about ``precision_m`` metres on a side.

    Guarantee: every point in one cell maps to the same output, so the output
    tells nothing finer than the cell. Longitude cells widen with latitude so
    that they stay ``precision_m`` wide on the ground.
    """
    if precision_m <= 0:
        raise ValueError("precision_m must be positive")
    lat_step = precision_m / _METRES_PER_DEGREE_LAT
    lat_cell = math.floor((lat + 90.0) / lat_step)
    centre_lat = min(90.0, -90.0 + (lat_cell + 0.5) * lat_step)
    # The cell's own centre latitude fixes its longitude step, so all points in a band agree.
    lon_step = min(360.0, lat_step / max(math.cos(math.radians(centre_lat)), 1e-6))
    lon_cell = math.floor((lon + 180.0) / lon_step)
    centre_lon = -180.0 + (lon_cell + 0.5) * lon_step
    if centre_lon > 180.0:
        centre_lon -= 360.0
    return CoarseLocation(
        round(centre_lat, _decimals(lat_step)), round(centre_lon, _decimals(lon_step)), precision_m
    )


def planar_laplace_offset(epsilon: float, rng: random.Random) -> tuple[float, float]:
    """A draw of planar-Laplace noise, (east, north) in metres.

    Guarantee (Andrés et al., "Geo-indistinguishability", CCS 2013): adding this
    to a point makes any two true points ``d`` metres apart produce any output
    with probabilities within a factor ``exp(epsilon * d)``. In polar form the
    angle is uniform and the radius follows Gamma(2, 1/epsilon), the radial
    marginal of the density ``epsilon**2 / (2*pi) * exp(-epsilon * r)``, so no
    Lambert W is needed. The mean radius is ``2 / epsilon``.
    """
    if epsilon <= 0:
        raise ValueError("epsilon must be positive")
    theta = rng.uniform(0.0, 2.0 * math.pi)
    radius = rng.gammavariate(2.0, 1.0 / epsilon)
    return radius * math.cos(theta), radius * math.sin(theta)


def displace(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    """Move a point by metres on a local flat approximation (fine below ~100 km)."""
    new_lat = max(-90.0, min(90.0, lat + north_m / _METRES_PER_DEGREE_LAT))
    scale = _METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6)
    new_lon = (lon + east_m / scale + 180.0) % 360.0 - 180.0
    return new_lat, new_lon


def noisy_locations(
    lat: float, lon: float, epsilons: Iterable[float], rng: random.Random
) -> dict[float, tuple[float, float]]:
    """One noisy point per distinct epsilon, for destinations that each want noise.

    Guarantee: each output alone is ``epsilon``-geo-indistinguishable, and all of
    them together leak no more than the largest epsilon alone. Drawing them
    independently would not hold: averaging several noisy copies of one report
    homes in on the true point. So they form a chain, least noise first, each
    the previous one plus fresh noise at its own epsilon: every output is its
    own mechanism followed by independent noise (post-processing cannot hurt),
    and every later output is a function of the first plus noise that does not
    depend on the true point.
    """
    points: dict[float, tuple[float, float]] = {}
    current = (lat, lon)
    for epsilon in sorted(set(epsilons), reverse=True):
        current = displace(*current, *planar_laplace_offset(epsilon, rng))
        points[epsilon] = current
    return points
