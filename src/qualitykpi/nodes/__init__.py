"""The node layer: conditions, lines, clauses, the scorer tree.

Each construct of the language is a small frozen class here that says,
once, what it means to every tool: the checks, coverage, ``verify``, the
explanation and the compiled plan ask the node.  :data:`CONDITIONS`,
:data:`~qualitykpi.nodes.arithmetic.EXPRESSIONS`,
:data:`~qualitykpi.nodes.tables.LINES` and
:data:`~qualitykpi.nodes.clauses.CLAUSES` list every kind; a test runs every
tool on each, so a kind that a tool does not handle fails there rather than
in a user's hands.
"""

from .conditions import IsYes, NoData, OneOf, Otherwise, PeerRelative, Range
from .formulas import Versus
from .targets import MeetsTarget, OffTarget, WithinTarget

#: Every kind of condition.
CONDITIONS: tuple[type, ...] = (
    *(Range, MeetsTarget, OffTarget, WithinTarget, PeerRelative),
    *(IsYes, OneOf, NoData, Otherwise, Versus),
)

__all__ = ["CONDITIONS"]
