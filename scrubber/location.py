"""Coarsen a location to a destination's precision."""

from __future__ import annotations

import math
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
