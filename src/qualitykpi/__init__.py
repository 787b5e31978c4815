"""qualitykpi: quality-work assessment rules (质量工作考核评分细则) as exact, explainable code.

The pipeline: :mod:`~qualitykpi.parser` (text → parse tree),
:mod:`~qualitykpi.builder` (→ the typed :mod:`~qualitykpi.syntax` tree),
:mod:`~qualitykpi.analysis` (names, ids, types), :mod:`~qualitykpi.compiler`
(→ the scorer tree of :mod:`qualitykpi.nodes`), :mod:`~qualitykpi.plan`
(→ a compiled plan), and :mod:`~qualitykpi.scheme` (scoring, with
:mod:`~qualitykpi.results` and :mod:`~qualitykpi.explain`).  The tools:
:mod:`qualitykpi.checks`, :mod:`qualitykpi.coverage`, :mod:`qualitykpi.verify`
and :mod:`qualitykpi.reports`.

``import qualitykpi`` is cheap: the names below are imported from their
modules when first used, so a program that only scores pays for neither
the static checks nor the readers, and the command line starts quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .environment import Environment, check, check_text, load, loads
    from .errors import DataError, RuleError, RuleErrors, RuleSemanticError, RuleSyntaxError
    from .examples import ExampleOutcome
    from .factories import (
        above_target,
        at_least,
        at_most,
        award_each,
        award_if,
        band,
        below_target,
        between,
        deduct,
        deduct_each,
        deduct_if,
        equals,
        full,
        interval,
        less_than,
        linear,
        more_than,
        of_peer,
        per_unit,
        scaled,
        scaled_to_peer_max,
        score,
        table,
        up_to,
        within_target,
    )
    from .feedback import Notice, build_notice, notice, notices
    from .i18n import language, set_language, use_language
    from .nodes.clauses import ForEach, When
    from .nodes.conditions import IsYes, NoData, Otherwise, PeerRelative, Range
    from .nodes.scaling import Linear, Scaled
    from .nodes.scheme_scorer import Grades, SchemeScorer, Veto
    from .nodes.scorers import Band, Deduct, Direction, Full, PerUnit, Reach, Score
    from .nodes.tables import Table
    from .nodes.targets import MeetsTarget, OffTarget, WithinTarget
    from .nodes.tree import Item, Section
    from .plugins import PluginError, plugin_environment
    from .readers import ColumnProblem, DataFileError, DataTable, check_columns, read_table
    from .registry import CustomScorer, ScorerKind
    from .results import LostPoints, NodeResult, Result, Results, Step, VetoHit
    from .scheme import Scheme
    from .values import SCORE_PLACES, InputSpec

# Where each public name lives, for the lazy import below.
_HOME: dict[str, str] = {
    "check": "environment",
    "check_text": "environment",
    "ForEach": "nodes.clauses",
    "When": "nodes.clauses",
    "IsYes": "nodes.conditions",
    "MeetsTarget": "nodes.targets",
    "NoData": "nodes.conditions",
    "OffTarget": "nodes.targets",
    "WithinTarget": "nodes.targets",
    "Otherwise": "nodes.conditions",
    "PeerRelative": "nodes.conditions",
    "Range": "nodes.conditions",
    "Diagnostic": "diagnostics",
    "CustomScorer": "registry",
    "Environment": "environment",
    "ScorerKind": "registry",
    "load": "environment",
    "loads": "environment",
    "DataError": "errors",
    "RuleError": "errors",
    "RuleErrors": "errors",
    "RuleSemanticError": "errors",
    "RuleSyntaxError": "errors",
    "above_target": "factories",
    "at_least": "factories",
    "at_most": "factories",
    "award_each": "factories",
    "award_if": "factories",
    "band": "factories",
    "below_target": "factories",
    "between": "factories",
    "deduct": "factories",
    "deduct_each": "factories",
    "deduct_if": "factories",
    "equals": "factories",
    "full": "factories",
    "interval": "factories",
    "linear": "factories",
    "less_than": "factories",
    "more_than": "factories",
    "of_peer": "factories",
    "per_unit": "factories",
    "scaled": "factories",
    "scaled_to_peer_max": "factories",
    "score": "factories",
    "table": "factories",
    "up_to": "factories",
    "within_target": "factories",
    "PluginError": "plugins",
    "plugin_environment": "plugins",
    "ColumnProblem": "readers",
    "DataFileError": "readers",
    "DataTable": "readers",
    "check_columns": "readers",
    "read_table": "readers",
    "LostPoints": "results",
    "Notice": "feedback",
    "build_notice": "feedback",
    "notice": "feedback",
    "notices": "feedback",
    "NodeResult": "results",
    "Result": "results",
    "Results": "results",
    "Step": "results",
    "VetoHit": "results",
    "Scaled": "nodes.scaling",
    "Linear": "nodes.scaling",
    "ExampleOutcome": "examples",
    "Scheme": "scheme",
    "Grades": "nodes.scheme_scorer",
    "SchemeScorer": "nodes.scheme_scorer",
    "Veto": "nodes.scheme_scorer",
    "Band": "nodes.scorers",
    "Direction": "nodes.scorers",
    "Reach": "nodes.scorers",
    "Deduct": "nodes.scorers",
    "Full": "nodes.scorers",
    "PerUnit": "nodes.scorers",
    "Score": "nodes.scorers",
    "Table": "nodes.tables",
    "Item": "nodes.tree",
    "Section": "nodes.tree",
    "SCORE_PLACES": "values",
    "language": "i18n",
    "set_language": "i18n",
    "use_language": "i18n",
    "InputSpec": "values",
}

__version__ = "0.1.0"

__all__ = [
    "SCORE_PLACES",
    "Band",
    "ColumnProblem",
    "CustomScorer",
    "DataError",
    "DataFileError",
    "DataTable",
    "Deduct",
    "Diagnostic",
    "Direction",
    "Environment",
    "ExampleOutcome",
    "ForEach",
    "Full",
    "Grades",
    "InputSpec",
    "IsYes",
    "Item",
    "Linear",
    "LostPoints",
    "MeetsTarget",
    "NoData",
    "NodeResult",
    "Notice",
    "OffTarget",
    "Otherwise",
    "PeerRelative",
    "PerUnit",
    "PluginError",
    "Range",
    "Reach",
    "Result",
    "Results",
    "RuleError",
    "RuleErrors",
    "RuleSemanticError",
    "RuleSyntaxError",
    "Scaled",
    "Scheme",
    "SchemeScorer",
    "Score",
    "ScorerKind",
    "Section",
    "Step",
    "Table",
    "Veto",
    "VetoHit",
    "When",
    "WithinTarget",
    "__version__",
    "above_target",
    "at_least",
    "at_most",
    "award_each",
    "award_if",
    "band",
    "below_target",
    "between",
    "build_notice",
    "check",
    "check_columns",
    "check_text",
    "deduct",
    "deduct_each",
    "deduct_if",
    "equals",
    "full",
    "interval",
    "language",
    "less_than",
    "linear",
    "load",
    "loads",
    "more_than",
    "notice",
    "notices",
    "of_peer",
    "per_unit",
    "plugin_environment",
    "read_table",
    "scaled",
    "scaled_to_peer_max",
    "score",
    "set_language",
    "table",
    "up_to",
    "use_language",
    "within_target",
]


def __getattr__(name: str) -> Any:
    # PEP 562: the module holding the name is imported on first use.  A
    # submodule (``qualitykpi.nodes.scorers``) is imported when asked for by name.
    home = _HOME.get(name)
    if home is None:
        if name.startswith("_"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
