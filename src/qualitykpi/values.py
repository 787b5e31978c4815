"""Exact numbers and input values.

Scores are computed with ``fractions.Fraction`` and handed out as
``decimal.Decimal``.  Data arrive as text (CSV cells, JSON strings), ``int``
or ``Decimal`` and are converted from their text form, never through binary
floating point.  A ``float`` is accepted only through its ``repr`` (the
shortest text that reads back as the same float), which is what a person who
typed ``87.2`` meant.

The only rounding anywhere: a computed score or amount that has no finite
decimal form (``scaled to peer max`` giving 3/7 of the points, a deduction
for each 3 units) is rounded to :data:`SCORE_PLACES` places, half up
(四舍五入), and the trace says so.  Comparisons are never rounded: a peer
mean of 10/3 is compared exactly and only *shown* as ``≈3.3333``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

#: Places a non-terminating computed score is rounded to (half up).
SCORE_PLACES = 4

Value: TypeAlias = Fraction | bool | None
InputType: TypeAlias = Literal["percent", "count", "number", "yes/no"]

_YES = {"yes", "y", "true", "t", "1", "是", "有", "√", "✓"}
_NO = {"no", "n", "false", "f", "0", "否", "无", "×", "✗"}


_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")


class ValueProblem(ValueError):
    """A data value that cannot be read; the caller adds entity and rule."""


#: A number as a Python program may give it; kept exact, never a float.
Number: TypeAlias = Fraction | Decimal | int | str


def exact_or_none(value: Number | None) -> Fraction | None:
    """:func:`exact`, letting ``None`` (unset) through."""
    return None if value is None else exact(value)


def exact(value: Decimal | int | str | Fraction) -> Fraction:
    """An exact rational from a decimal, integer or decimal text."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a yes/no value is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        value = parse_decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return Fraction(value)


def parse_decimal(text: str) -> Decimal:
    """Read decimal text exactly; full-width digits are accepted."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if "," in cleaned:
        # Only thousands grouping ("1,234.5"); "1,5" is refused, not read as 15.
        if not _GROUPED.fullmatch(cleaned):
            raise ValueError(f"{text!r} is not a number")
        cleaned = cleaned.replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return number


def is_finite_decimal(value: Fraction) -> bool:
    """True when ``value`` has a finite decimal expansion."""
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def to_decimal(value: Fraction) -> Decimal:
    """The exact decimal of a terminating fraction, without spurious digits."""
    if not is_finite_decimal(value):
        raise ValueError(f"{value} has no finite decimal form")
    places = 0
    den = value.denominator
    while den != 1:
        # Each step multiplies by 10 and removes one factor of 2 and/or 5.
        if den % 10 == 0:
            den //= 10
        elif den % 2 == 0:
            den //= 2
        else:
            den //= 5
        places += 1
    scaled = value * 10**places
    assert scaled.denominator == 1
    with localcontext() as ctx:
        ctx.prec = max(28, len(str(abs(scaled.numerator))) + 2)
        result = Decimal(scaled.numerator).scaleb(-places)
    return normalize(result)


def normalize(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and without an exponent."""
    if value == 0:
        return Decimal(0)
    value = value.normalize()
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0:
        return Decimal((sign, digits + (0,) * exponent, 0))
    return value


def rounded(value: Fraction) -> tuple[Fraction, bool]:
    """``value`` itself when it is a finite decimal, else rounded half up."""
    if is_finite_decimal(value):
        return value, False
    quantum = Decimal(1).scaleb(-SCORE_PLACES)
    with localcontext() as ctx:
        ctx.prec = 60
        approx = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            quantum, rounding=ROUND_HALF_UP
        )
    return Fraction(approx), True


def fmt(value: Fraction | Decimal | int) -> str:
    """Print a number the way a person writes it: ``34.1``, ``10``, ``-0.5``.

    A fraction with no finite decimal form prints as ``≈3.3333`` (four
    places) so that it is never mistaken for an exact value.
    """
    if isinstance(value, int | Decimal):
        value = Fraction(value)
    if is_finite_decimal(value):
        return format(to_decimal(value), "f")
    approx, _ = rounded(value)
    return "≈" + format(to_decimal(approx), "f")


def fmt_input(value: Value, type_: InputType) -> str:
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = fmt(value)
    return f"{text}%" if type_ == "percent" else text


@attrs.frozen
class InputSpec:
    """A declared input: its name, type and reporting precision."""

    name: str
    type: InputType
    precision: Fraction | None = None

    def read(self, raw: object) -> Value:
        """Read one cell exactly, or raise :class:`ValueProblem`.

        Blank cells and ``None`` are absent (``no data``).
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if self.type == "yes/no":
            return _read_yes_no(raw)
        number = _read_number(raw, allow_percent=self.type == "percent")
        if self.type == "percent" and not 0 <= number <= 100:
            raise ValueProblem(
                f"{fmt(number)} is not a percentage: a percent input lies between 0 and 100"
            )
        if self.type == "count":
            if number.denominator != 1:
                raise ValueProblem(f"{fmt(number)} is not a whole number: a count is 0, 1, 2, …")
            if number < 0:
                raise ValueProblem(f"{fmt(number)} is negative: a count is 0, 1, 2, …")
        if self.precision is not None and (number / self.precision).denominator != 1:
            raise ValueProblem(
                f"{fmt(number)} has more precision than declared (precision "
                f"{fmt(self.precision)}); the data must be reported in steps of "
                f"{fmt(self.precision)}, nothing is rounded"
            )
        return number


def _read_yes_no(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | Decimal) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = unicodedata.normalize("NFKC", raw).strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    raise ValueProblem(f"{raw!r} is not yes or no (write yes/no, 是/否, 1/0)")


def _read_number(raw: object, *, allow_percent: bool) -> Fraction:
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw!r} is a yes/no value where a number belongs")
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, float):
        # The shortest repr is the decimal the float was typed as.
        if not math.isfinite(raw):
            raise ValueProblem(f"{raw!r} is not a number")
        raw = Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueProblem(f"{raw} is not a number")
        return Fraction(raw)
    if isinstance(raw, Fraction):
        return raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if allow_percent and text.endswith("%"):
            text = text[:-1].strip()
        try:
            return Fraction(parse_decimal(text))
        except ValueError:
            raise ValueProblem(f"{raw!r} is not a number") from None
    raise ValueProblem(f"{raw!r} ({type(raw).__name__}) is not a number")


def peer_statistics(values: Iterable[Fraction]) -> dict[str, Fraction]:
    """Mean, median, max and min of the present values of one input."""
    ordered = sorted(values)
    if not ordered:
        return {}
    n = len(ordered)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {
        "mean": sum(ordered, Fraction(0)) / n,
        "median": median,
        "max": ordered[-1],
        "min": ordered[0],
    }
