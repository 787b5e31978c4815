"""A scored cohort as data: the JSON object ``qualitykpi score --format json``
writes, and a pandas DataFrame of the ranking.

Here, not in :mod:`qualitykpi.reports`, so that :class:`~qualitykpi.Results`
can give its own JSON (``to_dict``, ``to_json``) without importing the report
formats (and rich), and without an import cycle: nothing here needs the
result classes at run time.  The report package re-exports these names.

Every number is written from its exact :class:`~decimal.Decimal`, as text,
never through binary floating point; the DataFrame holds the ``Decimal``
objects themselves.
"""

from __future__ import annotations

import importlib
import json
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .i18n import _
from .values import fmt, normalize, shown_value, size_problem, to_decimal

if TYPE_CHECKING:
    from .errors import DataError
    from .results import LostPoints, NodeResult, Result, Results

JSONObject = dict[str, Any]


def number(value: Decimal | Fraction) -> str:
    """The exact decimal text of ``value``: ``27.15``, ``10``, ``-0.5``."""
    value = to_decimal(value) if isinstance(value, Fraction) else normalize(value)
    return format(value, "f")


def _ledger_json(entry: LostPoints) -> JSONObject:
    return {
        "node": entry.node_id or None,
        "name": entry.node_name,
        "owners": list(entry.owners),
        "amount": number(entry.amount),
        "reason": entry.reason,
        "kind": entry.kind,
        "line": entry.line,
    }


def node_json(node: NodeResult) -> JSONObject:
    return {
        "id": node.id,
        "name": node.name,
        "kind": node.kind,
        "score": number(node.score),
        "max": number(node.max) if node.capped else None,
        "owners": list(node.owners),
        "children": [node_json(child) for child in node.children],
    }


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal) and value.is_finite() and not size_problem(value, str(value)):
        return number(value)
    if isinstance(value, Fraction):
        return fmt(value)
    return shown_value(value)


def error_json(error: DataError) -> JSONObject:
    return {
        "entity": error.entity,
        "input": error.input,
        "value": _json_value(error.value),
        "message": error.message,
        "line": error.line,
    }


def entity_json(rank: int, result: Result, *, explain: bool) -> JSONObject:
    out: JSONObject = {
        "rank": rank,
        "entity": result.entity,
        "total": number(result.total),
        "max": number(result.max),
        "grade": result.grade,
        "vetoes": [
            {"name": hit.name, "effect": hit.effect, "line": hit.line} for hit in result.vetoes
        ],
        "nodes": [node_json(node) for node in result.nodes],
    }
    if explain:
        out["ledger"] = [_ledger_json(entry) for entry in result.lost_points()]
    return out


def score_data(results: Results, *, explain: bool = False) -> JSONObject:
    """The ranking as the JSON object of ``qualitykpi score --format json``."""
    return {
        "scheme": results.scheme,
        "entities": [
            entity_json(rank, result, explain=explain) for rank, result in results.ranking()
        ],
        "errors": [error_json(error) for error in results.errors],
    }


def dumps(data: JSONObject) -> str:
    """Deterministic JSON text: UTF-8 characters as they are, two-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def score_json(results: Results, *, explain: bool = False) -> str:
    return dumps(score_data(results, explain=explain))


# ---------------------------------------------------------------- dataframe


def ranking_frame(results: Results) -> Any:
    """The ranking as a pandas DataFrame; see :meth:`qualitykpi.Results.to_frame`."""
    try:
        pandas = importlib.import_module("pandas")
    except ImportError as error:
        message = _(
            "a DataFrame of the results needs pandas, which is not installed; "
            "install it with: pip install pandas"
        )
        raise ImportError(message) from error
    ranked = results.ranking()
    # Every result of a cohort has the same nodes; the union keeps tree order.
    nodes = list(dict.fromkeys(key for _rank, result in ranked for key in result.scores))
    rows = [
        [
            rank,
            result.entity,
            result.total,
            result.grade,
            tuple(hit.name for hit in result.vetoes),
            *(result.scores.get(node) for node in nodes),
        ]
        for rank, result in ranked
    ]
    header = ["rank", "entity", "total", "grade", "vetoes", *nodes]
    return pandas.DataFrame(rows, columns=header, dtype=object).astype({"rank": "int64"})
