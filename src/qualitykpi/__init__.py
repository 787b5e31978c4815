"""qualitykpi: quality-work assessment rules (质量工作考核评分细则) as exact, explainable code.

The pipeline, one module per stage: :mod:`~qualitykpi.parser` (text → parse
tree), :mod:`~qualitykpi.builder` (→ typed :mod:`~qualitykpi.ast`),
:mod:`~qualitykpi.analysis` (names, ids, types), :mod:`~qualitykpi.compiler`
(→ :mod:`~qualitykpi.conditions`, :mod:`~qualitykpi.scorers` and :mod:`~qualitykpi.tree`), and
:mod:`~qualitykpi.scheme` (scoring, with :mod:`~qualitykpi.results` and
:mod:`~qualitykpi.explain`).
"""

from .checks import check, check_text
from .clauses import ForEach, When
from .conditions import IsYes, MeetsTarget, NoData, OffTarget, Otherwise, PeerRelative, Range
from .diagnostics import Diagnostic
from .environment import CustomScorer, Environment, ScorerKind, load, loads
from .errors import DataError, RuleError, RuleErrors, RuleSemanticError, RuleSyntaxError
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
    more_than,
    of_peer,
    per_unit,
    scaled,
    scaled_to_peer_max,
    score,
    table,
    up_to,
)
from .plugins import PluginError, plugin_environment
from .readers import ColumnProblem, DataFileError, DataTable, check_columns, read_table
from .results import LostPoints, NodeResult, Result, Results, Step, VetoHit
from .scheme import ExampleOutcome, Scheme
from .scheme_scorer import Grades, SchemeScorer, Veto
from .scorers import Band, Deduct, Full, PerUnit, Scaled, Score, Table
from .tree import Item, Section
from .values import SCORE_PLACES, InputSpec

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
    "Environment",
    "ExampleOutcome",
    "ForEach",
    "Full",
    "Grades",
    "InputSpec",
    "IsYes",
    "Item",
    "LostPoints",
    "MeetsTarget",
    "NoData",
    "NodeResult",
    "OffTarget",
    "Otherwise",
    "PeerRelative",
    "PerUnit",
    "PluginError",
    "Range",
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
    "__version__",
    "above_target",
    "at_least",
    "at_most",
    "award_each",
    "award_if",
    "band",
    "below_target",
    "between",
    "check",
    "check_columns",
    "check_text",
    "deduct",
    "deduct_each",
    "deduct_if",
    "equals",
    "full",
    "interval",
    "less_than",
    "load",
    "loads",
    "more_than",
    "of_peer",
    "per_unit",
    "plugin_environment",
    "read_table",
    "scaled",
    "scaled_to_peer_max",
    "score",
    "table",
    "up_to",
]
