"""IIN/BIN check digits and Kazakh phone numbers (shared/data/DOMAIN.md §2.1, §2.2)."""

import pytest

from portal.offers.validators import check_digit, has_valid_check_digit, is_valid_bin, is_valid_iin
from portal.phones import display_phone, normalise_kz_phone

REAL_BINS = ["940140000385", "971240001315", "950341000052"]  # Halyk, Kaspi, the Java test's second one
SYNTHETIC_IINS = ["100901500011", "150315600021", "100901500202"]  # the last needs the second pass


@pytest.mark.parametrize("number", REAL_BINS + ["230840001231"])
def test_valid_bins(number):
    assert has_valid_check_digit(number)
    assert is_valid_bin(number)
    assert not is_valid_iin(number)


@pytest.mark.parametrize("number", SYNTHETIC_IINS)
def test_valid_iins(number):
    assert has_valid_check_digit(number)
    assert is_valid_iin(number)
    assert not is_valid_bin(number)


def test_worked_example_from_the_domain_notes():
    # S1 = 159, 159 mod 11 = 5.
    assert check_digit("94014000038") == 5


def test_second_pass_is_used():
    assert check_digit("10090150020") == 2


def test_prefix_that_no_check_digit_can_complete():
    assert check_digit("10090150024") is None
    assert not any(has_valid_check_digit("10090150024%d" % d) for d in range(10))


@pytest.mark.parametrize(
    "number",
    [
        "123456789012",  # correct digit would be 3
        "971240001316",
        "940140000380",  # published negative example
        "94014000038",  # 11 digits
        "9401400003855",  # 13 digits
        "",
        "abcdefghijkl",
        "٩٤٠١٤٠٠٠٠٣٨٥",  # Arabic-Indic digits pass str.isdigit(), not us
        "９４０１４０００３８５",  # fullwidth digits
        "94014000038５",
    ],
)
def test_invalid_numbers(number):
    assert not has_valid_check_digit(number)
    assert not is_valid_bin(number)
    assert not is_valid_iin(number)


def test_spaces_and_dashes_are_ignored():
    assert is_valid_bin("940140 000385")
    assert is_valid_bin("9401-4000-0385")


@pytest.mark.parametrize(
    "raw",
    ["87011234567", "8 701 123 45 67", "+7 701 123 45 67", "+77011234567", "7011234567", "8 (701) 123-45-67"],
)
def test_kazakh_mobile_spellings_normalise_to_e164(raw):
    assert normalise_kz_phone(raw) == "+77011234567"
    assert display_phone(normalise_kz_phone(raw)) == "+7 701 123 45 67"


def test_landline_is_kazakh_too():
    assert normalise_kz_phone("+7 (7172) 74-25-28") == "+77172742528"
    assert display_phone("+77172742528") == "+7 717 274 25 28"


@pytest.mark.parametrize(
    "raw",
    [
        "+7 912 345 67 89",  # Russian mobile: valid RU, not KZ
        "8 912 345 67 89",
        "+7 495 123 45 67",  # Moscow
        "8 800 080 12 34",  # toll-free parses as RU
        "+1 202 555 0100",
        "111",
        "12345",
        "",
        "not a phone",
        "+7 701 123 45 67 89 00 11 22 33 44 55",
        "8" * 200,
    ],
)
def test_other_numbers_are_refused(raw):
    assert normalise_kz_phone(raw) is None
