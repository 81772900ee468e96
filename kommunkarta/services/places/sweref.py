"""WGS 84 longitude and latitude to SWEREF 99 TM (EPSG:3006), Sweden's national projection
in metres, in numpy.

The Gauss-Krüger formulas that Lantmäteriet publishes for its projections (a transverse
Mercator on the GRS 80 ellipsoid, as series in n to the fourth order): within a millimetre
of pyproj over Sweden, which a test holds them to. pyproj (with PROJ and its database) cost
every serving worker some 17 MiB resident for the few boundaries a map or a distance
projects; `geodata build` still projects with geopandas, that is with pyproj.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

A = 6_378_137.0  # GRS 80 semi-major axis, metres
F = 1 / 298.257222101  # GRS 80 flattening
CENTRAL_MERIDIAN = 15.0  # degrees east
SCALE = 0.9996
FALSE_EASTING = 500_000.0

_E2 = F * (2 - F)
_N = F / (2 - F)
_RADIUS = A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_CONFORMAL = (  # latitude to conformal latitude: the sin^(2k) terms
    _E2,
    (5 * _E2**2 - _E2**3) / 6,
    (104 * _E2**3 - 45 * _E2**4) / 120,
    1237 * _E2**4 / 1260,
)
_BETA = (
    _N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16 + 41 * _N**4 / 180,
    13 * _N**2 / 48 - 3 * _N**3 / 5 + 557 * _N**4 / 1440,
    61 * _N**3 / 240 - 103 * _N**4 / 140,
    49561 * _N**4 / 161280,
)


def project(lon: NDArray[Any], lat: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """(easting, northing) in metres of points in degrees, as shapely.transform passes them
    with interleaved=False."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64) - CENTRAL_MERIDIAN)
    sin2 = np.sin(phi) ** 2
    a, b, c, d = _CONFORMAL
    conformal = phi - np.sin(phi) * np.cos(phi) * (a + sin2 * (b + sin2 * (c + sin2 * d)))
    xi = np.arctan2(np.tan(conformal), np.cos(lam))
    eta = np.arctanh(np.cos(conformal) * np.sin(lam))
    north, east = xi.copy(), eta.copy()
    for k, beta in enumerate(_BETA, start=1):
        north += beta * np.sin(2 * k * xi) * np.cosh(2 * k * eta)
        east += beta * np.cos(2 * k * xi) * np.sinh(2 * k * eta)
    return SCALE * _RADIUS * east + FALSE_EASTING, SCALE * _RADIUS * north
