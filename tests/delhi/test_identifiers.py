import pytest

from delhi import application_id, mobile, pincode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("110001", "110001"),
        ("110097", "110097"),
        ("110 017", "110017"),
        ("११००१७", "110017"),
        ("110000", None),
        ("110098", None),
        ("400001", None),  # Mumbai
        ("201301", None),  # Noida
        ("11001", None),
        ("1100011", None),
    ],
)
def test_pincode(text: str, expected: object) -> None:
    assert pincode.normalise(text) == expected
    assert pincode.is_delhi_pincode(text) is (expected is not None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9876543210", "+919876543210"),
        ("98765 43210", "+919876543210"),
        ("+91 98765-43210", "+919876543210"),
        ("+919876543210", "+919876543210"),
        ("919876543210", "+919876543210"),
        ("09876543210", "+919876543210"),
        ("६९८७६५४३२१", "+916987654321"),
        ("5876543210", None),  # mobiles start with 6-9
        ("987654321", None),
        ("+44 9876543210", None),
        ("98765432101", None),
    ],
)
def test_mobile(text: str, expected: object) -> None:
    assert mobile.normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DL-BIR-2026-000123", "DL-BIR-2026-000123"),
        ("dl-bir-2026-000123", "DL-BIR-2026-000123"),
        ("dl bir 2026 000123", "DL-BIR-2026-000123"),
        ("DL/CST/2025/004567", "DL-CST-2025-004567"),
        ("dlbir2026000123", "DL-BIR-2026-000123"),
        ("DL-BIR-२०२६-०००१२३", "DL-BIR-2026-000123"),
        ("DL-BI-2026-000123", None),
        ("DL-BIR-2026-00012", None),
        ("UP-BIR-2026-000123", None),
        ("DL-BIR-1890-000123", None),
    ],
)
def test_application_id(text: str, expected: object) -> None:
    assert application_id.normalise(text) == expected
