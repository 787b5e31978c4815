"""The responsibility table (任务分解表) of ``qualitykpi owners``.

Each office with the items it owns (and supports) and their points; with
data, the points each office lost for each entity, from the deduction
ledgers grouped by owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
from rich.cells import cell_len

from ..i18n import N_, _
from ..nodes.tree import Item, Section
from ..results import Results
from ..scheme import Scheme
from ..values import to_decimal
from . import (
    NAME_WIDTH,
    PIPE_WIDTH,
    Block,
    JSONObject,
    column_groups,
    csv_text,
    dumps,
    error_json,
    markdown_table,
    number,
    text_table,
    total_of,
)


@attrs.frozen
class Owned:
    """An item, task or bonus of an office (a part, when it has an office of
    its own that its item does not have)."""

    id: str
    name: str
    kind: str
    max: Decimal
    #: False for a bonus without a cap (its max, 0, is no limit).
    capped: bool = True


@attrs.frozen
class Office:
    """An office of the responsibility table; ``name`` ``None``: no office."""

    name: str | None
    items: tuple[Owned, ...] = ()
    supports: tuple[Owned, ...] = ()
    vetoes: tuple[tuple[str, int | None], ...] = ()

    @property
    def points(self) -> Decimal:
        """The maxima of the items it owns added up (bonuses and support aside)."""
        return total_of(item.max for item in self.items if item.kind != "bonus")

    @property
    def label(self) -> str:
        return self.name if self.name is not None else _("(no office)")


def responsibility(scheme: Scheme) -> list[Office]:
    """Each office with the items it owns and supports, in rule order.

    An item counts for each of its owners (牵头单位) and is listed, apart,
    for each of its supporting offices (配合单位).  Parts are listed only
    where they have an office their item does not; sections are not listed
    (their offices are inherited by their items).  Items that nobody owns
    come last, under ``None``.  Vetoes are listed under their owners.
    """
    owned: dict[str | None, list[Owned]] = {}
    supported: dict[str | None, list[Owned]] = {}
    vetoes: dict[str | None, list[tuple[str, int | None]]] = {}

    def visit(node: Section | Item, parent: Item | None) -> None:
        if isinstance(node, Section):
            for child in node.children:
                visit(child, None)
            return
        entry = Owned(node.id, node.name, node.kind, to_decimal(node.max), node.ceiling is not None)
        for owner in node.owners:
            if parent is None or owner not in parent.owners:
                owned.setdefault(owner, []).append(entry)
        for supporter in node.supporters:
            if parent is None or supporter not in parent.supporters:
                supported.setdefault(supporter, []).append(entry)
        if not node.owners and parent is None:
            owned.setdefault(None, []).append(entry)
        for part in node.children:
            visit(part, node)

    for node in scheme.scorer.children:
        visit(node, None)
    for veto in scheme.scorer.vetoes:
        for veto_owner in veto.owners:
            vetoes.setdefault(veto_owner, []).append((veto.name, veto.line))
    names = _ordered([*owned, *supported, *vetoes])
    return [
        Office(
            name,
            tuple(owned.get(name, ())),
            tuple(supported.get(name, ())),
            tuple(vetoes.get(name, ())),
        )
        for name in names
    ]


def _ordered(names: Iterable[str | None]) -> list[str | None]:
    unique = list(dict.fromkeys(names))
    return [name for name in unique if name is not None] + ([None] if None in unique else [])


def lost_by_office(results: Results) -> dict[str | None, dict[str, Decimal]]:
    """Points lost per office per entity: the ledger amounts by owner.

    An entry with several owners counts in full for each of them, so the
    offices' amounts need not add up to an entity's loss.  Entries with no
    owner (the total cap, a veto's score) are under ``None``.
    """
    lost: dict[str | None, dict[str, Fraction]] = {}
    for result in results:
        entity = result.entity or ""
        for entry in result.lost_points():
            for owner in entry.owners or (None,):
                by_entity = lost.setdefault(owner, {})
                by_entity[entity] = by_entity.get(entity, Fraction(0)) + Fraction(entry.amount)
    return {
        owner: {entity: to_decimal(amount) for entity, amount in by_entity.items()}
        for owner, by_entity in lost.items()
    }


def owner_table(
    scheme: Scheme, results: Results | None
) -> tuple[list[Office], list[str], dict[str | None, dict[str, Decimal]]]:
    """Offices (with any office only the data names), entities and losses."""
    offices = responsibility(scheme)
    if results is None:
        return offices, [], {}
    lost = lost_by_office(results)
    known = {office.name for office in offices}
    extra = [Office(name) for name in _ordered(lost) if name not in known]
    offices = _ordered_offices([*offices, *extra])
    entities = [result.entity or "" for result in results]
    return offices, entities, lost


def _ordered_offices(offices: Sequence[Office]) -> list[Office]:
    return [office for office in offices if office.name is not None] + [
        office for office in offices if office.name is None
    ]


def _item_text(item: Owned) -> str:
    if item.kind == "task":
        message = _("{id} {name} (task)")
    elif not item.capped:
        message = _("{id} {name} (bonus, no cap)")
    elif item.kind == "bonus":
        message = _("{id} {name} ({max} bonus)")
    else:
        message = _("{id} {name} ({max})")
    return message.format(id=item.id, name=item.name, max=number(item.max))


def _duties(office: Office) -> list[str]:
    """What an office answers for, one line each: items, support, vetoes."""
    return [
        *(_item_text(item) for item in office.items),
        *(_("support: {item}").format(item=_item_text(item)) for item in office.supports),
        *(_("veto: {name}").format(name=name) for name, _line in office.vetoes),
    ]


def _owner_cells(office: Office) -> list[str]:
    return [office.label, number(office.points), "\n".join(_duties(office))]


def _lost_cells(
    office: Office, entities: Sequence[str], lost: Mapping[str | None, Mapping[str, Decimal]]
) -> list[str]:
    by_entity = lost.get(office.name, {})
    return [number(by_entity.get(entity, Decimal(0))) for entity in entities]


OWNERS_NOTE = N_(
    "Points lost: the ledger amounts of each office's items added up; an entry with "
    "several owners counts in full for each of them."
)


def owners_rows(
    scheme: Scheme, results: Results | None
) -> tuple[list[str], list[list[str]], set[int]]:
    offices, entities, lost = owner_table(scheme, results)
    header = [_("office"), _("points"), _("items"), *entities]
    rows = [[*_owner_cells(office), *_lost_cells(office, entities, lost)] for office in offices]
    return header, rows, {1, *range(3, len(header))}


def owners_title(scheme: Scheme, results: Results | None) -> str:
    offices = responsibility(scheme)
    count = sum(1 for office in offices if office.name is not None)
    if results is None:
        title = _("{scheme} — responsibility table (任务分解表), {count} offices")
    else:
        title = _(
            "{scheme} — responsibility table (任务分解表), {count} offices; "
            "points lost by {entities} entities"
        )
    entities = len(results) if results is not None else 0
    return title.format(scheme=scheme.name, count=count, entities=entities)


def owners_blocks(
    scheme: Scheme, results: Results | None, *, width: int = PIPE_WIDTH
) -> list[Block]:
    """For a terminal: the responsibility table, then (with data) the losses.

    Two tables rather than one wide one, so that the item names keep room.
    The losses have one column per entity; when they do not fit ``width``
    they are printed in parts, each with every office and a run of the
    entities, so that every entity appears with its whole name.
    """
    header, rows, right = owners_rows(scheme, None)
    blocks: list[Block] = [owners_title(scheme, None), text_table(header, rows, right)]
    if results is None:
        return blocks
    header, rows, _right = owners_rows(scheme, results)
    offices = [row[0] for row in rows]
    points = [row[1] for row in rows]
    entities = header[3:]
    cells = [row[3:] for row in rows]
    widths = [
        max([cell_len(name)] + [cell_len(row[index]) for row in cells])
        for index, name in enumerate(entities)
    ]
    # The office column may wrap down to NAME_WIDTH, never below its header.
    office_width = max(min(max(map(cell_len, offices), default=0), NAME_WIDTH), len(header[0]))
    fixed = office_width + 2 + max(map(cell_len, [header[1], *points]))
    groups = column_groups(widths, fixed, width)
    lost = _(
        "Points lost by each office, for each of {count} entities "
        "(an entry with several owners counts in full for each of them):"
    )
    blocks += ["", lost.format(count=len(results))]
    for part, group in enumerate(groups, start=1):
        if len(groups) > 1:
            first, last = group[0] + 1, group[-1] + 1
            if first == last:
                span = _("({part} of {parts}: entity {first} of {count})")
            else:
                span = _("({part} of {parts}: entities {first}–{last} of {count})")
            shown = span.format(
                part=part, parts=len(groups), first=first, last=last, count=len(entities)
            )
            blocks += ["", shown]
        part_header = [header[0], header[1], *(entities[index] for index in group)]
        part_rows = [
            [office, point, *(row[index] for index in group)]
            for office, point, row in zip(offices, points, cells, strict=True)
        ]
        columns = range(2, len(part_header))
        blocks.append(text_table(part_header, part_rows, {1, *columns}, whole=set(columns)))
    return blocks


def _owned_json(item: Owned) -> JSONObject:
    maximum = number(item.max) if item.capped else None
    return {"id": item.id, "name": item.name, "kind": item.kind, "max": maximum}


def owners_data(scheme: Scheme, results: Results | None) -> JSONObject:
    """The responsibility table as the object of ``qualitykpi owners --format json``."""
    offices, entities, lost = owner_table(scheme, results)
    listed = []
    for office in offices:
        entry: JSONObject = {
            "office": office.name,
            "points": number(office.points),
            "items": [_owned_json(item) for item in office.items],
            "supports": [_owned_json(item) for item in office.supports],
            "vetoes": [{"name": name, "line": line} for name, line in office.vetoes],
        }
        if results is not None:
            entry["lost"] = dict(zip(entities, _lost_cells(office, entities, lost), strict=True))
        listed.append(entry)
    out: JSONObject = {"scheme": scheme.name, "offices": listed}
    if results is not None:
        out["entities"] = entities
        out["errors"] = [error_json(error) for error in results.errors]
    return out


def owners_json(scheme: Scheme, results: Results | None) -> str:
    return dumps(owners_data(scheme, results))


def owners_csv(scheme: Scheme, results: Results | None) -> str:
    """One row per office: office, points, the ids of the items it owns and
    supports, the vetoes it owns, then the points lost per entity."""
    offices, entities, lost = owner_table(scheme, results)
    header = [_("office"), _("points"), _("items"), _("supports"), _("vetoes"), *entities]
    rows = [
        [
            office.name or "",
            number(office.points),
            " ".join(item.id for item in office.items),
            " ".join(item.id for item in office.supports),
            _("; ").join(name for name, _line in office.vetoes),
            *_lost_cells(office, entities, lost),
        ]
        for office in offices
    ]
    return csv_text(header, rows)


def owners_markdown(scheme: Scheme, results: Results | None) -> str:
    header, rows, right = owners_rows(scheme, results)
    parts = [f"# {owners_title(scheme, results)}", markdown_table(header, rows, right)]
    if results is not None:
        parts.append(_(OWNERS_NOTE))
    return "\n\n".join(parts) + "\n"
