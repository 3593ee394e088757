"""SDM offices: the data file covers every sub-division, and the nearest come first."""

from __future__ import annotations

import pytest

from delhi import districts, offices

ALIASES = {"Delhi Cantt", "Nangloi"}  # other spellings of a listed sub-division


def test_every_sub_division_has_its_office_in_its_district():
    listed = {(o.locality, o.district) for o in offices.offices().offices}
    for district in districts.districts():
        for sub_division in set(district.sub_divisions) - ALIASES:
            assert (sub_division, district.id) in listed, sub_division
    assert offices.offices().sample  # said plainly: the answer calls it sample data


def test_a_shared_location_lists_the_nearest_first_with_distances():
    rohini_sector_7 = (28.7159, 77.1130)
    found = offices.find("", location=rohini_sector_7)
    assert [o.locality for o, _ in found][0] == "Rohini"
    distances = [km for _, km in found]
    assert len(found) == 3 and distances == sorted(distances) and distances[0] < 3


def test_a_location_outside_delhi_finds_nothing():
    assert offices.find("", location=(19.076, 72.877)) == []  # Mumbai


@pytest.mark.parametrize(
    ("text", "pincode", "district", "expected"),
    [
        ("", "110032", None, {"Shahdara", "Vishwas Nagar"}),
        ("csc in janakpuri please", None, None, {"Janakpuri"}),
        ("जनकपुरी में CSC", None, None, {"Janakpuri"}),
        ("", None, "west", {"Vikaspuri", "Janakpuri", "Rajouri Garden"}),
        ("csc near 110001", "110001", None, set()),  # a PIN not in the data
    ],
)
def test_pin_locality_or_district(text, pincode, district, expected):
    found = offices.find(text, pincode=pincode, district=district)
    assert {o.locality for o, _ in found} == expected
    assert all(km is None for _, km in found)


def test_distance_is_the_great_circle():
    india_gate, red_fort = (28.6129, 77.2295), (28.6562, 77.2410)
    assert offices.distance_km(india_gate, red_fort) == pytest.approx(4.9, abs=0.2)
