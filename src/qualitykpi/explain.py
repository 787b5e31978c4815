"""Readable explanations of results: what decided each node, what was lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .values import fmt as _points

if TYPE_CHECKING:
    from .results import NodeResult, Result, Step


def _amount(step: Step) -> str:
    if step.amount is None or step.amount == 0:
        return ""
    if step.amount > 0:
        return f"  −{_points(step.amount)}"
    return f"  +{_points(step.amount.copy_negate())}"


def explain_node(node: NodeResult, *, file: str | None = None, indent: int = 0) -> str:
    """The explanation of one node and everything under it."""
    pad = " " * indent
    offices = ", ".join(node.owners)
    if node.supporters:
        offices += f"; support: {', '.join(node.supporters)}"
    listed = indent == 0 or node.kind in ("item", "bonus", "task")
    owners = f"  [{offices}]" if offices and listed else ""
    kind = "" if node.kind in ("item", "section") else f"{node.kind} "
    if node.kind == "task":
        points = ""
    elif not node.capped:
        points = f": {_points(node.score)} (no cap)"
    else:
        points = f": {_points(node.score)} / {_points(node.max)}"
    lines = [f"{pad}{node.id} {kind}{node.name}{points}{owners}"]
    inner = pad + "    "
    if node.inputs:
        shown = ", ".join(f"{name} = {value}" for name, value in node.inputs)
        lines.append(f"{inner}{shown}")
    for step in node.steps:
        where = f"line {step.line}: " if step.line and step.kind in ("line", "clause") else ""
        if step.kind == "note":
            lines.append(f"{inner}({step.description})")
        elif step.kind == "round":
            lines.append(f"{inner}rounded: {step.description}")
        else:
            lines.append(f"{inner}{where}{step.description}{_amount(step)}")
    if node.text:
        for text_line in node.text.splitlines():
            lines.append(f"{inner}“{text_line}”")
    for child in node.children:
        lines.append(explain_node(child, file=file, indent=indent + 2))
    return "\n".join(lines)


def explain_result(result: Result) -> str:
    """Every node of one entity's result, then the ledger summary."""
    who = result.entity if result.entity is not None else "(one entity)"
    grade = f", grade {result.grade}" if result.grade is not None else ""
    total = f"total {_points(result.total)} of {_points(result.max)}{grade}"
    lines = [f"{who} — {result.scheme}", total]
    if result.vetoes:
        for veto in result.vetoes:
            where = f" (line {veto.line})" if veto.line else ""
            lines.append(f"veto: {veto.name} → {veto.effect}{where}")
    if result.peers:
        for name, stats in result.peers.items():
            shown = ", ".join(f"{stat} {value}" for stat, value in stats.items())
            lines.append(f"peers of {name}: {shown}")
    lines.append("")
    for node in result.nodes:
        lines.append(explain_node(node, file=result.file))
    for step in result.steps:
        lines.append(f"{step.description}{_amount(step)}")
    ledger = result.lost_points()
    if ledger:
        lines.append("")
        lines.append(f"points lost: {_points(result.lost)}")
        for entry in ledger:
            where = f" ({entry.location})" if entry.location else ""
            owner = f" [{', '.join(entry.owners)}]" if entry.owners else ""
            sign = "−" if entry.amount > 0 else "+"
            lines.append(
                f"  {sign}{_points(entry.amount.copy_abs())}  {entry.node_id} {entry.node_name}: "
                f"{entry.reason}{where}{owner}"
            )
    return "\n".join(lines)
