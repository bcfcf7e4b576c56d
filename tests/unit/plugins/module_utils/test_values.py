import datetime

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils import values


@pytest.mark.parametrize("given, expected", [
    (None, None), (True, "1"), (False, "0"), (3.0, "3"), (3.5, "3.5"), (7, "7"), ("x", "x")])
def test_as_text_turns_what_a_server_answers_into_text(given, expected):
    assert values.as_text(given) == expected


def test_blank_and_text_treat_empty_as_unset():
    assert values.blank_as_none("") is None
    assert values.blank_as_none(" ") == " "
    assert values.text("  a b ") == "a b"
    assert values.text("   ") is None
    assert values.casefold_text(" Ops@Example.NET ") == "ops@example.net"
    assert values.casefold(None) is None


@pytest.mark.parametrize("given, expected", [
    (5, 5), ("12", 12), (" 12 ", 12), (4.0, 4), (True, None), ("x1", None), (None, None)])
def test_as_int_accepts_numbers_and_numeric_text_only(given, expected):
    assert values.as_int(given) == expected


def test_ident_set_and_flag_canonical_forms():
    assert values.ident("0") is None
    assert values.ident(" 42 ") == "42"
    assert values.ident("4.0") == "4"
    assert values.ident("abc") == "abc"
    assert values.id_set([3, "10", "3", 0, None, "b"]) == ["3", "10", "b"]
    assert values.id_set(None) is None
    assert [values.flag(v) for v in (None, "", "1", "yes", "0", True)] == [
        None, None, True, True, False, True]


def test_dates():
    assert values.iso_date(datetime.date(2026, 2, 1)) == "2026-02-01"
    assert values.iso_date(" 2026-02-01 00:00:00") == "2026-02-01"
    assert values.iso_date(None) is None
    assert values.valid_iso_date("2024-02-29")
    assert not values.valid_iso_date("2023-02-29")
    assert not values.valid_iso_date("01/02/2026")
