"""Shared hypothesis strategies: exact values, inputs, tables, clauses, trees, cohorts.

Everything is built through the public Python API (``qualitykpi.Item``,
``Section``, ``SchemeScorer``, the factories), never from rule text, so the
properties exercise the scorer objects themselves.  No binary floating point
anywhere: numbers are ``Decimal`` values made from integers scaled by a
precision, and cohort cells are their text (``"87.2"``).

Layers, each reusable on its own:

* numbers — :func:`decimals`, :func:`amounts`, :func:`dec`, :func:`text_of`;
* inputs — :class:`Domain` (an :class:`~qualitykpi.InputSpec` plus the values
  a generator may give it, :meth:`Domain.near` biased towards given edges),
  :func:`input_specs`, :func:`domains`, :func:`flag_domains`,
  :func:`subject_domains`, :func:`pools`;
* rule lines — :func:`ranges`, :func:`conditions`, :func:`peer_conditions`,
  :func:`never_matching`, :func:`outcomes`, :func:`band_tables` (random,
  unordered), :func:`monotone_tables` / :func:`monotone_items` (monotone by
  construction), :func:`per_unit_lines`, :func:`scaled_lines`;
* edges — :func:`condition_points`, :func:`line_points`, :func:`table_points`,
  :func:`edges_of` (where a value's score may jump: draw data there);
* clauses — :func:`when_clauses`, :func:`for_each_clauses`, :func:`clause_lists`;
* nodes — :func:`leaf_items`, :func:`items_with_parts`, :func:`deduction_items`,
  :func:`sections`, :func:`grade_scales`, :func:`vetoes`, :func:`schemes`
  (a :class:`Generated` scorer with its :class:`Pool` of inputs);
* data — :func:`rows_for`, :func:`cohorts`, :class:`Peers` / :func:`peer_stats`,
  :func:`context` (a scoring context from ``Decimal`` values).

Node ids are positional (``1``, ``1.2``, ``1.2.3``) and hence unique.
To extend: add a shape to :func:`nodes` or :func:`leaf_items` (every tree
property then covers it), or a line kind to :func:`band_tables` and a case
to the reference model in ``test_properties.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs
from hypothesis import strategies as st

import qualitykpi as qk
from qualitykpi import InputSpec
from qualitykpi.nodes.evaluation import Context

Number = Decimal | int | str | Fraction

# ------------------------------------------------------------------- numbers


def _frac(value: Number) -> Fraction:
    if isinstance(value, str):
        return Fraction(Decimal(value))
    return Fraction(value)


def dec(value: Number) -> Decimal:
    """An exact ``Decimal`` of a terminating number (raises otherwise)."""
    f = _frac(value)
    den, places = f.denominator, 0
    while den % 10 == 0 or den % 2 == 0 or den % 5 == 0:
        den //= 10 if den % 10 == 0 else 2 if den % 2 == 0 else 5
        places += 1
    if den != 1:
        raise ValueError(f"{f} has no finite decimal form")
    return Decimal(int(f * 10**places)).scaleb(-places)


def decimals(
    min_value: Number, max_value: Number, *, places: int = 2
) -> st.SearchStrategy[Decimal]:
    """Exact decimals in ``[min_value, max_value]`` with at most ``places`` places."""
    scale = 10**places
    low = math.ceil(_frac(min_value) * scale)
    high = math.floor(_frac(max_value) * scale)
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


def amounts(
    max_value: Number = 10, *, places: int = 2, allow_zero: bool = False
) -> st.SearchStrategy[Decimal]:
    """Positive exact amounts (points, caps) up to ``max_value``."""
    low = Fraction(0) if allow_zero else Fraction(1, 10**places)
    return decimals(low, max_value, places=places)


#: Units whose reciprocal has a finite decimal form: pro-rata amounts stay exact.
TERMINATING_UNITS = tuple(
    Decimal(u) for u in ("0.1", "0.2", "0.25", "0.5", "1", "2", "2.5", "4", "5", "10")
)
#: Units that make pro-rata amounts non-terminating (the engine must round them).
NONTERMINATING_UNITS = tuple(Decimal(u) for u in ("3", "0.3", "1.5", "6", "7", "0.7"))

MODES: tuple[Literal["pro rata", "whole", "started"], ...] = ("pro rata", "whole", "started")


def text_of(value: Decimal | bool | None, *, percent: bool = False, style: int = 0) -> str:
    """How a cell holding ``value`` is written in a CSV (``style`` varies the spelling)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes = ("yes", "是", "1", "true", "有")
        no = ("no", "否", "0", "false", "无")
        words = yes if value else no
        return words[style % len(words)]
    text = format(value, "f")
    if percent and style % 3 == 1:
        text += "%"
    if style % 5 == 2:
        text = f" {text} "
    return text


# -------------------------------------------------------------------- inputs


@attrs.frozen
class Domain:
    """An input and the values a generator may give it.

    Numeric values are ``low + k × step`` for whole ``k``: multiples of the
    declared precision (when there is one) within the type's range.
    """

    spec: InputSpec
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    step: Decimal = Decimal(1)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_flag(self) -> bool:
        return self.spec.type == "yes/no"

    @property
    def percent(self) -> bool:
        return self.spec.type == "percent"

    def size(self) -> int:
        return int((self.high - self.low) / self.step)

    def at(self, k: int) -> Decimal:
        return dec(_frac(self.low) + k * _frac(self.step))

    def values(self, *, absent: bool = False) -> st.SearchStrategy[Any]:
        """Values of this input (``Decimal`` or ``bool``; ``None`` when ``absent``)."""
        base: st.SearchStrategy[Any] = (
            st.booleans() if self.is_flag else st.integers(0, self.size()).map(self.at)
        )
        if not absent:
            return base
        # absent about one time in four
        return st.sampled_from([1, 1, 1, 0]).flatmap(lambda k: base if k else st.none())

    def near(self, points: Sequence[Number], *, absent: bool = False) -> st.SearchStrategy[Any]:
        """Values of this input, half of them on or next to ``points`` (a table's edges).

        Boundaries are where rule tables go wrong (含本数 or not, ``≥`` or ``>``);
        uniform draws from a grid of a thousand values would almost never hit them.
        """
        base = self.values(absent=absent)
        if self.is_flag:
            return base
        exact: set[int] = set()
        close: set[int] = set()
        for point in points:
            k = (_frac(point) - _frac(self.low)) / _frac(self.step)
            if k.denominator == 1 and 0 <= k <= self.size():
                exact.add(int(k))
            close.update(
                j for j in range(math.floor(k) - 1, math.ceil(k) + 2) if 0 <= j <= self.size()
            )
        options = [st.sampled_from(sorted(ks)).map(self.at) for ks in (exact, close) if ks]
        return st.one_of(*options, base) if options else base

    def thresholds(self, *, between_steps: bool = True) -> st.SearchStrategy[Decimal]:
        """Thresholds near the domain: on its grid, a little outside, or between two steps."""
        on_grid = st.integers(-2, self.size() + 2).map(self.at)
        if not between_steps:
            return on_grid
        half = st.integers(-1, self.size()).map(
            lambda k: dec(_frac(self.at(k)) + _frac(self.step) / 2)
        )
        return st.one_of(on_grid, on_grid, half)

    def distances(self) -> st.SearchStrategy[Decimal]:
        """Positive gaps (for ``below_target(...)``) on or between the grid."""
        top = max(self.size(), 2)
        return st.integers(1, 2 * top).map(lambda k: dec(k * _frac(self.step) / 2))


PERCENT_STEPS = (Decimal("1"), Decimal("0.1"), Decimal("0.5"))
NUMBER_STEPS = (Decimal("1"), Decimal("0.1"), Decimal("0.01"), Decimal("0.25"), Decimal("0.5"))


@st.composite
def input_specs(draw: st.DrawFn, name: str, types: Sequence[str] | None = None) -> InputSpec:
    """An input spec: ``percent``/``number`` with an optional precision, ``count``, ``yes/no``."""
    kind = draw(st.sampled_from(list(types or ("percent", "count", "number", "yes/no"))))
    precision: Decimal | None = None
    if kind == "percent":
        precision = draw(st.none() | st.sampled_from(PERCENT_STEPS))
    elif kind == "number":
        precision = draw(st.none() | st.sampled_from(NUMBER_STEPS))
    return InputSpec(name, kind, None if precision is None else Fraction(precision))  # type: ignore[arg-type]


@st.composite
def domains(
    draw: st.DrawFn, name: str, types: Sequence[str] = ("percent", "count", "number")
) -> Domain:
    """A numeric input and the grid of values it takes."""
    spec = draw(input_specs(name, types))
    if spec.type == "percent":
        step = dec(spec.precision) if spec.precision is not None else Decimal("0.1")
        low, high = Decimal(0), Decimal(100)
        if draw(st.booleans()):  # a narrower band keeps the grid small enough to hit edges
            lo = draw(st.integers(0, 90))
            hi = draw(st.integers(lo + 1, min(100, lo + 20)))
            low, high = Decimal(lo), Decimal(hi)
        return Domain(spec, low, high, step)
    if spec.type == "count":
        return Domain(spec, Decimal(0), Decimal(draw(st.integers(1, 30))), Decimal(1))
    step = (
        dec(spec.precision) if spec.precision is not None else draw(st.sampled_from(NUMBER_STEPS))
    )
    k_low = draw(st.integers(-40, 40))
    k_span = draw(st.integers(1, 60))
    low = dec(k_low * _frac(step))
    return Domain(spec, low, dec(_frac(low) + k_span * _frac(step)), step)


def flag_domains(name: str) -> st.SearchStrategy[Domain]:
    return st.just(Domain(InputSpec(name, "yes/no")))


def subject_domains(name: str) -> st.SearchStrategy[Domain]:
    """The subject of a table: numeric three times in four, else yes/no."""
    return st.sampled_from(["number", "number", "number", "yes/no"]).flatmap(
        lambda kind: flag_domains(name) if kind == "yes/no" else domains(name)
    )


@attrs.frozen
class Pool:
    """The inputs a generated scheme may read."""

    numeric: tuple[Domain, ...]
    flags: tuple[Domain, ...]

    @property
    def all(self) -> tuple[Domain, ...]:
        return self.numeric + self.flags

    def specs(self) -> tuple[InputSpec, ...]:
        return tuple(domain.spec for domain in self.all)


@st.composite
def pools(draw: st.DrawFn, max_numeric: int = 4, max_flags: int = 3) -> Pool:
    numeric = tuple(draw(domains(f"x{i}")) for i in range(draw(st.integers(1, max_numeric))))
    flags = tuple(draw(flag_domains(f"f{i}")) for i in range(draw(st.integers(1, max_flags))))
    return Pool(numeric, flags)


# ------------------------------------------------------------------ outcomes


def maxima(low: Number = "0.5", high: Number = 20) -> st.SearchStrategy[Decimal]:
    return decimals(low, high, places=1)


@st.composite
def outcomes(
    draw: st.DrawFn, maximum: Decimal, *, spill: bool = True
) -> qk.Full | qk.Score | qk.Deduct:
    """``full``, ``→ N`` or ``deduct N``; with ``spill``, sometimes outside ``[0, max]``."""
    over = Decimal(2) if spill else Decimal(0)
    kind = draw(st.sampled_from(["full", "score", "deduct"]))
    if kind == "full":
        return qk.full()
    if kind == "score":
        return qk.score(draw(decimals(-over, maximum + over, places=2)))
    return qk.deduct(draw(decimals(0, maximum + over, places=2)))


def outcome_for(
    draw: st.DrawFn, maximum: Decimal, value: Decimal
) -> qk.Full | qk.Score | qk.Deduct:
    """Some outcome that scores exactly ``value`` for an item of max ``maximum``."""
    choices = ["score", "deduct"] + (["full"] if value == maximum else [])
    kind = draw(st.sampled_from(choices))
    if kind == "full":
        return qk.full()
    if kind == "score":
        return qk.score(value)
    return qk.deduct(maximum - value)


def outcome_score(outcome: qk.Full | qk.Score | qk.Deduct, maximum: Fraction) -> Fraction:
    """What an outcome scores, computed from its fields (not its ``score`` method)."""
    if isinstance(outcome, qk.Full):
        return maximum
    if isinstance(outcome, qk.Score):
        return Fraction(outcome.value)
    return maximum - Fraction(outcome.amount)


# ---------------------------------------------------------------- conditions


@attrs.frozen
class Peers:
    """Peer statistics of one input, computed here from a list of values."""

    values: tuple[Decimal, ...]

    def stats(self) -> dict[str, Fraction]:
        ordered = sorted(Fraction(v) for v in self.values)
        n = len(ordered)
        mid = n // 2
        median = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        return {
            "mean": sum(ordered, Fraction(0)) / n,
            "median": median,
            "max": ordered[-1],
            "min": ordered[0],
        }


@st.composite
def peer_stats(draw: st.DrawFn, domain: Domain) -> Peers:
    """Peer statistics of a cohort drawn from ``domain`` (mean may be non-terminating)."""
    return Peers(tuple(draw(st.lists(domain.values(), min_size=1, max_size=7))))


@st.composite
def ranges(draw: st.DrawFn, domain: Domain) -> qk.Range:
    """A random interval condition: every end form of §5."""
    t = domain.thresholds()
    kind = draw(
        st.sampled_from(
            ["at_least", "at_most", "more_than", "less_than", "equals", "between", "interval"]
        )
    )
    if kind == "at_least":
        return qk.at_least(draw(t))
    if kind == "at_most":
        return qk.at_most(draw(t))
    if kind == "more_than":
        return qk.more_than(draw(t))
    if kind == "less_than":
        return qk.less_than(draw(t))
    if kind == "equals":
        return qk.equals(draw(t))
    a, b = sorted([draw(t), draw(t)])
    if kind == "between":
        return qk.between(a, b)
    return qk.interval(a, b, closed=draw(st.sampled_from(["[]", "[)", "(]", "()"])))


@st.composite
def off_target(draw: st.DrawFn, domain: Domain) -> qk.OffTarget:
    d = domain.distances()
    kind = draw(st.sampled_from(["up_to", "between", "more_than", "interval"]))
    if kind == "up_to":
        by = qk.up_to(draw(d))
    elif kind == "more_than":
        by = qk.more_than(draw(d))
    else:
        a, b = sorted([draw(d), draw(d)])
        by = qk.between(a, b) if kind == "between" else qk.interval(a, b)
    return qk.below_target(by) if draw(st.booleans()) else qk.above_target(by)


@st.composite
def conditions(
    draw: st.DrawFn,
    domain: Domain,
    *,
    target: bool = False,
    peers: bool = False,
    no_data: bool = True,
) -> Any:
    """A condition on ``domain``: ranges, target and peer forms, ``otherwise``, ``no data``."""
    catch_all = [qk.Otherwise(), *([qk.NoData()] if no_data else [])]
    if domain.is_flag:
        return draw(st.sampled_from([*catch_all, _yes(True), _yes(False)]))
    options: list[st.SearchStrategy[Any]] = [ranges(domain), ranges(domain), ranges(domain)]
    options.append(st.sampled_from(catch_all))
    if target:
        options += [st.just(qk.MeetsTarget()), off_target(domain)]
    if peers:
        options.append(peer_conditions())
    return draw(st.one_of(options))


def _yes(expected: bool) -> Any:
    from qualitykpi.nodes.conditions import IsYes

    return IsYes(expected)


@st.composite
def never_matching(draw: st.DrawFn, domain: Domain) -> Any:
    """A condition no present value of ``domain`` (nor absence) can satisfy."""
    if domain.is_flag:
        return draw(st.sampled_from([qk.less_than(0), qk.at_least(0), qk.interval(0, 1)]))
    low, high, step = domain.low, domain.high, domain.step
    margin = draw(st.sampled_from([Decimal(0), step, Decimal(1000)]))
    kind = draw(st.sampled_from(["below", "above", "off-grid", "empty", "yes"]))
    if kind == "below":
        return qk.less_than(low - margin)
    if kind == "above":
        return qk.more_than(high + margin)
    if kind == "off-grid":
        k = draw(st.integers(0, max(domain.size() - 1, 0)))
        return qk.equals(dec(_frac(domain.at(k)) + _frac(step) / 2))
    if kind == "empty":
        t = draw(domain.thresholds())
        return draw(
            st.sampled_from(
                [qk.interval(t, t, closed="()"), qk.interval(t, t, closed="[)"), qk.between(t, t)]
            )
        )
    return _yes(draw(st.booleans()))


def condition_points(
    condition: Any, target: Number | None = None, peers: Mapping[str, Fraction] | None = None
) -> list[Fraction]:
    """The values of the subject where ``condition`` may change its mind."""
    if isinstance(condition, qk.Range):
        return [p for p in (condition.low, condition.high) if p is not None]
    if isinstance(condition, qk.MeetsTarget) and target is not None:
        return [_frac(target)]
    if isinstance(condition, qk.OffTarget) and target is not None:
        t = _frac(target)
        ends = [p for p in (condition.by.low, condition.by.high) if p is not None]
        return [t] + [t - e for e in ends] + [t + e for e in ends]
    if isinstance(condition, qk.PeerRelative) and peers and condition.stat in peers:
        stat = peers[condition.stat]
        return [stat + (condition.factor - 1) * abs(stat)]
    return []


def line_points(
    line: Any, target: Number | None = None, peers: Mapping[str, Fraction] | None = None
) -> list[Fraction]:
    """Edges of one table line or clause (thresholds, targets, band ends)."""
    if isinstance(line, qk.Band):
        return condition_points(line.condition, target, peers)
    if isinstance(line, qk.PerUnit):
        return [line.threshold] if line.threshold is not None else [Fraction(0)]
    if isinstance(line, qk.Scaled):
        return [p for p in (line.low, line.high) if p is not None]
    if isinstance(line, qk.When):
        return condition_points(line.condition, target, peers) if line.condition else []
    if isinstance(line, qk.ForEach):
        return [line.beyond if line.beyond is not None else Fraction(0)]
    return []


def table_points(
    table: qk.Table, target: Number | None = None, peers: Mapping[str, Fraction] | None = None
) -> list[Fraction]:
    return [p for line in table.lines for p in line_points(line, target, peers)]


# --------------------------------------------------------------------- lines


@st.composite
def per_unit_lines(
    draw: st.DrawFn,
    domain: Domain,
    maximum: Decimal,
    *,
    effect: str | None = None,
    reference: str | Literal["any"] | None = "any",
    units: Sequence[Decimal] = TERMINATING_UNITS,
    modes: Sequence[str] = MODES,
) -> qk.PerUnit:
    """``each U below/above T → deduct/award P`` with optional cap and floor."""
    eff = effect or draw(st.sampled_from(["deduct", "award"]))
    ref = draw(st.sampled_from(["below", "above", None])) if reference == "any" else reference
    threshold = draw(domain.thresholds()) if ref is not None else None
    cap = draw(st.none() | amounts(maximum + 2, places=2))
    floor = draw(st.none() | decimals(-2, maximum, places=1))
    return qk.per_unit(
        eff,  # type: ignore[arg-type]
        draw(amounts(5, places=2)),
        unit=draw(st.sampled_from(list(units))),
        below=threshold if ref == "below" else None,
        above=threshold if ref == "above" else None,
        mode=draw(st.sampled_from(list(modes))),  # type: ignore[arg-type]
        cap=cap,
        floor=floor,
        subject=domain.name,
    )


@st.composite
def scaled_lines(draw: st.DrawFn, domain: Domain, *, peer_max: bool = True) -> qk.Scaled:
    """``scaled from A to B`` (A ≠ B) or, on positive domains, ``scaled to peer max``."""
    if peer_max and domain.low > 0 and draw(st.booleans()):
        return qk.scaled_to_peer_max(subject=domain.name)
    a = draw(domain.thresholds(between_steps=False))
    b = draw(domain.thresholds(between_steps=False).filter(lambda v: v != a))
    return qk.scaled(a, b, subject=domain.name)


@st.composite
def band_lines(
    draw: st.DrawFn,
    domain: Domain,
    maximum: Decimal,
    *,
    target: bool = False,
    peers: bool = False,
    no_data: bool = True,
) -> qk.Band:
    condition = draw(conditions(domain, target=target, peers=peers, no_data=no_data))
    return qk.band(condition, draw(outcomes(maximum)), subject=domain.name)


@st.composite
def band_tables(
    draw: st.DrawFn,
    domain: Domain,
    maximum: Decimal,
    *,
    target: bool = False,
    peers: bool = False,
    total: bool | None = None,
    no_data: bool | None = None,
    min_lines: int = 1,
    max_lines: int = 6,
) -> qk.Table:
    """A GENERATED table: random thresholds and bands in random (unordered) order.

    With ``total`` it ends with ``otherwise`` (so every present value is
    scored), with ``no_data`` a ``no data`` line is put somewhere in it (and
    ``no_data=False`` means no line of it matches absent data); ``None``
    decides at random.  A per-unit or scaled line may close it.
    """
    lines: list[Any] = draw(
        st.lists(
            band_lines(domain, maximum, target=target, peers=peers, no_data=no_data is not False),
            min_size=min_lines,
            max_size=max_lines,
        )
    )
    if total is None:
        total = draw(st.booleans())
    if no_data is None:
        no_data = draw(st.booleans())
    if total:
        closer = st.just(qk.band(qk.Otherwise(), draw(outcomes(maximum)), subject=domain.name))
        if not domain.is_flag:
            closer = st.one_of(
                closer,
                closer,
                per_unit_lines(domain, maximum),
                scaled_lines(domain, peer_max=peers),
            )
        lines.append(draw(closer))
    if no_data:
        where = draw(st.integers(0, len(lines)))
        lines.insert(where, qk.band(qk.NoData(), draw(outcomes(maximum)), subject=domain.name))
    if not lines:
        lines.append(qk.band(qk.Otherwise(), draw(outcomes(maximum)), subject=domain.name))
    return qk.table(*lines)


def _non_increasing(draw: st.DrawFn, maximum: Decimal, n: int) -> list[Decimal]:
    scores = draw(st.lists(decimals(-1, maximum + 1, places=2), min_size=n, max_size=n))
    if draw(st.booleans()):
        scores[0] = maximum
    return sorted(scores, reverse=True)


@st.composite
def monotone_tables(
    draw: st.DrawFn, domain: Domain, maximum: Decimal, *, peers: bool = False
) -> tuple[qk.Table, Decimal | None]:
    """A table that is monotone (higher is better) by construction, and its target.

    Styles: up-set lines (``at least``/``more than``/``meets target``/``≥ K% of
    peer``) in ANY order with non-increasing outcomes; contiguous descending
    bands (``at least t1``, ``[t2, t1)``, ``(t3, t2]`` …); the seed's
    ``below target by`` ladder; a single per-unit or scaled line.
    """
    style = draw(st.sampled_from(["upsets", "bands", "ladder", "per_unit", "scaled"]))
    subject = domain.name
    target: Decimal | None = None
    lines: list[Any] = []
    if style == "upsets":
        n = draw(st.integers(1, 5))
        target = draw(domain.thresholds())
        kinds = [qk.at_least, qk.more_than]
        up: list[st.SearchStrategy[Any]] = [
            st.builds(lambda f, t: f(t), st.sampled_from(kinds), domain.thresholds()),
            st.just(qk.MeetsTarget()),
        ]
        if peers:
            up.append(
                st.builds(
                    qk.of_peer,
                    st.sampled_from([">=", ">"]),
                    st.sampled_from([50, 100, 120]),
                    st.sampled_from(["mean", "max"]),
                )
            )
        conds = draw(st.lists(st.one_of(up), min_size=n, max_size=n))
        scores = _non_increasing(draw, maximum, n + 1)
        lines = [
            qk.band(c, outcome_for(draw, maximum, s), subject=subject)
            for c, s in zip(conds, scores, strict=False)
        ]
        last: Any = draw(st.sampled_from([qk.Otherwise(), qk.Range(None, None)]))
        lines.append(qk.band(last, outcome_for(draw, maximum, scores[-1]), subject=subject))
    elif style == "bands":
        cuts = sorted(
            set(draw(st.lists(domain.thresholds(), min_size=1, max_size=5))), reverse=True
        )
        scores = _non_increasing(draw, maximum, len(cuts) + 1)
        closed = draw(st.booleans())
        top = qk.at_least(cuts[0]) if closed else qk.more_than(cuts[0])
        lines = [qk.band(top, outcome_for(draw, maximum, scores[0]), subject=subject)]
        for low, high, s in zip(cuts[1:], cuts, scores[1:], strict=False):
            # The covered set is [high, ∞) (closed) or (high, ∞): the new band must reach it.
            high_closed = True if not closed else draw(st.booleans())
            closed = draw(st.booleans())
            ends = ("[" if closed else "(") + ("]" if high_closed else ")")
            cond = (
                qk.between(low, high)
                if ends == "(]" and draw(st.booleans())
                else qk.interval(low, high, closed=ends)
            )
            lines.append(qk.band(cond, outcome_for(draw, maximum, s), subject=subject))
        floor_line: Any = draw(st.sampled_from(["otherwise", "rest"]))
        rest = (
            qk.Otherwise()
            if floor_line == "otherwise"
            else (qk.less_than(cuts[-1]) if closed else qk.at_most(cuts[-1]))
        )
        lines.append(qk.band(rest, outcome_for(draw, maximum, scores[-1]), subject=subject))
    elif style == "ladder":
        target = draw(domain.thresholds())
        gaps = sorted(set(draw(st.lists(domain.distances(), min_size=1, max_size=5))))
        scores = _non_increasing(draw, maximum, len(gaps) + 2)
        lines = [qk.band(qk.MeetsTarget(), outcome_for(draw, maximum, scores[0]), subject=subject)]
        lines.append(
            qk.band(
                qk.below_target(qk.up_to(gaps[0])),
                outcome_for(draw, maximum, scores[1]),
                subject=subject,
            )
        )
        for low, high, s in zip(gaps, gaps[1:], scores[2:], strict=False):
            lines.append(
                qk.band(
                    qk.below_target(qk.between(low, high)),
                    outcome_for(draw, maximum, s),
                    subject=subject,
                )
            )
        last_cond: Any = draw(
            st.sampled_from([qk.below_target(qk.more_than(gaps[-1])), qk.Otherwise()])
        )
        lines.append(qk.band(last_cond, outcome_for(draw, maximum, scores[-1]), subject=subject))
    elif style == "per_unit":
        line = draw(
            st.one_of(
                per_unit_lines(domain, maximum, effect="deduct", reference="below"),
                per_unit_lines(domain, maximum, effect="award", reference="above"),
                per_unit_lines(domain, maximum, effect="award", reference=None),
            )
        )
        if line.effect == "deduct" and draw(st.booleans()):
            # `at least T → full` above a line that never computes more than full.  Not above
            # an award line: that may compute more than the max, and the item clamps only
            # after its clauses, so `full` could then score less than a lower value's award.
            lines.append(
                qk.band(qk.at_least(draw(domain.thresholds())), qk.full(), subject=subject)
            )
        lines.append(line)
    else:
        a, b = sorted(
            set(
                draw(
                    st.lists(
                        domain.thresholds(between_steps=False), min_size=2, max_size=2, unique=True
                    )
                )
            )
        )
        lines.append(qk.scaled(a, b, subject=subject))
    if draw(st.booleans()):
        lines.insert(
            draw(st.integers(0, len(lines))),
            qk.band(qk.NoData(), draw(outcomes(maximum)), subject=subject),
        )
    return qk.table(*lines), target


@st.composite
def monotone_items(
    draw: st.DrawFn, domain: Domain, *, flags: Sequence[Domain] = (), peers: bool = False
) -> qk.Item:
    """An item whose score never falls as its subject rises (declared or implied "higher").

    Clauses on other (yes/no) inputs may adjust it: they add a constant for a
    fixed entity, so monotonicity in the subject must survive them and the clamp.
    """
    maximum = draw(maxima())
    tbl, target = draw(monotone_tables(domain, maximum, peers=peers))
    clauses: list[Any] = []
    for flag in flags:
        if draw(st.booleans()):
            clauses.append(draw(when_clauses(flag)))
    return qk.Item(
        "1",
        "monotone",
        maximum,
        table=tbl,
        clauses=clauses,
        targets={domain.name: Fraction(target)} if target is not None else {},
        better=draw(st.sampled_from([None, "higher"])),
    )


# ------------------------------------------------------------------- clauses


def peer_conditions() -> st.SearchStrategy[qk.PeerRelative]:
    """``at least K% of peer mean`` and its kin."""
    return st.builds(
        qk.of_peer,
        st.sampled_from([">=", "<=", ">", "<", "="]),
        st.sampled_from([50, 80, 100, 120, Decimal("99.5")]),
        st.sampled_from(["mean", "median", "max", "min"]),
    )


@st.composite
def when_clauses(
    draw: st.DrawFn, domain: Domain, *, effect: str | None = None, peers: bool = False
) -> qk.When:
    """``deduct N if flag``, ``award N if not flag``, ``deduct N if x < T``, ``… ≥ K% of peer``."""
    eff = effect or draw(st.sampled_from(["deduct", "award"]))
    make = qk.deduct_if if eff == "deduct" else qk.award_if
    amount = draw(amounts(5, places=1))
    negate = draw(st.booleans())
    if domain.is_flag:
        return make(amount, domain.name, negate=negate)
    condition = draw(st.one_of(ranges(domain), *([peer_conditions()] if peers else [])))
    return make(amount, domain.name, condition, negate=negate)


@st.composite
def for_each_clauses(
    draw: st.DrawFn,
    domain: Domain,
    *,
    effect: str | None = None,
    units: Sequence[Decimal] = TERMINATING_UNITS,
) -> qk.ForEach:
    """``deduct N for each [whole|started] U of x [beyond T] [, at most C]``."""
    eff = effect or draw(st.sampled_from(["deduct", "award"]))
    make = qk.deduct_each if eff == "deduct" else qk.award_each
    return make(
        draw(amounts(3, places=2)),
        domain.name,
        unit=draw(st.sampled_from(list(units))),
        mode=draw(st.sampled_from(list(MODES))),  # type: ignore[arg-type]
        beyond=draw(st.none() | domain.thresholds(between_steps=False)),
        cap=draw(st.none() | amounts(6, places=1)),
    )


@st.composite
def clause_lists(
    draw: st.DrawFn,
    pool: Pool,
    *,
    effect: str | None = None,
    min_size: int = 0,
    max_size: int = 3,
    peers: bool = True,
    units: Sequence[Decimal] = TERMINATING_UNITS,
) -> list[Any]:
    """Independent clauses over the pool's inputs (``if`` tests may compare with peers)."""

    def one(domain: Domain) -> st.SearchStrategy[Any]:
        if domain.is_flag:
            return when_clauses(domain, effect=effect)
        return st.one_of(
            when_clauses(domain, effect=effect, peers=peers),
            for_each_clauses(domain, effect=effect, units=units),
        )

    return draw(
        st.lists(st.sampled_from(pool.all).flatmap(one), min_size=min_size, max_size=max_size)
    )


# --------------------------------------------------------------------- nodes


@st.composite
def leaf_items(
    draw: st.DrawFn, pool: Pool, id: str, *, kind: str = "item", maximum: Decimal | None = None
) -> qk.Item:
    """A table and/or clause item (or part) over the pool, scoring every present value."""
    m = maximum if maximum is not None else draw(maxima())
    shape = draw(st.sampled_from(["table", "table+clauses", "clauses"]))
    tbl = None
    targets: dict[str, Fraction] = {}
    clauses: list[Any] = []
    start = None
    if shape != "clauses":
        domain = draw(st.sampled_from(pool.all))
        target = not domain.is_flag and draw(st.booleans())
        peers = not domain.is_flag and draw(st.booleans())
        tbl = draw(band_tables(domain, m, target=target, peers=peers, total=True))
        if target:
            targets[domain.name] = Fraction(draw(domain.thresholds()))
    if shape != "table":
        clauses = draw(clause_lists(pool, min_size=1 if shape == "clauses" else 0))
        if tbl is None and draw(st.booleans()):
            start = draw(decimals(0, m, places=1))
    return qk.Item(
        id,
        f"{kind} {id}",
        m,
        kind=kind,
        table=tbl,
        clauses=clauses,  # type: ignore[arg-type]
        start=start,
        targets=targets,
        owners=draw(owners()),
    )


@st.composite
def items_with_parts(draw: st.DrawFn, pool: Pool, id: str) -> qk.Item:
    """An item scored as the sum of its parts; its max usually is the parts' sum."""
    parts = [
        draw(leaf_items(pool, f"{id}.{i}", kind="part"))
        for i in range(1, draw(st.integers(1, 3)) + 1)
    ]
    total = sum((Fraction(p.max) for p in parts), Fraction(0))
    m = dec(total) if draw(st.integers(0, 4)) else draw(maxima())
    return qk.Item(id, f"item {id}", m, parts=parts, owners=draw(owners()))


@st.composite
def deduction_items(draw: st.DrawFn, pool: Pool, id: str) -> qk.Item:
    """A deduction-only item: max 0, scores in [−cap, 0] (每项扣1分，最高扣2分)."""
    cap = draw(amounts(5, places=1))
    clauses = draw(clause_lists(pool, effect="deduct", min_size=1))
    if draw(st.integers(0, 4)) == 0:  # an award slipping in is clamped back to 0
        clauses += draw(clause_lists(pool, effect="award", min_size=1, max_size=1))
    return qk.Item(
        id, f"deductions {id}", 0, clauses=clauses, deduct_cap=cap, owners=draw(owners())
    )


def owners() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(
        st.sampled_from(["市监局", "农业局", "住建局", "office"]), max_size=2, unique=True
    ).map(tuple)


@st.composite
def nodes(draw: st.DrawFn, pool: Pool, id: str, depth: int) -> qk.Item | qk.Section:
    """Any node: a leaf item, an item with parts, a deduction-only item, or (with
    ``depth`` left) a section or a section of deductions."""
    kinds = ["leaf", "leaf", "parts", "deduction"]
    if depth > 0:
        kinds += ["section", "section", "deduction section"]
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(leaf_items(pool, id))
    if kind == "parts":
        return draw(items_with_parts(pool, id))
    if kind == "deduction":
        return draw(deduction_items(pool, id))
    if kind == "deduction section":
        return draw(deduction_sections(pool, id))
    return draw(sections(pool, id, depth - 1))


@st.composite
def deduction_sections(draw: st.DrawFn, pool: Pool, id: str) -> qk.Section:
    """A group of deductions: ``section … deduct at most C`` or ``section … max 0``
    (which passes its children's deductions up, within its ``deductions at most``)."""
    children = [
        draw(deduction_items(pool, f"{id}.{i}")) for i in range(1, draw(st.integers(1, 3)) + 1)
    ]
    written = draw(st.sampled_from(["deduct at most", "max 0"]))
    return qk.Section(
        id,
        f"deductions {id}",
        0,
        children=children,
        deduct_cap=draw(amounts(5, places=1)) if written == "deduct at most" else None,
        deductions_cap=draw(st.none() | amounts(4, places=1)),
        owners=draw(owners()),
    )


@st.composite
def sections(draw: st.DrawFn, pool: Pool, id: str, depth: int = 2) -> qk.Section:
    """A section tree of random depth; some sections cap their deductions."""
    children = [
        draw(nodes(pool, f"{id}.{i}", depth)) for i in range(1, draw(st.integers(1, 4)) + 1)
    ]
    inner = sum((Fraction(c.max) for c in children), Fraction(0))
    m = dec(inner) if draw(st.integers(0, 3)) else draw(maxima())
    cap = draw(st.none() | amounts(4, places=1))
    return qk.Section(
        id, f"section {id}", m, children=children, deductions_cap=cap, owners=draw(owners())
    )


@st.composite
def grade_scales(draw: st.DrawFn, top: Decimal = Decimal(100)) -> qk.Grades:
    """Labels best first over descending thresholds; usually closed by ``otherwise``."""
    n = draw(st.integers(1, 4))
    cuts = sorted(
        set(draw(st.lists(decimals(0, top, places=1), min_size=n, max_size=n))), reverse=True
    )
    labels = "ABCDE"
    bands: list[tuple[str, Any]] = [
        (labels[i], draw(st.sampled_from([qk.at_least, qk.more_than]))(c))
        for i, c in enumerate(cuts)
    ]
    bands.append((labels[len(cuts)], qk.Otherwise()))
    return qk.Grades(bands)


@st.composite
def vetoes(
    draw: st.DrawFn, pool: Pool, labels: Sequence[str], *, top: Decimal, name: str
) -> qk.Veto:
    """``veto … when flag → grade G`` or ``→ score S`` (S within the scheme's reach).

    A numeric veto tests an interval or compares with the cohort (``… of peer mean``).
    """
    domain = draw(st.sampled_from(pool.all))
    condition = None if domain.is_flag else draw(st.one_of(ranges(domain), peer_conditions()))
    if labels and draw(st.booleans()):
        return qk.Veto(
            name,
            domain.name,
            condition,
            draw(st.booleans()),
            grade=draw(st.sampled_from(list(labels))),
        )
    return qk.Veto(
        name, domain.name, condition, draw(st.booleans()), score=draw(decimals(0, top, places=1))
    )


@attrs.frozen
class Generated:
    """A generated scorer and the inputs its data must hold."""

    scorer: qk.SchemeScorer
    pool: Pool

    @property
    def scheme(self) -> qk.Scheme:
        return qk.Scheme(self.scorer)

    def cohorts(self, **kw: Any) -> st.SearchStrategy[list[dict[str, str]]]:
        """Cohorts for this scheme, biased towards its edges."""
        return cohorts(self.pool, near=edges_of(self.scorer), **kw)


@st.composite
def schemes(
    draw: st.DrawFn,
    *,
    depth: int = 2,
    max_top: int = 3,
    grades: bool | None = None,
    veto_count: int | None = None,
    pool: Pool | None = None,
) -> Generated:
    """A whole scheme: sections and items, optional total, grades and vetoes."""
    p = pool or draw(pools())
    children = [
        draw(st.one_of(sections(p, str(i), depth), nodes(p, str(i), 0)))
        for i in range(1, draw(st.integers(1, max_top)) + 1)
    ]
    tree_max = sum((Fraction(c.max) for c in children), Fraction(0))
    total = draw(st.sampled_from([None, "max", "other"]))
    total_value = (
        None if total is None else dec(tree_max) if total == "max" else draw(maxima(1, 60))
    )
    scale = (
        draw(grade_scales(dec(tree_max)))
        if (grades if grades is not None else draw(st.booleans()))
        else None
    )
    base = qk.SchemeScorer("generated", children, total=total_value, grades=scale, inputs=p.specs())
    count = veto_count if veto_count is not None else draw(st.integers(0, 2))
    labels = scale.labels() if scale is not None else ()
    reach = dec(base.bounds()[1])
    found = [draw(vetoes(p, labels, top=reach, name=f"veto {i}")) for i in range(count)]
    return Generated(attrs.evolve(base, vetoes=found), p)


# ---------------------------------------------------------------------- data


@st.composite
def rows_for(
    draw: st.DrawFn,
    pool: Pool,
    *,
    absent: bool = False,
    near: Mapping[str, Sequence[Number]] | None = None,
) -> dict[str, Decimal | bool | None]:
    """One entity's values (``Decimal``/``bool``; ``None`` for absent when ``absent``),
    biased towards the edges in ``near`` (by input name) when given."""
    edges = near or {}
    return {d.name: draw(d.near(edges.get(d.name, ()), absent=absent)) for d in pool.all}


ENTITY_NAMES = ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "E1", "E2", "E3")


def edges_of(scorer: qk.SchemeScorer) -> dict[str, list[Fraction]]:
    """Every input's edges in a scheme: table thresholds, targets, clause and veto tests."""
    edges: dict[str, list[Fraction]] = {}
    for node in scorer.walk():
        if not isinstance(node, qk.Item):
            continue
        for line in node.table.lines if node.table is not None else ():
            edges.setdefault(line.subject, []).extend(
                line_points(line, node.targets.get(line.subject))
            )
        for clause in node.clauses:
            edges.setdefault(clause.input, []).extend(line_points(clause))
    for veto in scorer.vetoes:
        edges.setdefault(veto.input, []).extend(condition_points(veto.condition))
    return edges


@st.composite
def cohorts(
    draw: st.DrawFn,
    pool: Pool,
    *,
    min_size: int = 1,
    max_size: int = 6,
    absent: bool = False,
    entity: str = "entity",
    near: Mapping[str, Sequence[Number]] | None = None,
) -> list[dict[str, str]]:
    """Rows of text cells (``"87.2"``, ``"是"``, ``""``), one per uniquely named entity.

    ``near`` (e.g. :func:`edges_of` a scheme) biases values towards its edges.
    """
    names = draw(
        st.lists(st.sampled_from(ENTITY_NAMES), min_size=min_size, max_size=max_size, unique=True)
    )
    rows = []
    for name in names:
        values = draw(rows_for(pool, absent=absent, near=near))
        row = {entity: name}
        for d in pool.all:
            row[d.name] = text_of(values[d.name], percent=d.percent, style=draw(st.integers(0, 9)))
        rows.append(row)
    return rows


def context(
    values: Mapping[str, Decimal | bool | None],
    peers: Mapping[str, Mapping[str, Fraction]] | None = None,
    specs: Sequence[InputSpec] = (),
    entity: str | None = None,
) -> Context:
    """A scoring context from exact ``Decimal`` values (the engine computes on ``Fraction``)."""
    converted = {k: (Fraction(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
    return Context(entity, converted, dict(peers or {}), {s.name: s for s in specs})


def fraction_of(value: Decimal | bool | None) -> Fraction | bool | None:
    return Fraction(value) if isinstance(value, Decimal) else value


# ---------------------------------------------------------------- rule texts
#
# Whole rule files, written as an author writes them, for the properties that
# must hold for *every rule that loads* (the ledger adds up, nothing but
# RuleError or DataError escapes).  They mix the constructs that move points
# around the ledger: caps and floors of `each` lines, clause caps, `start at`,
# deduction-only items and sections, assessed items, parts, bonuses inside
# and outside sections, a total cap (with or without `plus bonus`), and
# vetoes to a grade or a score.


@attrs.frozen
class RuleText:
    """A generated rule file and the inputs its data need (name → type)."""

    text: str
    inputs: Mapping[str, str]


def _n(value: Decimal) -> str:
    return format(value, "f")


_POINTS = decimals("0.5", 10, places=1)
_SMALL = decimals("0.1", 3, places=1)


@st.composite
def _band_lines(draw: st.DrawFn, name: str) -> list[str]:
    cuts = sorted(set(draw(st.lists(decimals(1, 99, places=1), min_size=1, max_size=4))))
    outcomes = st.one_of(
        st.just("full"),
        _SMALL.map(lambda v: f"deduct {_n(v)}"),
        decimals(0, 10, places=1).map(_n),
    )
    lines = [f"at least {_n(cut)}% → {draw(outcomes)}" for cut in reversed(cuts)]
    if draw(st.booleans()):
        lines.append(f"no data → {draw(outcomes)}")
    lines.append(f"otherwise → {draw(outcomes)}")
    return [f"input {name}: percent precision 0.1", *lines]


@st.composite
def _each_lines(draw: st.DrawFn, name: str, maximum: Decimal) -> list[str]:
    mode = draw(st.sampled_from(["", "whole ", "started "]))
    unit = draw(st.sampled_from(["1", "0.5", "3"]))
    modifiers = ""
    if draw(st.booleans()):
        modifiers += f", at most {_n(draw(decimals('0.5', maximum * 2, places=1)))}"
    if draw(st.booleans()):
        modifiers += f", floor {_n(draw(decimals(0, maximum, places=1)))}"
    reference = draw(st.sampled_from(["below 100%", "above 50%", ""]))
    line = f"each {mode}{unit}% {reference} → deduct {_n(draw(_SMALL))}{modifiers}"
    if reference == "above 50%" and draw(st.booleans()):
        line = f"each {mode}{unit}% above 50% → award {_n(draw(_SMALL))}{modifiers}"
    return [f"input {name}: percent", line.replace("  ", " ")]


@st.composite
def _clauses(draw: st.DrawFn, count: str, flag: str, maximum: Decimal) -> list[str]:
    lines = [f"input {count}: count", f"input {flag}: yes/no"]
    cap = f", at most {_n(draw(decimals('0.5', maximum, places=1)))}" if draw(st.booleans()) else ""
    effect = draw(st.sampled_from(["deduct", "award"]))
    lines.append(f"{effect} {_n(draw(_SMALL))} for each 1 of {count}{cap}")
    lines.append(f"{draw(st.sampled_from(['deduct', 'award']))} {_n(draw(_SMALL))} if {flag}")
    if draw(st.booleans()):
        lines.append(f"start at {_n(draw(decimals(0, maximum, places=1)))}")
    return lines


@st.composite
def _item(draw: st.DrawFn, key: str, inputs: dict[str, str]) -> str:
    kind = draw(st.sampled_from(["band", "each", "clauses", "deduct-only", "assessed", "parts"]))
    maximum = draw(_POINTS)
    if kind == "deduct-only":
        name = f"n{key}"
        inputs[name] = "count"
        body = [f"input {name}: count", f"each 1 → deduct {_n(draw(_SMALL))}"]
        return f'item i{key} "deduct {key}" deduct at most {_n(draw(_SMALL))} {{\n' + _block(body)
    if kind == "assessed":
        inputs[f"i{key}"] = "assessed"
        return f'item i{key} "assessed {key}" max {_n(maximum)} {{ assessed }}'
    if kind == "parts":
        parts = []
        total = Decimal(0)
        for index in range(draw(st.integers(1, 2))):
            name = f"p{key}_{index}"
            inputs[name] = "percent"
            worth = draw(_POINTS)
            total += worth
            lines = draw(_band_lines(name))
            parts.append(f'part q{key}_{index} "part" max {_n(worth)} {{\n' + _block(lines))
        return f'item i{key} "parts {key}" max {_n(total)} {{\n' + _block(parts)
    if kind == "band":
        name = f"x{key}"
        inputs[name] = "percent"
        lines = draw(_band_lines(name))
    elif kind == "each":
        name = f"x{key}"
        inputs[name] = "percent"
        lines = draw(_each_lines(name, maximum))
    else:
        inputs[f"c{key}"], inputs[f"f{key}"] = "count", "yes/no"
        lines = draw(_clauses(f"c{key}", f"f{key}", maximum))
    return f'item i{key} "{kind} {key}" max {_n(maximum)} {{\n' + _block(lines)


def _block(lines: Sequence[str]) -> str:
    return "".join(f"  {line}\n" for line in "\n".join(lines).split("\n")) + "}"


@st.composite
def _bonus(draw: st.DrawFn, key: str, inputs: dict[str, str]) -> str:
    name = f"k{key}"
    inputs[name] = "count"
    lines = [f"input {name}: count", f"award {_n(draw(_SMALL))} for each 1 of {name}"]
    return f'bonus b{key} "bonus {key}" at most {_n(draw(_SMALL))} {{\n' + _block(lines)


@st.composite
def rule_texts(draw: st.DrawFn) -> RuleText:
    """A rule file that loads, with sections, items, bonuses, vetoes and a total."""
    inputs: dict[str, str] = {}
    sections = []
    for s in range(draw(st.integers(1, 3))):
        children = [draw(_item(f"{s}_{i}", inputs)) for i in range(draw(st.integers(1, 3)))]
        if draw(st.integers(0, 3)) == 0:
            children.append(draw(_bonus(f"{s}", inputs)))
        size = f"max {_n(draw(decimals(1, 30, places=1)))}"
        if draw(st.booleans()):
            size += f" deductions at most {_n(draw(_SMALL))}"
        sections.append(f's{s} "section {s}" {size} {{\n' + _block(children))
    top = []
    if draw(st.booleans()):
        plus = " plus bonus" if draw(st.booleans()) else ""
        top.append(f"total {_n(draw(decimals(1, 60, places=1)))}{plus}")
    if draw(st.integers(0, 3)) == 0:
        top.append(f"total rounded to {draw(st.integers(0, 2))} places")
    grades = draw(st.booleans())
    if grades:
        top.append("grades { A at least 20; B at least 10; C at least 5; D otherwise }")
    for v in range(draw(st.integers(0, 2))):
        name = f"v{v}"
        inputs[name] = "yes/no"
        scores = _SMALL.map(lambda value: f"score {_n(value * 3)}")
        effect = draw(st.sampled_from(["grade B", "grade D"]) | scores if grades else scores)
        top.append(f"input {name}: yes/no")
        top.append(f'veto "veto {v}" when {name} → {effect}')
    if draw(st.booleans()):
        top.append(draw(_bonus("top", inputs)))
    body = "\n".join([*top, *(f"section {section}" for section in sections)])
    return RuleText('scheme "generated" {\n' + _block(body.split("\n")) + "\n", inputs)


@st.composite
def text_cohorts(draw: st.DrawFn, rule: RuleText) -> list[dict[str, str]]:
    """Rows for a :class:`RuleText`: every input, sometimes absent."""
    names = draw(st.lists(st.sampled_from(ENTITY_NAMES), min_size=1, max_size=5, unique=True))
    rows = []
    for name in names:
        row = {"entity": name}
        for column, kind in rule.inputs.items():
            if kind == "yes/no":
                value = draw(st.sampled_from(["yes", "no", "是", "否"]))
            elif kind == "count":
                value = str(draw(st.integers(0, 12)))
            elif kind == "assessed":
                value = _n(draw(decimals(0, "0.5", places=1)))
            else:
                value = _n(draw(decimals(0, 100, places=1)))
            row[column] = "" if draw(st.integers(0, 12)) == 0 else value
        rows.append(row)
    return rows
