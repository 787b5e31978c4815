"""The node layer: conditions, lines, clauses, the scorer tree.

Each construct of the language is a small frozen class here that says,
once, what it means to every tool: the checks, coverage, ``verify``, the
explanation and the compiled plan ask the node.  :data:`CONDITIONS`, :data:`EXPRESSIONS`,
:data:`~qualitykpi.nodes.tables.LINES` and
:data:`~qualitykpi.nodes.clauses.CLAUSES` list every kind; a test runs every
tool on each, so a kind that a tool does not handle fails there rather than
in a user's hands.
"""

from .arithmetic import Absolute, Arithmetic, Extreme, Rounded
from .conditions import IsYes, NoData, Otherwise, PeerRelative, Range
from .expressions import Given, Input, NodeValue, Number, PeerStat, Previous, RankOf
from .targets import MeetsTarget, OffTarget, WithinTarget

#: Every kind of condition.
CONDITIONS: tuple[type, ...] = (
    *(Range, MeetsTarget, OffTarget, WithinTarget, PeerRelative),
    *(IsYes, NoData, Otherwise),
)

#: Every form of expression (LANGUAGE-2 §2).
EXPRESSIONS: tuple[type, ...] = (
    *(Number, Input, Previous, Given, PeerStat, RankOf, NodeValue),
    *(Arithmetic, Extreme, Absolute, Rounded),
)

__all__ = ["CONDITIONS", "EXPRESSIONS"]
