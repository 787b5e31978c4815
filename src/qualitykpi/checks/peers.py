"""The checks of comparisons with the cohort: where a peer statistic can mislead.

* ``negative-peer``: ``K% of peer STAT`` (or ``scaled to peer max``) on an
  input that can be negative — a growth rate in a bad year.  The meaning is
  settled (K% of a negative statistic is ``stat + (K − 100)% × |stat|``),
  but an author who did not think of it should hear it, and an input that
  cannot be negative should say so (``number at least 0``).
* ``peer-max-zero``: ``scaled to peer max`` with no line above it for the
  values of 0 and below: a cohort in which nobody has more than 0 has no
  best to scale to, and every entity would be a data error.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from ..diagnostics import Diagnostic
from ..domains import Domain
from ..i18n import _
from ..nodes.conditions import PeerRelative
from ..nodes.tree import Item
from ..source import Span
from ..values import InputSpec, fmt
from .context import Context, type_word, what
from .tables import Row, condition_interval, is_no_data

_ZERO = Fraction(0)


def _can_be_negative(spec: InputSpec | None) -> bool:
    if spec is None or spec.type == "yes/no":
        return False
    low = Domain.of(spec).low
    return low is None or low < 0


def _meaning(comparison: PeerRelative) -> str:
    """What ``K% of`` a negative statistic means, in words and with a number."""
    k = comparison.factor * 100
    example = comparison.threshold(Fraction(-10))
    message = (
        _("{off}% above it, measured on its size ({k}% of a {stat} of -10 is {example})")
        if k > 100
        else _("{off}% below it, measured on its size ({k}% of a {stat} of -10 is {example})")
    )
    return message.format(
        off=fmt(abs(k - 100)), k=fmt(k), stat=comparison.stat, example=fmt(example)
    )


def _negative(name: str, spec: InputSpec, comparison: PeerRelative) -> str:
    return _(
        "`{name}` can be negative ({type} with no lower bound), and so can its peer {stat}; "
        "{k}% of a negative {stat} is {meaning}"
    ).format(
        name=name,
        type=type_word(spec.type),
        stat=comparison.stat,
        k=fmt(comparison.factor * 100),
        meaning=_meaning(comparison),
    )


def _hint(name: str, spec: InputSpec) -> str:
    if spec.type == "number" and spec.low is None:
        return _(
            "if `{name}` cannot be negative, say so: `input {name}: number at least 0`"
        ).format(name=name)
    return _("if `{name}` cannot be negative, declare it `at least 0`").format(name=name)


def _peer_lines(ctx: Context) -> Iterator[tuple[Item, str, PeerRelative | None, Span | None]]:
    """Every comparison with the cohort: (item, input, comparison or None for scaling, where)."""
    for item in ctx.items():
        if item.table is not None:
            for index, line in enumerate(item.table.lines):
                where = ctx.row_span(item, Row(index, line))
                if line.scales_by() is not None:
                    yield item, line.subject, None, where
                    continue
                for comparison in line.comparisons():
                    yield item, line.subject, comparison, where
        for clause in item.clauses:
            for comparison in clause.comparisons():
                yield item, clause.input, comparison, ctx.at_line(clause.line)


def check_negative_peers(ctx: Context) -> Iterator[Diagnostic]:
    """``negative-peer``: a comparison with the cohort on an input that can be negative."""
    for item, name, comparison, where in _peer_lines(ctx):
        spec = ctx.specs.get(name)
        if spec is None or not _can_be_negative(spec):
            continue
        if comparison is not None and comparison.factor == 1:
            continue  # 100% of a statistic is the statistic, whatever its sign
        if comparison is None:
            message = _(
                "`{name}` can be negative ({type} with no lower bound): when no value "
                "of the cohort is above 0, `scaled to peer max` in {node} has no best "
                "to scale to, and every entity is a data error"
            ).format(name=name, type=type_word(spec.type), node=what(item))
        else:
            message = _negative(name, spec, comparison)
        yield ctx.diagnostic("negative-peer", message, where, hint=_hint(name, spec))
    for veto in ctx.scheme.scorer.vetoes:
        spec = ctx.specs.get(veto.input)
        if spec is None or not _can_be_negative(spec):
            continue
        for comparison in veto.comparisons():
            if comparison.factor == 1:
                continue
            yield ctx.diagnostic(
                "negative-peer",
                _negative(veto.input, spec, comparison),
                ctx.at_line(veto.line),
                hint=_hint(veto.input, spec),
            )


def check_peer_max(ctx: Context) -> Iterator[Diagnostic]:
    """``peer-max-zero``: ``scaled to peer max`` that a cohort of zeros would leave unscored."""
    for item in ctx.items():
        if item.table is None:
            continue
        for index, line in enumerate(item.table.lines):
            if line.scales_by() != "max":
                continue
            spec = ctx.specs.get(line.subject)
            if spec is None or _guarded(item, index, spec):
                continue
            yield ctx.diagnostic(
                "peer-max-zero",
                _(
                    "if no entity of the cohort has `{name}` above 0, `scaled to peer max` in "
                    "{node} has no best to scale to, and every entity is a data error; is a "
                    "line for such values missing above it?"
                ).format(name=line.subject, node=what(item)),
                ctx.row_span(item, Row(index, line)),
                hint=_(
                    "add a line above it such as `at most 0 → 0` (or `= 0 → 0` for a "
                    "{type} that cannot be negative)"
                ).format(type=type_word(spec.type)),
            )


def _guarded(item: Item, index: int, spec: InputSpec) -> bool:
    """Whether lines above ``index`` take every value of 0 and below that the input can have."""
    assert item.table is not None
    domain = Domain.of(spec)
    low = domain.low
    if low is not None and low > 0:
        return True
    for line in item.table.lines[:index]:
        if line.subject != item.table.lines[index].subject or is_no_data(line):
            continue
        if line.comparisons():
            continue  # where it holds depends on the cohort
        interval = condition_interval(line, item.targets.get(line.subject), {})
        if interval is None:
            continue
        takes_zero = interval.contains(_ZERO)
        takes_below = interval.low is None or (low is not None and interval.low <= low)
        if takes_zero and takes_below:
            return True
    return False
