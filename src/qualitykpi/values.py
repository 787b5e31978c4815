"""Exact numbers and input values.

Scores are computed with ``fractions.Fraction`` and handed out as
``decimal.Decimal``.  Data arrive as text (CSV cells, JSON strings), ``int``
or ``Decimal`` and are converted from their text form, never through binary
floating point.  A ``float`` is accepted only through its ``repr`` (the
shortest text that reads back as the same float), which is what a person who
typed ``87.2`` meant; a float NaN (how pandas marks an empty cell) is absent.

Every number a rule or a data file may write is bounded: at most
:data:`MAX_WHOLE_DIGITS` digits before the decimal point and
:data:`MAX_PLACES` after it.  The bound is checked on the number's text (or
its ``Decimal`` exponent) before anything is converted, so a cell such as
``1e99999999`` is refused at once instead of expanded, and no later
arithmetic meets a number Python cannot print.

The only rounding anywhere: a computed score or amount that has no finite
decimal form (``scaled to peer max`` giving 3/7 of the points, a deduction
for each 3 units) is rounded to :data:`SCORE_PLACES` places, half up
(四舍五入), and the trace says so.  Comparisons are never rounded: a peer
mean of 10/3 is compared exactly and only *shown* as ``≈3.3333``.  Turning
an exact fraction into a ``Decimal`` never goes through a decimal context,
so no digit is lost to its 28-digit precision.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

from .decimal_text import FULL_WIDTH, parse_decimal, shorten
from .decimal_text import MAX_NUMBER_TEXT as MAX_NUMBER_TEXT
from .decimal_text import MAX_PLACES as MAX_PLACES
from .decimal_text import MAX_WHOLE_DIGITS as MAX_WHOLE_DIGITS
from .decimal_text import size_problem as size_problem
from .i18n import _

#: Places a non-terminating computed score is rounded to (half up).
SCORE_PLACES = 4

Value: TypeAlias = Fraction | bool | None
#: ``level`` is an input that takes one of listed texts (``one of "优", "良", "差"``).
InputType: TypeAlias = Literal["percent", "count", "number", "yes/no", "level"]

_YES = {"yes", "y", "true", "t", "1", "是", "有", "√", "✓"}
_NO = {"no", "n", "false", "f", "0", "否", "无", "×", "✗"}


# ASCII digits only: Python's Decimal also reads Arabic-Indic digits and "1_000",
# and NFKC turns ① and ² into digits; none of those is a number a person typed.
# A plain cell, read without further ado: at most 18 digits before the point
# and 20 after it (MAX_WHOLE_DIGITS, MAX_PLACES), ASCII only.
_PLAIN = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,20})?")


#: Exact decimal arithmetic: room for every number the language allows, and a
#: trap on every rounding, so an operation is exact or raises.  (A number has
#: at most 18 + 20 digits, a product of two at most 76; sums add a few more.)
EXACT = decimal.Context(
    prec=400,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[
        decimal.Inexact,
        decimal.Rounded,
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Underflow,
        decimal.Clamped,
        decimal.Subnormal,
    ],
)


# Dropping trailing zeros signals Rounded, though nothing is lost; Inexact
# still traps.
_WRITTEN = EXACT.copy()
_WRITTEN.traps[decimal.Rounded] = False
_ONE = Decimal(1)


#: How many distinct cells an input remembers having read.
CELLS_KEPT = 2_048


class ValueProblem(ValueError):
    """A data value that cannot be read; the caller adds entity and rule."""


#: A number as a Python program may give it; kept exact, never a float.
Number: TypeAlias = Fraction | Decimal | int | str


def exact_or_none(value: Number | None) -> Fraction | None:
    """:func:`exact`, letting ``None`` (unset) through."""
    return None if value is None else exact(value)


def exact(value: Decimal | int | str | Fraction) -> Fraction:
    """An exact rational from a decimal, integer or decimal text.

    Decimals, integers and text must lie within the bounds of
    :func:`size_problem` (a ``ValueError`` says which); a ``Fraction`` is
    taken as it is.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a yes/no value is not a number")
    if isinstance(value, str):
        value = parse_decimal(value)
    elif isinstance(value, int):
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    problem = size_problem(value, shorten(str(value)))
    if problem:
        raise ValueError(problem)
    return as_fraction(value)


def as_fraction(value: Decimal | int) -> Fraction:
    """The exact ``Fraction`` of a finite decimal.

    ``Fraction(decimal)`` checks its argument against the numeric ABCs, which
    made it a tenth of the time to load a large rule file.
    """
    numerator, denominator = value.as_integer_ratio()
    return Fraction(numerator, denominator)


def is_finite_decimal(value: Fraction) -> bool:
    """True when ``value`` has a finite decimal expansion."""
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def to_decimal(value: Fraction) -> Decimal:
    """The exact decimal of a terminating fraction, without spurious digits.

    Built from the digits themselves, never through a decimal context, so
    it is exact however many digits it has.
    """
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
    integer = scaled.numerator
    digits = Decimal(abs(integer)).as_tuple().digits
    return normalize(Decimal((integer < 0, digits, -places)))


def decimal_sum(values: Iterable[Decimal | Fraction | int]) -> Decimal:
    """The exact sum of decimals (``sum`` on ``Decimal`` rounds to 28 digits)."""
    return to_decimal(sum((Fraction(value) for value in values), Fraction(0)))


def decimal_difference(minuend: Decimal, subtrahend: Decimal) -> Decimal:
    """``minuend − subtrahend``, exactly (``-`` on ``Decimal`` rounds to 28 digits)."""
    return to_decimal(Fraction(minuend) - Fraction(subtrahend))


def normalize(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and without an exponent, exactly.

    ``Decimal.normalize`` alone would round to the context's 28 digits and
    write 100 as ``1E+2``; this works in :data:`EXACT`'s room, where nothing
    is rounded, and writes whole numbers with exponent 0.
    """
    if not value:
        return Decimal(0)
    if abs(value.adjusted()) >= _WRITTEN.prec // 2:
        return _normalized_digits(value)  # an absurd exponent: from the digits
    if value == value.to_integral_value():
        return value.quantize(_ONE, context=_WRITTEN)
    return value.normalize(_WRITTEN)


def _normalized_digits(value: Decimal) -> Decimal:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    end = len(digits)
    while end > 1 and digits[end - 1] == 0 and exponent < 0:
        end -= 1
        exponent += 1
    kept = tuple(digits[:end])
    if exponent > 0:
        return Decimal((sign, kept + (0,) * exponent, 0))
    return Decimal((sign, kept, exponent))


def rounded(value: Fraction) -> tuple[Fraction, bool]:
    """``value`` itself when it is a finite decimal, else rounded half up (四舍五入).

    Half up as in ``ROUND_HALF_UP``: a tie goes away from zero.  Worked out
    in integers, so no decimal context can overflow or round it again.
    """
    if is_finite_decimal(value):
        return value, False
    return round_half_up(value, SCORE_PLACES), True


def round_half_up(value: Fraction, places: int) -> Fraction:
    """``value`` rounded half up (四舍五入, a tie away from zero) to ``places`` places."""
    scale = Fraction(10) ** places
    whole = math.floor(abs(value) * scale + Fraction(1, 2))
    return (whole if value >= 0 else -whole) / scale


def fmt(value: Fraction | Decimal | int) -> str:
    """Print a number the way a person writes it: ``34.1``, ``10``, ``-0.5``.

    A fraction with no finite decimal form prints as ``≈3.3333`` (four
    places) so that it is never mistaken for an exact value.
    """
    if isinstance(value, int | Decimal):
        value = Fraction(value)
    if is_finite_decimal(value):
        return format(to_decimal(value), "f")
    approx, _exact = rounded(value)
    return "≈" + format(to_decimal(approx), "f")


def shown_stats(
    peers: Mapping[str, Mapping[str, Fraction | Decimal]],
) -> dict[str, dict[str, str]]:
    """A cohort's statistics as results give them: each as exact text (:func:`fmt`)."""
    return {
        name: {stat: fmt(value) for stat, value in stats.items()} for name, stats in peers.items()
    }


def fmt_input(value: Value, type_: InputType, levels: tuple[str, ...] = ()) -> str:
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if type_ == "level":
        return show_level(value, levels)
    text = fmt(value)
    return f"{text}%" if type_ == "percent" else text


def show_level(index: Fraction | int, levels: tuple[str, ...]) -> str:
    """A level as the rule writes it, ``"完整"``: a level is kept as its index in the
    list, and shown by its label wherever a person reads it."""
    if isinstance(index, int) or index.denominator == 1:
        position = int(index)
        if 0 <= position < len(levels):
            return f'"{levels[position]}"'
    return f"level {fmt(index)}"  # not a level of the list: only a tool's own mistake


def labels_tuple(labels: Iterable[str]) -> tuple[str, ...]:
    """A level input's labels, in order."""
    return tuple(labels)


def level_key(text: str) -> str:
    """How a level is matched: full-width and half-width forms alike (NFKC, as the
    yes/no cells are read), without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).strip()


@attrs.frozen
class InputSpec:
    """A declared input: its name, type and reporting precision.

    ``low`` and ``high`` narrow the type's values (``number at least 0``):
    a value outside them is a data error, and the checks take them as the
    input's domain.

    A ``level`` input lists its ``levels``; a cell holds one of them as text
    and is read as its index in the list (0 for the first), so that the
    checks see the finite domain 0 … n − 1.  Every person-facing text shows
    the label (:meth:`show`).
    """

    name: str
    type: InputType
    precision: Fraction | None = None
    low: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    high: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    levels: tuple[str, ...] = attrs.field(default=(), converter=labels_tuple)
    #: The column header the offices use; the data may title the column by it or by ``name``.
    header: str | None = None
    _step: Decimal | None = attrs.field(init=False, default=None, eq=False, repr=False)
    _known: dict[str, Decimal | bool] = attrs.field(init=False, factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if (self.type == "level") != bool(self.levels):
            raise ValueError(f"input {self.name!r}: a level input, and only one, lists levels")
        step = self.precision
        # Checked for every cell: the decimal step is worked out once.
        object.__setattr__(
            self, "_step", to_decimal(step) if step and is_finite_decimal(step) else None
        )

    def _on_grid(self, number: Decimal) -> bool:
        """Whether ``number`` is a whole multiple of the precision."""
        if self._step is None:
            assert self.precision is not None
            return (Fraction(number) / self.precision).denominator == 1
        return not EXACT.remainder(number, self._step)

    def read(self, raw: object) -> Value:
        """Read one cell exactly, or raise :class:`ValueProblem`.

        Blank cells, ``None`` and the missing-value markers of pandas (a
        float NaN, ``pd.NA``, ``NaT``) are absent (``no data``).
        """
        value = self.read_exact(raw)
        return as_fraction(value) if isinstance(value, Decimal) else value

    def read_exact(self, raw: object) -> Decimal | bool | None:
        """:meth:`read`, with a number as the exact ``Decimal`` it was written as."""
        if raw.__class__ is not str:
            return self._read(raw)
        known = self._known.get(raw)
        if known is None:
            known = self._read(raw)
            if known is not None and len(self._known) < CELLS_KEPT:
                # A cohort's cells repeat: each is read once, and its value shared.
                self._known[raw] = known
        return known

    def show(self, value: Value) -> str:
        """A value of this input as a person reads it: ``87.2%``, ``yes``, ``"完整"``."""
        return fmt_input(value, self.type, self.levels)

    def level(self, label: str) -> int | None:
        """The index of ``label`` among the levels (None if it is not one)."""
        key = level_key(label)
        for index, known in enumerate(self.levels):
            if level_key(known) == key:
                return index
        return None

    def _read(self, raw: object) -> Decimal | bool | None:
        if self.type == "level":
            return self._read_level(raw)
        if raw.__class__ is str and _PLAIN.fullmatch(raw):
            # The common cell, "87.2": digits within the size limits.
            if self.type == "yes/no":
                return _read_yes_no(raw)
            return self._checked(Decimal(raw))
        raw = _plain(raw)
        if is_absent(raw):
            return None
        if self.type == "yes/no":
            return _read_yes_no(raw)
        return self._checked(_read_number(raw, allow_percent=self.type == "percent"))

    def _read_level(self, raw: object) -> Decimal | None:
        """A level cell: one of the listed texts, read as its index."""
        raw = _plain(raw)
        if is_absent(raw):
            return None
        index = self.level(raw) if isinstance(raw, str) else None
        if index is None:
            allowed = _(", ").join(f'"{label}"' for label in self.levels)
            message = _("{value} is not one of the levels of this input ({levels})")
            raise ValueProblem(message.format(value=_shown(raw), levels=allowed))
        return Decimal(index)

    def _checked(self, number: Decimal) -> Decimal:
        """``number``, if it is one of this input's values (else :class:`ValueProblem`)."""
        if self.type == "percent" and not 0 <= number <= 100:
            message = _("{value} is not a percentage: a percent input lies between 0 and 100")
            raise ValueProblem(message.format(value=fmt(number)))
        if self.type == "count":
            if number != number.to_integral_value():
                message = _("{value} is not a whole number: a count is 0, 1, 2, …")
                raise ValueProblem(message.format(value=fmt(number)))
            if number < 0:
                message = _("{value} is negative: a count is 0, 1, 2, …")
                raise ValueProblem(message.format(value=fmt(number)))
        if self.low is not None and number < self.low:
            message = _("{value} is below the values declared for it (at least {low})")
            raise ValueProblem(message.format(value=fmt(number), low=fmt(self.low)))
        if self.high is not None and number > self.high:
            message = _("{value} is above the values declared for it (at most {high})")
            raise ValueProblem(message.format(value=fmt(number), high=fmt(self.high)))
        if self.precision is not None and not self._on_grid(number):
            message = _(
                "{value} has more precision than declared (precision {step}); the data "
                "must be reported in steps of {step}, nothing is rounded"
            )
            raise ValueProblem(message.format(value=fmt(number), step=fmt(self.precision)))
        return number


def _plain(raw: object) -> object:
    """A NumPy scalar (what a DataFrame's cells are) as the Python value it holds.

    A float32 (or float16) becomes its shortest text *at its own precision*
    — ``91.2``, what was typed — not the float64 it widens to
    (91.19999694824219).
    """
    if type(raw).__module__ != "numpy" or not hasattr(raw, "item"):
        return raw
    if is_narrow_float(raw):
        return None if raw != raw else str(raw)  # NaN is the only value unequal to itself
    return raw.item()


def is_narrow_float(raw: object) -> bool:
    """Whether ``raw`` holds floats of fewer than 64 bits: a NumPy float32 (whose
    ``str`` is its shortest decimal) or a pandas column of them."""
    dtype = getattr(raw, "dtype", None)
    return getattr(dtype, "kind", "") == "f" and getattr(dtype, "itemsize", 8) < 8


def is_absent(raw: object) -> bool:
    """Whether a cell holds no value: ``None``, blank text, or pandas' missing markers."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, float):
        return math.isnan(raw)
    # pd.NA and pd.NaT, recognised without importing pandas.
    return type(raw).__name__ in ("NAType", "NaTType")


def _read_yes_no(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | Decimal | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = unicodedata.normalize("NFKC", raw).strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    message = _("{value} is not yes or no (write yes/no, 是/否, 1/0)")
    raise ValueProblem(message.format(value=_shown(raw)))


def _shown(raw: object) -> str:
    if isinstance(raw, str):
        return repr(shorten(raw))
    return shown_value(raw)


def shown_value(raw: object) -> str:
    """A data value as a message may quote it: short, and never too long to print.

    ``str`` of an integer of more than 4,300 digits raises; such a value is
    described instead of printed.
    """
    if isinstance(raw, numbers.Integral) and not isinstance(raw, bool):
        whole = int(raw)
        if whole.bit_length() > 10_000:
            return _("a very long integer")  # too long for str(); its size is said elsewhere
        return shorten(str(whole))
    if isinstance(raw, Decimal):
        return shorten(str(raw))
    return shorten(repr(raw))


def _read_number(raw: object, *, allow_percent: bool) -> Decimal:
    if isinstance(raw, bool):
        message = _("{value} is a yes/no value where a number belongs")
        raise ValueProblem(message.format(value=repr(raw)))
    shown = _shown(raw)
    if isinstance(raw, numbers.Integral):
        raw = Decimal(int(raw))
    elif isinstance(raw, float):
        # The shortest repr is the decimal the float was typed as.
        if not math.isfinite(raw):
            raise ValueProblem(_("{value} is not a number").format(value=shown))
        raw = Decimal(repr(raw))
    elif isinstance(raw, Fraction):
        if not is_finite_decimal(raw):
            message = _(
                "{value} has no finite decimal form: data are decimal numbers, such as 87.2"
            )
            raise ValueProblem(message.format(value=raw))
        raw = to_decimal(raw)
    elif isinstance(raw, str):
        text = raw.translate(FULL_WIDTH).strip()
        if allow_percent and text.endswith("%"):
            text = text[:-1].strip()
        try:
            raw = parse_decimal(text)
        except ValueError as unreadable:
            raise ValueProblem(str(unreadable)) from None
    if not isinstance(raw, Decimal):
        message = _("{value} ({type}) is not a number")
        raise ValueProblem(message.format(value=shown, type=type(raw).__name__))
    if not raw.is_finite():
        raise ValueProblem(_("{value} is not a number").format(value=shown))
    problem = size_problem(raw, shown)
    if problem:
        raise ValueProblem(problem)
    return raw


def peer_statistics(values: Iterable[Fraction]) -> dict[str, Fraction]:
    """Mean, median, max and min of the present values of one input."""
    ordered = sorted(values)
    return counted_statistics([(value, 1) for value in ordered])


def counted_statistics(counted: Sequence[tuple[Fraction, int]]) -> dict[str, Fraction]:
    """:func:`peer_statistics` of values given in ascending order with how many
    times each occurs: a column of a million values is a few thousand pairs."""
    if not counted:
        return {}
    n = sum(count for _, count in counted)
    middle = n // 2

    def at(place: int) -> Fraction:
        # The value at a place (0-based) of the sorted values.
        seen = 0
        for value, count in counted:
            seen += count
            if place < seen:
                return value
        raise AssertionError("a place beyond the values")

    median = at(middle) if n % 2 else (at(middle - 1) + at(middle)) / 2
    return {
        "mean": sum((value * count for value, count in counted), Fraction(0)) / n,
        "median": median,
        "max": counted[-1][0],
        "min": counted[0][0],
    }
