import pytest

from delhi import districts


def test_thirteen_current_districts() -> None:
    ids = [d.id for d in districts.districts()]
    assert ids == list(districts.DISTRICT_IDS)
    assert len(set(ids)) == 13
    for district in districts.districts():
        assert set(district.names) == {"en", "hi", "hinglish"}, district.id
        assert all(district.names[lang] for lang in ("en", "hi", "hinglish"))


def test_old_eleven_map_to_current_ids() -> None:
    assert len(districts.OLD_DISTRICTS) == 11
    assert set(districts.OLD_DISTRICTS.values()) <= set(districts.DISTRICT_IDS)
    assert districts.OLD_DISTRICTS["shahdara"] == "north_east"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("South East", "south_east"),
        ("south-east", "south_east"),
        ("Southeast", "south_east"),
        ("दक्षिण पूर्व", "south_east"),
        ("dakshin purv", "south_east"),
        ("Old Delhi", "old_delhi"),
        ("पुरानी दिल्ली", "old_delhi"),
        ("purani dilli", "old_delhi"),
        ("Central North", "central_north"),
        ("मध्य उत्तर", "central_north"),
        ("Outer North", "outer_north"),
        ("बाहरी उत्तर", "outer_north"),
        ("bahri uttar", "outer_north"),
        ("New Delhi", "new_delhi"),
        ("नई दिल्ली", "new_delhi"),
        ("केंद्रीय", "central"),
        ("मध्य", "central"),
        ("पूर्वी", "east"),
        ("पश्चिम", "west"),
        ("north west district", "north_west"),
        ("जिला उत्तर पूर्व", "north_east"),
        ("Shahdara", "north_east"),
        ("शाहदरा", "north_east"),
        ("Rohini", "north_west"),  # sub-division
        ("Narela", "outer_north"),
        ("Mumbai", None),
        ("", None),
    ],
)
def test_lookup(name: str, expected: object) -> None:
    assert districts.lookup(name) == expected


def test_nukta_and_chandrabindu_variants() -> None:
    assert districts.name_key("ज़िला") == districts.name_key("जिला")
    assert districts.name_key("हँ") == districts.name_key("हं")


def test_every_name_maps_to_its_own_district() -> None:
    for district in districts.districts():
        for lang, names in district.names.items():
            for name in names:
                assert districts.lookup(name) == district.id, (lang, name)
