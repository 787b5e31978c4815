"""Scoring a large cohort a column at a time, on NumPy, with the row path's results.

:meth:`~qualitykpi.scheme.Scheme.score_table` takes this path by itself for
a cohort of :data:`COLUMNS_FROM` rows or more, when NumPy is installed (the
``batch`` extra) and the scheme has a compiled plan (not one that combines
sections' scores, grades on more than the total, or ranks the total);
``engine=`` chooses outright.  The modules, in the order a cohort goes through them:

* :mod:`.frames` — a data frame's columns as they come;
* :mod:`.encode` — each column's distinct cells, read once each;
* :mod:`.derive` — the values computed from them, once per distinct combination;
* :mod:`.evaluate` — the compiled plan over the columns;
* :mod:`.lazy` — the results, kept as columns, made when read;
* :mod:`.cohort` — the whole, as ``score_table`` calls it.
"""

from __future__ import annotations

import importlib.util

from ..i18n import _
from ..readers import DataTable

#: The cohort size from which ``score_table`` scores by column by itself.
COLUMNS_FROM = 2_000


def columns_unfit(refused: str | None, rows: object, asked: bool) -> str | None:
    """Why the column path does not take this cohort (None: it does): ``refused``
    is why the scheme itself is not scored by column, if it is not; a cohort that
    does not say its size is taken only when asked."""
    if refused is not None:
        return refused
    if not asked:
        size = len(rows.rows) if isinstance(rows, DataTable) else _size(rows)
        if size is None or size < COLUMNS_FROM:
            return _("the cohort is small")
    if importlib.util.find_spec("numpy") is None:
        return _('NumPy is not installed (pip install "qualitykpi[batch]")')
    return None


def _size(rows: object) -> int | None:
    try:
        return len(rows)  # type: ignore[arg-type]
    except TypeError:
        return None


__all__ = ["COLUMNS_FROM", "columns_unfit"]
