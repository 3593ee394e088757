import pytest

from delhi import aadhaar

VALID = "234567890124"  # check digit computed by the Verhoeff algorithm


def test_known_verhoeff_vectors() -> None:
    # Published examples: 236 -> check digit 3; 12345 -> 1.
    assert aadhaar.verhoeff_check_digit("236") == "3"
    assert aadhaar.verhoeff_valid("2363")
    assert aadhaar.verhoeff_check_digit("12345") == "1"
    assert aadhaar.verhoeff_valid("123451")
    assert not aadhaar.verhoeff_valid("123452")


@pytest.mark.parametrize(
    "text",
    [VALID, "2345 6789 0124", "2345-6789-0124", "२३४५ ६७८९ ०१२४", " 234567890124 "],
)
def test_valid_formats(text: str) -> None:
    assert aadhaar.normalise(text) == VALID


@pytest.mark.parametrize(
    "text",
    [
        "234567890123",  # wrong check digit
        "134567890124",  # first digit 1 is never issued
        "034567890127",
        "23456789012",  # 11 digits
        "2345678901245",  # 13 digits
        "2345 6789 012a",
        "",
    ],
)
def test_invalid(text: str) -> None:
    assert aadhaar.normalise(text) is None
    assert not aadhaar.is_valid(text)


def test_every_single_digit_error_is_caught() -> None:
    for position in range(12):
        for digit in "0123456789":
            if digit == VALID[position]:
                continue
            changed = VALID[:position] + digit + VALID[position + 1 :]
            assert not aadhaar.verhoeff_valid(changed), changed


def test_mask_shows_only_last_four() -> None:
    assert aadhaar.mask("2345 6789 0124") == "XXXX XXXX 0124"
    assert "2345" not in aadhaar.mask(VALID)
