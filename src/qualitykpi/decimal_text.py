"""Numbers as written: how the text of a rule's or a datum's number is read, and
the bounds every such number keeps.

The bounds are checked on the text (or a ``Decimal``'s exponent) before
anything is converted, so ``1e99999999`` is refused at once, not expanded.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .i18n import _

#: Digits a number in a rule or a data file may have before its decimal point.
MAX_WHOLE_DIGITS = 18
#: Digits a number in a rule or a data file may have after its decimal point.
MAX_PLACES = 20
#: Characters a number's text may have once its zero padding is dropped;
#: the longest number within the bounds is far shorter, so nothing longer
#: is handed to ``Decimal``.
MAX_NUMBER_TEXT = 80

_GROUPED = re.compile(r"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
# ASCII digits only: Python's Decimal also reads Arabic-Indic digits and "1_000",
# and NFKC turns ① and ² into digits; none of those is a number a person typed.
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# The full-width forms Chinese input methods and Excel paste, and the minus
# sign of Word; nothing else is mapped.
FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "．": ".",
        "，": ",",
        "－": "-",
        "＋": "+",
        "％": "%",
        "−": "-",
        "ｅ": "e",
        "Ｅ": "E",
        "\u3000": " ",
    }
)


def size_problem(number: Decimal, shown: str) -> str | None:
    """Why a finite decimal, written ``shown``, is too large or too fine to be a
    rule's or a datum's number.

    Reads only the exponent and the digits, never expands the number, so
    ``1e99999999`` is answered as fast as ``1``.
    """
    if not number:
        return None
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    whole = number.adjusted() + 1
    if whole > MAX_WHOLE_DIGITS:
        return _(
            "{number} has {digits} digits before the decimal point; a number has at most {most}"
        ).format(number=shown, digits=whole, most=MAX_WHOLE_DIGITS)
    # Trailing zeros are not places: 1.500 has one.
    places = -exponent
    index = len(digits) - 1
    while places > 0 and index > 0 and digits[index] == 0:
        places -= 1
        index -= 1
    if places > MAX_PLACES:
        return _(
            "{number} has {digits} digits after the decimal point; a number has at most {most}"
        ).format(number=shown, digits=places, most=MAX_PLACES)
    return None


def parse_decimal(text: str) -> Decimal:
    """Read decimal text exactly; full-width digits are accepted, nothing else is mapped.

    Leading zeros and zeros after the last decimal place are dropped before
    the text's length is bounded: ``1.000…0`` is 1, however many zeros.
    """
    cleaned = text.translate(FULL_WIDTH).strip()
    if "," in cleaned:
        # Only thousands grouping ("1,234.5"); "1,5" is refused, not read as 15.
        if not _GROUPED.fullmatch(cleaned):
            raise ValueError(_("{value} is not a number").format(value=repr(shorten(text))))
        cleaned = cleaned.replace(",", "")
    if not _DECIMAL.fullmatch(cleaned):
        raise ValueError(_("{value} is not a number").format(value=repr(shorten(text))))
    cleaned = _without_padding(cleaned)
    if len(cleaned) > MAX_NUMBER_TEXT:
        raise ValueError(
            _(
                "{value} has too many digits: a number has at most "
                "{whole} before the decimal point and {places} after it"
            ).format(value=repr(shorten(text)), whole=MAX_WHOLE_DIGITS, places=MAX_PLACES)
        )
    return Decimal(cleaned)


def _without_padding(number: str) -> str:
    """Decimal text without leading zeros or zeros after its last decimal place."""
    sign = number[:1] if number[:1] in "+-" else ""
    body = number[len(sign) :]
    mantissa, marker, exponent = body.partition("e") if "e" in body else body.partition("E")
    whole, point, fraction = mantissa.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return sign + whole + (point + fraction if fraction else "") + marker + exponent


def shorten(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "…"
