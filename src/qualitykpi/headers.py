"""Which column of a row holds each input: its name, or the header the offices use.

An input may declare the column header of the offices' own sheets
(``input rate "制造业产品质量合格率（%）": percent``).  A row may then title the
column either way.  When a row has both columns they must agree, value for
value as read: which of two different values is right is not for the
program to guess, so a disagreement is a data error naming both columns.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .i18n import _
from .values import InputSpec, ValueProblem


@attrs.frozen
class Columns:
    """The columns of a scheme's inputs, in the order of its specs."""

    names: tuple[str, ...]
    #: ``(name, header)`` of the inputs that declare a header.
    headed: tuple[tuple[str, str], ...]
    #: The same as a mapping, made once: it is read for every row.
    _headers: dict[str, str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_headers", dict(self.headed))

    @classmethod
    def of(cls, specs: Mapping[str, InputSpec]) -> Columns:
        headed = tuple((name, spec.header) for name, spec in specs.items() if spec.header)
        return cls(tuple(specs), headed)

    def cells(self, row: Mapping[str, object]) -> tuple[object, ...]:
        """The cell of each input: under its name, else under its header."""
        if not self.headed:
            return tuple(row.get(name) for name in self.names)
        headers = self._headers
        return tuple(
            row.get(name) if name in row or name not in headers else row.get(headers[name])
            for name in self.names
        )

    def column(self, name: str, row: Mapping[str, object] | None) -> str | None:
        """The column other than ``name`` that ``row`` gave the input's value in."""
        if row is None or name in row:
            return None
        header = self._headers.get(name)
        return header if header is not None and header in row else None

    def disagreements(
        self, specs: Mapping[str, InputSpec], row: Mapping[str, object]
    ) -> list[tuple[str, str]]:
        """``(input, message)`` for each input whose two columns hold different values."""
        found: list[tuple[str, str]] = []
        for name, header in self.headed:
            if name not in row or header not in row:
                continue
            spec, first, second = specs[name], row[name], row[header]
            if first == second:
                continue
            try:
                same = spec.read_exact(first) == spec.read_exact(second)
            except ValueProblem:
                # An unreadable cell is reported as such; the header's own is named here.
                same = False
            if not same:
                found.append(
                    (
                        name,
                        _(
                            "input {name!r} is given twice, differently: column {name!r} holds "
                            "{first} and column {header!r} holds {second}; keep one of the two "
                            "columns"
                        ).format(
                            name=name,
                            header=header,
                            first=_shown(first),
                            second=_shown(second),
                        ),
                    )
                )
        return found


def from_column(message: str, column: str | None) -> str:
    """A data error's ``message``, saying the column its value came from when that
    column is not titled by the input's name."""
    if column is None:
        return message
    return _("{message} (read from column {column!r})").format(message=message, column=column)


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) or value is None else str(value)
