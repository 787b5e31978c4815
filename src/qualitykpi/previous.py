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
from .i18n import _
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
    source: str | None = None,
) -> Merged:
    """``rows`` with ``previous NAME`` filled from ``previous``'s column NAME, by entity.

    ``source`` names ``previous`` in the notes (by default "last period's data")."""
    if source is None:
        source = _("last period's data")
    last: dict[str, Mapping[str, object]] = {}
    notes: list[str] = []
    for row in previous:
        name = _name(row, entity)
        if not name:
            continue
        if name in last:
            message = _("{entity} appears twice in {source}; its first row is used")
            notes.append(message.format(entity=name, source=source))
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
                missing = _(", ").join(f"`{PREFIX}{input}`" for input in names)
                message = _("{entity} is not in {source}: it has no data for {inputs}")
                notes.append(message.format(entity=name, source=source, inputs=missing))
            merged.append(out)
            continue
        for input in names:
            column = f"{PREFIX}{input}"
            given, found = _text(row.get(column)), before.get(input)
            if given and _text(found) and given != _text(found):
                errors.append(
                    DataError(
                        _(
                            "gives {column} = {given}, but {source} has {input} = {found}; give "
                            "last period's value in one place"
                        ).format(
                            column=repr(column),
                            given=given,
                            source=source,
                            input=repr(input),
                            found=_text(found),
                        ),
                        entity=name,
                        input=column,
                        value=row.get(column),
                    )
                )
            elif not given:
                out[column] = found
        merged.append(out)
    gone = _("{entity} is in {source} but not in this period's data: it is not scored")
    notes.extend(gone.format(entity=name, source=source) for name in last if name not in seen)
    return Merged(tuple(merged), tuple(notes), tuple(errors))
