"""Readable explanations of results: what decided each node, what was lost.

Every word is looked up when the explanation is made, in the language of
that moment: a result scored once explains itself in English and then in
Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .i18n import _
from .phrases import KIND_WORDS, stat_name
from .values import fmt as _points

if TYPE_CHECKING:
    from .results import LostPoints, NodeResult, Result, Step

#: The kinds of node introduced by their word (items and sections need none).
_INTRODUCED = ("part", "bonus", "task")


def listed(names: Iterable[str]) -> str:
    """Names one after another, as the language lists them."""
    # Translators: what separates the names of a list (offices, values).
    return _(", ").join(names)


def _amount(step: Step) -> str:
    if step.amount is None or step.amount == 0:
        return ""
    if step.amount > 0:
        return f"  −{_points(step.amount)}"
    return f"  +{_points(step.amount.copy_negate())}"


def _offices(node: NodeResult) -> str:
    if node.supporters:
        return _("{owners}; support: {supporters}").format(
            owners=listed(node.owners), supporters=listed(node.supporters)
        )
    return listed(node.owners)


def _heading(node: NodeResult, indent: int) -> str:
    offices = _offices(node)
    listed_here = indent == 0 or node.kind in ("item", "bonus", "task")
    owners = _("  [{offices}]").format(offices=offices) if offices and listed_here else ""
    kind = _("{kind} ").format(kind=_(KIND_WORDS[node.kind])) if node.kind in _INTRODUCED else ""
    score, top = _points(node.score), _points(node.max)
    if node.kind == "task":
        points = ""
    elif not node.capped:
        points = _(": {score} (no cap)").format(score=score)
    else:
        points = _(": {score} / {max}").format(score=score, max=top)
    return f"{node.id} {kind}{node.name}{points}{owners}"


def _step(step: Step) -> str:
    if step.kind == "note":
        return _("({note})").format(note=step.description)
    if step.kind == "round":
        return _("rounded: {how}").format(how=step.description)
    if step.line and step.kind in ("line", "clause"):
        said = _("line {line}: {rule}").format(line=step.line, rule=step.description)
    else:
        said = step.description
    return f"{said}{_amount(step)}"


def explain_node(node: NodeResult, *, file: str | None = None, indent: int = 0) -> str:
    """The explanation of one node and everything under it."""
    pad = " " * indent
    lines = [pad + _heading(node, indent)]
    inner = pad + "    "
    if node.inputs:
        shown = listed(
            _("{name} = {value}").format(name=name, value=value) for name, value in node.inputs
        )
        lines.append(f"{inner}{shown}")
    for step in node.steps:
        lines.append(inner + _step(step))
    if node.text:
        for text_line in node.text.splitlines():
            lines.append(f"{inner}“{text_line}”")
    for child in node.children:
        lines.append(explain_node(child, file=file, indent=indent + 2))
    return "\n".join(lines)


def _total(result: Result) -> str:
    total, top = _points(result.total), _points(result.max)
    if result.grade is not None:
        return _("total {total} of {max}, grade {grade}").format(
            total=total, max=top, grade=result.grade
        )
    return _("total {total} of {max}").format(total=total, max=top)


def _peers(name: str, stats: Iterable[tuple[str, str]]) -> str:
    shown = listed(
        _("{stat} {value}").format(stat=stat_name(stat), value=value) for stat, value in stats
    )
    return _("peers of {name}: {stats}").format(name=name, stats=shown)


def ledger_line(entry: LostPoints) -> str:
    """One entry of a deduction ledger: ``  −3  g1 合格率: … (file:12) [office]``."""
    where = _(" ({location})").format(location=entry.location) if entry.location else ""
    owners = offices_after(entry.owners)
    sign = "−" if entry.amount > 0 else "+"
    if entry.node_id:
        said = _("{id} {name}: {reason}").format(
            id=entry.node_id, name=entry.node_name, reason=entry.reason
        )
    else:
        said = _("{name}: {reason}").format(name=entry.node_name, reason=entry.reason)
    return f"  {sign}{_points(entry.amount.copy_abs())}  {said}{where}{owners}"


def offices_after(owners: Iterable[str]) -> str:
    """`` [office, office]`` after a line (full-width brackets in Chinese), or nothing."""
    shown = listed(owners)
    return _(" [{owners}]").format(owners=shown) if shown else ""


def explain_result(result: Result) -> str:
    """Every node of one entity's result, then the ledger summary."""
    who = result.entity if result.entity is not None else _("(one entity)")
    lines = [f"{who} — {result.scheme}", _total(result)]
    for veto in result.vetoes:
        if veto.line:
            lines.append(
                _("veto: {name} → {effect} (line {line})").format(
                    name=veto.name, effect=veto.effect, line=veto.line
                )
            )
        else:
            lines.append(_("veto: {name} → {effect}").format(name=veto.name, effect=veto.effect))
    for name, stats in result.peers.items():
        lines.append(_peers(name, stats.items()))
    lines.append("")
    for node in result.nodes:
        lines.append(explain_node(node, file=result.file))
    for step in result.steps:
        lines.append(f"{step.description}{_amount(step)}")
    ledger = result.lost_points()
    if ledger:
        lines.append("")
        lines.append(_("points lost: {lost}").format(lost=_points(result.lost)))
        lines.extend(ledger_line(entry) for entry in ledger)
    return "\n".join(lines)
