"""Last period's data, matched by entity: where ``previous NAME`` is read from.

A rule that reads ``previous rd`` has an input of its own, the data column
``previous rd``.  Its values come from the same table, or from last
period's data as it was published (``--previous FILE``, ``previous=``): its
column ``rd``, matched row by row by the entity's name.  :func:`merge`
puts that file's values into this period's rows and says what did not
match: an entity of one period only is named (it is not an error in
itself; the entity without last period's value then has no data for it,
which a rule line reports unless a ``no data`` line catches it), and a row
that gives ``previous rd`` itself, differently from last period's file, is a
data error: which of the two is right is not for the program to guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from .errors import DataError
from .values import is_absent

PREFIX = "previous "


@attrs.frozen
class Merged:
    """This period's rows with last period's values, and what did not match."""

    rows: tuple[dict[str, object], ...]
    #: Entities of one period only, as sentences (not errors: see the module).
    notes: tuple[str, ...] = ()
    #: Rows whose own ``previous`` values contradict last period's file.
    errors: tuple[DataError, ...] = ()


def wanted(inputs: Iterable[str]) -> tuple[str, ...]:
    """The inputs whose previous value the rule reads (``previous rd`` → ``rd``)."""
    return tuple(name.removeprefix(PREFIX) for name in inputs if name.startswith(PREFIX))


def _name(row: Mapping[str, object], entity: str) -> str:
    raw = row.get(entity)
    return "" if is_absent(raw) else str(raw).strip()


def _text(value: object) -> str:
    return "" if is_absent(value) else str(value).strip()


def merge(
    rows: Sequence[Mapping[str, object]],
    previous: Sequence[Mapping[str, object]],
    entity: str,
    names: Sequence[str],
    *,
    source: str = "last period's data",
) -> Merged:
    """``rows`` with ``previous NAME`` filled from ``previous``'s column NAME, by entity."""
    last: dict[str, Mapping[str, object]] = {}
    notes: list[str] = []
    for row in previous:
        name = _name(row, entity)
        if not name:
            continue
        if name in last:
            notes.append(f"{name} appears twice in {source}; its first row is used")
            continue
        last[name] = row
    merged: list[dict[str, object]] = []
    errors: list[DataError] = []
    seen: set[str] = set()
    for row in rows:
        name = _name(row, entity)
        out = dict(row)
        seen.add(name)
        before = last.get(name)
        if before is None:
            if name:
                notes.append(
                    f"{name} is not in {source}: it has no data for "
                    + ", ".join(f"`{PREFIX}{input}`" for input in names)
                )
            merged.append(out)
            continue
        for input in names:
            column = f"{PREFIX}{input}"
            given, found = _text(row.get(column)), before.get(input)
            if given and _text(found) and given != _text(found):
                errors.append(
                    DataError(
                        f"gives {column!r} = {given}, but {source} has {input!r} = "
                        f"{_text(found)}; give last period's value in one place",
                        entity=name,
                        input=column,
                        value=row.get(column),
                    )
                )
            elif not given:
                out[column] = found
        merged.append(out)
    notes.extend(
        f"{name} is in {source} but not in this period's data: it is not scored"
        for name in last
        if name not in seen
    )
    return Merged(tuple(merged), tuple(notes), tuple(errors))
