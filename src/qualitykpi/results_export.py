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
import itertools
import json
from collections.abc import Iterator, Mapping
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
            entity_json(rank, result, explain=explain) for rank, result in results.ranked()
        ],
        "errors": [error_json(error) for error in results.errors],
    }


def dumps(data: JSONObject) -> str:
    """Deterministic JSON text: UTF-8 characters as they are, two-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def score_json(results: Results, *, explain: bool = False) -> str:
    return "".join(score_json_pieces(results, explain=explain))


#: Stands for the entities while the rest of the document is written.
_ENTITIES = "\x00entities\x00"


def score_json_pieces(results: Results, *, explain: bool = False) -> Iterator[str]:
    """:func:`score_json`'s text in pieces, one entity at a time, made as they are
    written: a cohort of a million entities is never one object in memory."""
    ranked = results.ranked()
    first = next(ranked, None)
    document = {
        "scheme": results.scheme,
        "entities": [_ENTITIES] if first is not None else [],
        "errors": [error_json(error) for error in results.errors],
    }
    text = dumps(document)
    if first is None:
        yield text
        return
    marker = json.dumps(_ENTITIES)
    before, after = text.split(marker)
    yield before
    for index, (rank, result) in enumerate(itertools.chain([first], ranked)):
        entity = json.dumps(
            entity_json(rank, result, explain=explain), ensure_ascii=False, indent=2
        )
        # As an item of the list, two levels in: every line four spaces further.
        yield ("" if index == 0 else ",\n    ") + entity.replace("\n", "\n    ")
    yield after


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
    # One pass, each result made and let go (a cohort scored by column makes
    # them as they are reached); every result of a cohort has the same nodes,
    # and the union keeps tree order.
    nodes: dict[str, None] = {}
    found: list[tuple[list[object], Mapping[str, Decimal]]] = []
    for rank, result in results.ranked():
        scores = result.scores
        nodes.update(dict.fromkeys(scores))
        head = [rank, result.entity, result.total, result.grade]
        found.append(([*head, tuple(hit.name for hit in result.vetoes)], scores))
    rows = [[*head, *(scores.get(node) for node in nodes)] for head, scores in found]
    header = ["rank", "entity", "total", "grade", "vetoes", *nodes]
    return pandas.DataFrame(rows, columns=header, dtype=object).astype({"rank": "int64"})
