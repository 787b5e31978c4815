"""Property tests of one concrete scheme: ``qualitykpi verify``.

The static checks (:mod:`qualitykpi.checks`) reason about each table on its
own.  :func:`verify` scores many generated entities with the real scorer
tree and checks what a rule author relies on:

``bounds``
    every node scores within ``[minimum, max]`` and within its own
    ``bounds()``; the total within the scheme's bounds;
``monotone``
    where a node declares (``better higher|lower``) or implies a direction
    in an input, a better value of that input, the others and the peer
    statistics unchanged, never scores less;
``vetoes``
    a veto that fires caps the grade (the worse of its own and the one the
    total earns) and keeps the total (``→ grade G``),
    or caps the total (``→ score S``); one that does not fire changes
    nothing;
``ledger``
    the deduction ledger adds up: the ``lost_points`` amounts to
    ``max − total``, and at every node its own steps and its children's
    losses to ``max − score``.

Entities are drawn from the inputs' domains: percentages in 0–100 on the
declared precision grid, counts, numbers in a range around the rule's
thresholds, yes/no, sometimes absent where a ``no data`` line takes that;
values near the rule's thresholds (and near ``K% of peer STAT``) are drawn
half of the time.  Assessed items get scores within their ranges, and
peer-compared inputs peer statistics of a small drawn cohort.

An entity that cannot be scored (a value no line matches — a gap the
checker reports) is a *data error*, not a failed property: such entities
are counted and reported apart.

hypothesis is an optional dependency (``pip install 'qualitykpi[verify]'``);
it is imported when :func:`verify` runs, never at import time, and used
programmatically (no pytest, no example database, nothing written to the
working directory).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from ..i18n import N_, _, ngettext
from .plan import Plan
from .properties import Checker, DataErrors, Failure, Falsified, Tally
from .strategies import Case, Strategies

if TYPE_CHECKING:
    from ..scheme import Scheme

#: What ``qualitykpi verify`` says when hypothesis is not installed.
NEEDS_HYPOTHESIS = N_("qualitykpi verify needs hypothesis: pip install 'qualitykpi[verify]'")

#: The properties, in the order they run and are reported.
PROPERTIES = ("bounds", "monotone", "vetoes", "ledger")

_DESCRIPTIONS = {
    "bounds": N_("every node scores within [minimum, max] and its bounds"),
    "monotone": N_("a better value of an input never scores less"),
    "vetoes": N_("a veto caps the grade and keeps the total, or caps the total"),
    "ledger": N_("the lost points add up to max − score at every node and in total"),
}


class MissingHypothesis(ImportError):
    """hypothesis is not installed."""

    def __init__(self) -> None:
        super().__init__(_(NEEDS_HYPOTHESIS))


# ==================================================================== report


@attrs.frozen
class PropertyOutcome:
    name: str
    description: str
    status: str  # "ok", "failed" or "skipped"
    tried: int = 0
    data_errors: int = 0
    failure: Failure | None = None
    reason: str = ""


@attrs.frozen
class VerifyReport:
    """What :func:`verify` found: one outcome per property, and the data errors."""

    scheme: str
    file: str | None
    examples: int
    seed: int | None
    properties: tuple[PropertyOutcome, ...]
    data_errors: tuple[DataErrors, ...]

    @property
    def ok(self) -> bool:
        return all(outcome.status != "failed" for outcome in self.properties)

    @property
    def failures(self) -> tuple[Failure, ...]:
        return tuple(outcome.failure for outcome in self.properties if outcome.failure is not None)

    def render(self) -> str:
        where = self.file or self.scheme
        heading = (
            _("verify {file}: up to {count} entities per property, seed {seed}")
            if self.seed is not None
            else _("verify {file}: up to {count} entities per property")
        )
        lines = [heading.format(file=where, count=self.examples, seed=self.seed)]
        width = max(len(name) for name in PROPERTIES)
        for outcome in self.properties:
            if outcome.status == "skipped":
                skipped = _("skipped: {reason}").format(reason=outcome.reason)
                lines.append(f"  {outcome.name:<{width}}  {skipped}")
                continue
            # Translators: the status column of verify's table; keep it short.
            status = _("ok") if outcome.status == "ok" else _("FAILED")
            tried = (
                # Translators: after the property's description, space included.
                _(" ({tried} entities; {errors} could not be scored)")
                if outcome.data_errors
                else _(" ({tried} entities)")
            ).format(tried=outcome.tried, errors=outcome.data_errors)
            lines.append(f"  {outcome.name:<{width}}  {status:<6}  {_(outcome.description)}{tried}")
        for failure in self.failures:
            lines.append("")
            lines.append(
                _("property {name} failed: {message}").format(
                    name=failure.property, message=failure.message
                )
            )
            lines.append("  " + _("smallest counterexample (as example lines of that node):"))
            lines.extend(f"    {example}" for example in failure.examples)
            lines.append("  " + _("trace:"))
            lines.extend(f"    {line}" for line in failure.trace.splitlines())
        if self.data_errors:
            lines.append("")
            lines.append(
                _("data errors (not property failures; `qualitykpi check` reports the gaps):")
            )
            for group in self.data_errors:
                like = ngettext(
                    "{message} (and the like: {count} time)",
                    "{message} (and the like: {count} times)",
                    group.count,
                ).format(message=group.message, count=group.count)
                if group.line:
                    like = _("line {line}: {message}").format(line=group.line, message=like)
                lines.append(f"  {like}")
        lines.append("")
        failed = len(self.failures)
        lines.append(
            _("passed")
            if not failed
            else ngettext("{count} property failed", "{count} properties failed", failed).format(
                count=failed
            )
        )
        return "\n".join(lines)


def _import_hypothesis() -> Any:
    try:
        import hypothesis
    except ImportError:
        raise MissingHypothesis() from None
    return hypothesis


def verify(
    scheme: Scheme,
    *,
    examples: int = 100,
    seed: int | None = None,
    properties: Sequence[str] = PROPERTIES,
) -> VerifyReport:
    """Property-test ``scheme`` with hypothesis; see the module docstring.

    ``examples`` is the number of entities drawn per property; with
    ``seed`` the run is repeatable.  Raises :class:`MissingHypothesis` when
    hypothesis is not installed.
    """
    hypothesis = _import_hypothesis()
    unknown = [name for name in properties if name not in PROPERTIES]
    if unknown:
        raise ValueError(f"unknown properties {unknown}; choose from {list(PROPERTIES)}")
    plan = Plan.of(scheme)
    strategies = Strategies(plan)
    tally = Tally()
    with _scratch_home():
        outcomes = [
            _run(hypothesis, plan, strategies, tally, name, examples, seed) for name in properties
        ]
    return VerifyReport(
        scheme.name,
        scheme.source.name if scheme.source is not None else None,
        examples,
        seed,
        tuple(outcomes),
        tuple(tally.report()),
    )


@contextmanager
def _scratch_home() -> Iterator[None]:
    """Keep hypothesis's files (a cache of constants) out of the working directory.

    Without a database nothing else is written, but hypothesis caches what it
    reads from source files under ``.hypothesis/`` of the current directory;
    a temporary home, removed afterwards, takes it instead.  An explicit
    ``HYPOTHESIS_STORAGE_DIRECTORY`` is respected.
    """
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    from hypothesis import configuration

    previous = vars(configuration).get("__hypothesis_home_directory")
    with tempfile.TemporaryDirectory(prefix="qualitykpi-verify-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


def _skip_reason(plan: Plan, name: str) -> str | None:
    if name == "monotone" and not plan.directed:
        return _("no node declares or implies a direction in a numeric input")
    if name == "vetoes" and not plan.scheme.scorer.vetoes:
        return _("the scheme has no veto")
    return None


def _run(
    hypothesis: Any,
    plan: Plan,
    strategies: Strategies,
    tally: Tally,
    name: str,
    examples: int,
    seed: int | None,
) -> PropertyOutcome:
    description = _DESCRIPTIONS[name]
    reason = _skip_reason(plan, name)
    if reason is not None:
        return PropertyOutcome(name, description, "skipped", reason=reason)
    checker = Checker(plan, tally)
    check: Callable[[Case], None] = getattr(checker, name)
    calls = 0

    def test(case: Case) -> None:
        nonlocal calls
        calls += 1
        check(case)

    config = hypothesis.settings(
        database=None,
        max_examples=examples,
        deadline=None,
        derandomize=seed is not None,
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    runner = config(hypothesis.given(strategies.cases(name))(test))
    if seed is not None:
        runner = hypothesis.seed(seed)(runner)
    try:
        runner()
    except Falsified as falsified:
        return PropertyOutcome(
            name, description, "failed", calls, checker.errors, falsified.failure
        )
    return PropertyOutcome(name, description, "ok", calls, checker.errors)
