"""A host program that extends qualitykpi with the 功效系数法 (efficacy coefficient).

The scorer and the ``p75`` peer statistic live in the example plugin
``efficacy-plugin/`` (the distribution ``qualitykpi-efficacy``); a host
program registers them on its own :class:`qualitykpi.Environment` and loads
``efficacy.rule`` through it.  Run ``python examples/efficacy.py``, or point
the command at this environment:
``qualitykpi test examples/efficacy.rule --env examples.efficacy:ENVIRONMENT``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import qualitykpi as qk

try:
    from qualitykpi_efficacy import Efficacy, p75, register
except ModuleNotFoundError:
    # Run from a checkout where the plugin is not installed: use its source.
    sys.path.append(str(Path(__file__).with_name("efficacy-plugin") / "src"))
    from qualitykpi_efficacy import Efficacy, p75, register

__all__ = ["COHORT", "ENVIRONMENT", "RULE", "Efficacy", "p75"]

ENVIRONMENT = qk.Environment()
register(ENVIRONMENT)

RULE = Path(__file__).with_name("efficacy.rule")

COHORT = [
    {"entity": "甲市", "pass_rate": "96.0", "complaints": "2", "awards": "9"},
    {"entity": "乙市", "pass_rate": "88.0", "complaints": "15", "awards": "4"},
    {"entity": "丙市", "pass_rate": "79.5", "complaints": "40", "awards": "6"},
    {"entity": "丁市", "pass_rate": "91.1", "complaints": "8", "awards": "1"},
]

if __name__ == "__main__":
    scheme = ENVIRONMENT.load(RULE)
    results = scheme.score_table(COHORT)
    for rank, result in results.ranking():
        print(f"{rank}  {result.entity}  {result.total} of {result.max}")
    print()
    print(results["乙市"].explain())
