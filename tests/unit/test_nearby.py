"""Neighbours from the boundaries: shared borders and distances in a metric projection."""

import pytest


def test_stockholm_borders_solna_and_solna_stockholm(geo):
    assert "0184" in geo.neighbours["0180"]
    assert "0180" in geo.neighbours["0184"]


def test_gotland_has_no_land_neighbour(geo):
    assert geo.neighbours["0980"] == ()
    assert geo.within("0980", 50) == []


def test_across_the_sea_gotland_is_nearest_to_borgholm_on_oland(geo):
    found = geo.within("0980", 100)
    assert found[0][0] == "0885"  # Borgholm, some 58 km away
    assert 50 < found[0][1] < 65
    assert dict(found)["0882"] > found[0][1]  # Oskarshamn, on the mainland, further


@pytest.mark.parametrize("code, km", [("0180", 10), ("0180", 50), ("2584", 80), ("1480", 30)])
def test_distance_neighbours_are_sorted_bounded_and_include_the_bordering(geo, code, km):
    found = geo.within(code, km)
    codes = [c for c, _ in found]
    distances = [d for _, d in found]
    assert code not in codes and len(codes) == len(set(codes))
    assert distances == sorted(distances)
    assert all(0 <= d <= km for d in distances)
    assert set(geo.neighbours[code]) == {c for c, d in found if d == 0}
    assert set(codes) < {c for c, _ in geo.within(code, km * 2)}


def test_distances_are_in_kilometres(geo):
    """Stockholm to Göteborg is about 400 km: out of reach at 200, every other pair shorter."""
    assert "1480" not in dict(geo.within("0180", 200))
    assert dict(geo.within("0180", 200))["0184"] == 0.0
