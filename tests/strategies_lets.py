"""Hypothesis strategies for rule files that compute values over the cohort.

:func:`computing_rule_texts` writes whole rule files, as an author writes
them, from the constructs of docs/expressions.rst that read more than one
input of the entity or the cohort: ``let`` values (a ratio, a lead over the
peer mean, a let read by a let of a later round, growth over last period),
computed subjects (``rank of``, ``pass − previous pass``), comparisons with
another input, computed scores (功效系数, a share of the peer mean), mixed
with the plain items of :func:`strategies.rule_texts`.  :func:`computing_cohorts`
gives their rows, with few distinct values so that values and ranks tie, and
cells that are absent or make a division by zero.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

import strategies as gen
from strategies import RuleText, _block, _item, _n

#: The kinds of item below, each computing in its own way.
KINDS = (
    "ratio",
    "lead",
    "second round",
    "rank",
    "target",
    "efficacy",
    "share",
    "previous",
    "growth",
    "above peers",
)


@st.composite
def _computing_item(draw: st.DrawFn, key: str, inputs: dict[str, str]) -> str:
    kind = draw(st.sampled_from(KINDS))
    worth = draw(st.sampled_from([Decimal(4), Decimal("6"), Decimal("10"), Decimal("2.5")]))
    some = _n(draw(st.sampled_from([Decimal(1), Decimal("1.5"), Decimal(2)])))
    a, b, n = f"a{key}", f"b{key}", f"n{key}"
    lines: list[str] = []

    def percent(*names: str) -> None:
        for name in names:
            inputs[name] = "percent"
            lines.append(f"input {name}: percent precision 0.1")

    match kind:
        case "ratio":
            percent(a, b)
            lines.append(f"let r{key} = {a} / {b}")
            if draw(st.booleans()):
                lines.append(f"r{key} no data → {some}")
            lines += [f"r{key} at least 1.1 → full", f"r{key} at least 0.9 → {some}"]
            lines.append("otherwise → 0")
        case "lead":
            percent(a)
            lines.append(f"let l{key} = {a} − peer mean of {a}")
            lines += [f"l{key} more than 0% → full", f"otherwise → {some}"]
        case "second round":
            percent(a, b)
            lines.append(f"let r{key} = {a} / {b}")
            lines.append(f"let s{key} = r{key} − peer median of r{key}")
            lines += [f"s{key} at least 0 → full", f"otherwise → {some}"]
        case "rank":
            percent(a)
            lines.append(f"rank of {a} at most 2 → full")
            lines.append(f"rank of {a} at most peers × 50% → {some}")
            lines.append("otherwise → 0")
        case "target":
            percent(a, b)
            lines += [f"{a} at least {b} + 2% → full", f"{a} at least {b} → {some}"]
            lines.append("otherwise → 0")
        case "efficacy":
            percent(a)
            spread = f"(peer max of {a} − peer min of {a})"
            above = f"({a} − peer min of {a})"
            lines.append(f"peer max of {a} = peer min of {a} → full")
            lines.append(f"otherwise → {some} + (full − {some}) × {above} / {spread}")
        case "share":
            inputs[n] = "count"
            lines += [f"input {n}: count", f"→ full × {n} / peer mean of {n}"]
        case "previous":
            percent(a)
            inputs[f"previous {a}"] = "percent"
            lines.append(f"{a} − previous {a} at least 2% → full")
            lines.append(f"{a} − previous {a} more than 0% → {some}")
            lines.append("otherwise → 0")
        case "growth":
            inputs[n] = "count"
            inputs[f"previous {n}"] = "count"
            lines += [f"input {n}: count", f"let g{key} = ({n} − previous {n}) / previous {n}"]
            lines += [f"g{key} no data → 0", f"g{key} at least 10% → full", f"otherwise → {some}"]
        case "above peers":
            percent(a, b)
            lines.append(f"let q{key} = {a} / {b}")
            lines += [f"q{key} at least peer mean of q{key} → full", f"otherwise → {some}"]
    return f'item i{key} "{kind} {key}" max {_n(worth)} {{\n' + _block(lines)


@st.composite
def computing_rule_texts(draw: st.DrawFn) -> RuleText:
    """A rule file that loads, whose items compute over the cohort, among plain ones."""
    inputs: dict[str, str] = {}
    sections = []
    for s in range(draw(st.integers(1, 2))):
        children = [
            draw(_computing_item(f"{s}_{i}", inputs)) for i in range(draw(st.integers(1, 3)))
        ]
        if draw(st.booleans()):
            children.append(draw(_item(f"{s}_p", inputs)))
        sections.append(f's{s} "section {s}" max 40 {{\n' + _block(children))
    top = []
    if draw(st.booleans()):
        top.append(f"total {_n(draw(gen.decimals(5, 60, places=1)))}")
    if draw(st.booleans()):
        top.append("grades { A at least 20; B at least 10; C otherwise }")
    body = "\n".join([*top, *(f"section {section}" for section in sections)])
    return RuleText('scheme "computing" {\n' + _block(body.split("\n")) + "\n", inputs)


@st.composite
def computing_cohorts(draw: st.DrawFn, rule: RuleText) -> list[dict[str, str]]:
    """Rows for a :class:`RuleText` of :func:`computing_rule_texts`: values from a
    few, so that they tie, sometimes absent or zero."""
    rows = draw(gen.text_cohorts(rule))
    percents = ["0", "50", "80", "80.0", "90.5", "95", "100"]
    for row in rows:
        for column, kind in rule.inputs.items():
            if kind == "percent" and row[column] != "":
                row[column] = draw(st.sampled_from(percents))
    return rows
