"""Reading data exactly, and printing numbers without spurious digits."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualitykpi import InputSpec
from qualitykpi.values import ValueProblem, fmt, peer_statistics, rounded, to_decimal

PERCENT = InputSpec("rate", "percent", Fraction(1, 10))
COUNT = InputSpec("awards", "count")
NUMBER = InputSpec("index", "number")
FLAG = InputSpec("incident", "yes/no")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("87.2", Fraction(872, 10)),
        ("87.2%", Fraction(872, 10)),
        (" 90 ", Fraction(90)),
        ("８７．２", Fraction(872, 10)),
        (Decimal("87.2"), Fraction(872, 10)),
        (87, Fraction(87)),
        (87.2, Fraction(872, 10)),
        ("100", Fraction(100)),
        ("0", Fraction(0)),
    ],
)
def test_percent_is_read_exactly(raw: object, expected: Fraction) -> None:
    assert PERCENT.read(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_is_absent(raw: object) -> None:
    assert PERCENT.read(raw) is None
    assert FLAG.read(raw) is None


@pytest.mark.parametrize(
    ("spec", "raw", "words"),
    [
        (PERCENT, "105", "not a percentage"),
        (PERCENT, "-1", "not a percentage"),
        (PERCENT, "87.25", "more precision than declared"),
        (PERCENT, "abc", "not a number"),
        (COUNT, "-1", "negative"),
        (COUNT, "2.5", "not a whole number"),
        (COUNT, True, "yes/no value"),
        (NUMBER, "NaN", "not a number"),
        (NUMBER, float("inf"), "not a number"),
        (FLAG, "maybe", "not yes or no"),
        (FLAG, 2, "not yes or no"),
    ],
)
def test_bad_values_are_rejected_with_a_reason(spec: InputSpec, raw: object, words: str) -> None:
    with pytest.raises(ValueProblem, match=words):
        spec.read(raw)


@pytest.mark.parametrize("raw", ["yes", "Y", "true", "1", "是", "有", True, 1])
def test_yes(raw: object) -> None:
    assert FLAG.read(raw) is True


@pytest.mark.parametrize("raw", ["no", "N", "false", "0", "否", "无", False, 0])
def test_no(raw: object) -> None:
    assert FLAG.read(raw) is False


def test_count_accepts_integral_text() -> None:
    assert COUNT.read("3") == 3
    assert COUNT.read("3.0") == 3


def test_precision_uses_the_value_not_its_digits() -> None:
    assert PERCENT.read("87.20") == Fraction(872, 10)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(341, 10), "34.1"),
        (Fraction(10), "10"),
        (Fraction(-1, 2), "-0.5"),
        (Fraction(2715, 100), "27.15"),
        (Fraction(0), "0"),
        (Fraction(1, 3), "≈0.3333"),
        (Decimal("7.00"), "7"),
        (Decimal("1E+2"), "100"),
    ],
)
def test_fmt(value: Fraction | Decimal, text: str) -> None:
    assert fmt(value) == text


def test_rounding_happens_only_without_a_finite_decimal() -> None:
    assert rounded(Fraction(1, 8)) == (Fraction(1, 8), False)
    assert rounded(Fraction(2, 3)) == (Fraction(6667, 10000), True)
    assert rounded(Fraction(1, 6)) == (Fraction(1667, 10000), True)


@given(st.integers(-(10**9), 10**9), st.integers(0, 12))
def test_to_decimal_round_trips(units: int, places: int) -> None:
    value = Fraction(units, 10**places)
    assert Fraction(to_decimal(value)) == value
    assert "E" not in fmt(value)
    assert Fraction(fmt(value)) == value


def test_peer_statistics() -> None:
    stats = peer_statistics([Fraction(6), Fraction(3), Fraction(0), Fraction(1)])
    assert stats == {"mean": Fraction(10, 4), "median": Fraction(2), "max": 6, "min": 0}
    assert peer_statistics([]) == {}
