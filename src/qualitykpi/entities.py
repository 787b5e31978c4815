"""An entity's name in a row of a cohort, and what is wrong with a row's name.

Every path that scores a cohort — row by row, by column, a Dask partition —
reads the name and names a row without one, or with a name an earlier row
took, in the same words: they are here once.
"""

from __future__ import annotations

from collections.abc import Container

from .errors import DataError
from .values import is_absent


def entity_name(raw: object) -> str:
    """The entity name a cell gives ("" for none): its text, stripped."""
    return "" if is_absent(raw) else str(raw).strip()


def name_error(
    raw: object, name: str, index: int, entity: str, seen: Container[str]
) -> DataError | None:
    """Why the row numbered ``index`` is not scored, if its name ``name`` (read from
    ``raw`` in column ``entity``) is missing or ``seen`` already; else None."""
    if not name:
        return DataError(
            f"row {index} has no entity name in column {entity!r}",
            entity=f"row {index}",
            input=entity,
            value=raw,
        )
    if name in seen:
        return DataError(
            f"appears again in row {index}; that row is not scored",
            entity=name,
            input=entity,
            value=raw,
        )
    return None
