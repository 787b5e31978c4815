"""The fast path's arithmetic answers exactly as the reference does.

The compiled plan compares decimals with an interval's compiled predicate,
and writes its numbers with ``normalize``; these properties hold them to the
reference: ``Interval.contains`` on fractions, and the digit-by-digit
writing of ``to_decimal``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from qualitykpi.domains import Interval
from qualitykpi.values import _normalized_digits, as_fraction, normalize, to_decimal

bounds = st.none() | st.fractions(min_value=-50, max_value=50, max_denominator=12)
decimals = st.decimals(
    min_value=Decimal(-60), max_value=Decimal(60), allow_nan=False, allow_infinity=False, places=3
)


@given(bounds, bounds, st.booleans(), st.booleans(), decimals)
def test_a_compiled_interval_answers_as_the_interval(
    low: Fraction | None, high: Fraction | None, low_closed: bool, high_closed: bool, x: Decimal
) -> None:
    interval = Interval(low, high, low_closed, high_closed)
    assert interval.predicate()(x) == interval.contains(as_fraction(x))


@given(bounds, bounds, st.booleans(), st.booleans())
def test_a_compiled_interval_holds_at_its_ends_as_written(
    low: Fraction | None, high: Fraction | None, low_closed: bool, high_closed: bool
) -> None:
    """The ends themselves, even a 1/3 that no decimal is (compared exactly)."""
    interval = Interval(low, high, low_closed, high_closed)
    test = interval.predicate()
    for end in (low, high):
        if end is not None and end.denominator in (1, 2, 4, 5, 8, 10):
            assert test(to_decimal(end)) == interval.contains(end)


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**18), max_value=10**18))
def test_normalize_writes_a_number_as_to_decimal_does(value: Decimal) -> None:
    written = normalize(value)
    assert written == value
    assert str(written) == str(to_decimal(as_fraction(value)))
    if value:  # zero is written 0, whatever its exponent; the digits say nothing more
        assert written.as_tuple() == _normalized_digits(value).as_tuple()
