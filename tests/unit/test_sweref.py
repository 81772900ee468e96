"""The projection to SWEREF 99 TM in numpy against PROJ's (pyproj), over all of Sweden."""

import numpy as np
import pyproj

from kommunkarta.services.places import sweref
from kommunkarta.services.places.geodata import METRIC_CRS


def test_points_over_sweden_land_within_a_millimetre_of_pyproj():
    rng = np.random.default_rng(19)
    lon, lat = rng.uniform(10.0, 24.5, 10_000), rng.uniform(55.0, 69.5, 10_000)
    expected = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True).transform(lon, lat)
    assert np.abs(np.subtract(sweref.project(lon, lat), expected)).max() < 0.001


def test_the_central_meridian_at_the_equator_is_the_false_easting():
    east, north = sweref.project(np.array([15.0]), np.array([0.0]))
    assert east[0] == sweref.FALSE_EASTING and north[0] == 0.0
