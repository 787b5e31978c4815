"""The public face of a compiled rule: load it, score one entity or a cohort.

``load``/``loads`` run the whole pipeline: text → parse tree → AST →
analysis → scorers.  A :class:`Scheme` then scores data exactly and never
lets one entity's bad data stop the others from being scored.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from typing import TYPE_CHECKING, Any, Literal

import attrs

from . import syntax as _syntax
from .cohorts import Derivation, computes
from .columnar import columns_unfit
from .compiler import ExampleCase, compile_scheme
from .diagnostics import Diagnostic
from .errors import DataError, RuleError, besides, raise_collected
from .examples import ExampleOutcome, run_examples
from .fast import Decline, FastValue, FastValues, Slow
from .headers import Columns, from_column
from .i18n import _
from .nodes.conditions import PeerRelative, ScoreProblem
from .nodes.derived import NO_COHORT, Cohort
from .nodes.evaluation import Context, ScoreProblems
from .nodes.scheme_scorer import SchemeScorer
from .nodes.tree import Item, Section
from .plan import Plan, compile_plan, stats_key
from .readers import DataTable
from .registry import BUILTIN_STATISTICS, NO_EXTENSIONS
from .results import Result, Results, find_node
from .scheme_cohorts import ComputedScoring, is_data_frame
from .scheme_rows import RowScoring, collector_paused
from .source import Source, Span
from .values import (
    InputSpec,
    Value,
    ValueProblem,
    counted_statistics,
    fmt,
)

if TYPE_CHECKING:
    from .registry import Extensions

PeerInput = Mapping[str, Mapping[str, object]]
#: Plans kept per scheme, one per cohort's statistics (score() with peers given
#: compiles one for each distinct set).
PLANS_KEPT = 16


class Scheme(RowScoring, ComputedScoring):
    """A compiled scoring scheme.

    Build one with :func:`load` or :func:`loads`, or wrap a scorer tree
    built in Python: ``Scheme(SchemeScorer(...))``.
    """

    def __init__(
        self,
        scorer: SchemeScorer,
        *,
        source: Source | None = None,
        examples: tuple[ExampleCase, ...] = (),
        spans: Mapping[str, Span] | None = None,
        syntax: _syntax.Scheme | None = None,
        declarations: Mapping[str, _syntax.InputDecl] | None = None,
        environment: Extensions | None = None,
    ) -> None:
        self.scorer = scorer
        #: The environment it was loaded with: its registered statistics are
        #: computed over a cohort.
        self.environment: Extensions = environment or NO_EXTENSIONS
        self.source = source
        #: The resolved syntax tree (ids assigned, subjects resolved), for
        #: tools that read the rule as written; None for a Python-built scheme.
        self.syntax = syntax
        #: The input declarations by name, with their spans.
        self.declarations: Mapping[str, _syntax.InputDecl] = dict(declarations or {})
        self.examples = examples
        self._spans = dict(spans or {})
        self._specs: dict[str, InputSpec] = {spec.name: spec for spec in scorer.inputs}
        self._plans: dict[Hashable, Plan | None] = {}
        for item in scorer.assessed_ids():
            self._specs.setdefault(item.id, InputSpec(item.id, "number"))
        self._columns = Columns.of(self._specs)
        #: What the scheme computes from values (None: nothing; it is scored by its plan).
        self._derivation: Derivation | None = None
        if computes(scorer):
            compared = (name for name, _ in self._comparisons())
            self._derivation = Derivation.of(scorer, self._specs, compared)

    def __getstate__(self) -> dict[str, object]:
        # Plans are closures, and the environment is the loader's: neither is
        # part of what a scheme means (see qualitykpi.cache).
        state = dict(self.__dict__)
        state["_plans"] = {}
        state["environment"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.environment = NO_EXTENSIONS

    # ---------------------------------------------------------------- facts

    @property
    def name(self) -> str:
        return self.scorer.name

    @property
    def inputs(self) -> Mapping[str, InputSpec]:
        """Every column the data may hold: declared inputs and assessed item ids."""
        return dict(self._specs)

    def node(self, key: str) -> Section | Item:
        """A node of the scorer tree by id or, when unique, by name."""
        return find_node(list(self.scorer.walk()), key)

    def check(self) -> list[Diagnostic]:
        """The static checks' findings on this scheme, as data (see :mod:`qualitykpi.checks`)."""
        from .checks import check_scheme  # only when asked for: loading needs no checks

        return check_scheme(self)

    def __repr__(self) -> str:
        where = f" from {self.source.name}" if self.source else ""
        return f"<Scheme {self.name!r}{where}: max {fmt(self.scorer.max)}>"

    # -------------------------------------------------------------- scoring

    def score(
        self,
        inputs: Mapping[str, object],
        peers: PeerInput | None = None,
        *,
        entity: str | None = None,
        ranks: Mapping[str, tuple[int, int]] | None = None,
    ) -> Result:
        """Score one entity.  Raises :class:`DataError` (all problems at once).

        ``peers`` gives the cohort's statistics the rules compare with
        (``{"rate": {"mean": 90}}``), ``ranks`` the entity's ranks
        (``{"output": (2, 13)}``: 2nd of 13); :meth:`score_table` computes both.
        """
        cells = self._cells(inputs)
        values, errors = self._read(entity, cells, inputs)
        try:
            stats = self._given_peers(peers)
        except DataError as exc:
            errors.append(exc)
        else:
            cohort = Cohort(stats, {}, dict(ranks or {}))
            plan = self._plan(stats, cohort)
            outcome = self._evaluate(entity, values, stats, plan, cells, cohort)
            if isinstance(outcome, Result) and not errors:
                return outcome
            if not isinstance(outcome, Result):
                errors.extend(besides(outcome, errors))
        raise_collected(errors)
        raise AssertionError("unreachable")

    def score_table(
        self,
        rows: Iterable[Mapping[str, object]] | DataTable | Any,
        entity: str = "entity",
        *,
        previous: Iterable[Mapping[str, object]] | DataTable | Any | None = None,
        engine: Literal["auto", "rows", "columns"] = "auto",
    ) -> Results:
        """Score a cohort; peer statistics are computed over it.

        ``rows`` are mappings of column to value, a :class:`DataTable` from
        :func:`read_table` (whose rows are then named by their place in the
        file: "row 7" is the sheet's row 7, not the seventh entity), or a
        pandas or polars ``DataFrame`` or pyarrow ``Table`` as it comes (a
        pandas index may be the entity column; nulls are absent).  Returns
        results by entity in row order.  Rows with bad data have no result;
        their :class:`DataError` objects are in ``.errors``, and every other
        row is scored.

        ``previous`` is last period's data as it was published (rows, a
        table or a DataFrame, like ``rows``): its column ``rd`` gives each
        entity's ``previous rd``, matched by entity name.  Entities of one
        period only are named in ``.notes``.

        ``engine`` says how: ``"rows"`` one entity at a time, ``"columns"`` a
        column at a time on NumPy (:mod:`qualitykpi.columnar`: the same
        results, many times faster on a large cohort), ``"auto"`` by column
        from :data:`~qualitykpi.columnar.COLUMNS_FROM` rows when it can.
        """
        if engine not in ("auto", "rows", "columns"):
            message = _("engine is 'auto', 'rows' or 'columns', not {engine!r}")
            raise ValueError(message.format(engine=engine))
        if engine == "columns" and not isinstance(rows, Sequence | DataTable):
            # Rows that can be read once are read once: the row path may need them again.
            rows = rows if is_data_frame(rows) else list(rows)
        with collector_paused():
            if previous is None:
                return self._score_cohort(rows, entity, engine)
            return self._with_previous(rows, previous, entity, engine)

    def _score_cohort(
        self, rows: Any, entity: str, engine: Literal["auto", "rows", "columns"]
    ) -> Results:
        """A whole cohort, by column or by row as ``engine`` says (see :meth:`score_table`)."""
        if engine != "rows":
            why = columns_unfit(self._column_refusal(), rows, engine == "columns")
            if why is None:
                # NumPy is imported only for a cohort that takes this path.
                from .columnar.cohort import score_columns

                scored = score_columns(self, rows, entity, is_data_frame(rows))
                if scored is not None:
                    return scored
            elif engine == "columns":
                message = _("engine='columns' cannot score this cohort: {why}")
                raise ValueError(message.format(why=why))
        return self._score_rows(rows, entity)

    def _column_refusal(self) -> str | None:
        """Why the scheme is not scored by column (None: it can be)."""
        derivation = self._derivation
        if derivation is None:
            return None
        if not derivation.plannable(self.scorer):
            return _("a section combines its parts' scores, or a grade reads more than the total")
        if "total" in derivation.ranked:
            return _("the scheme ranks the total (rank of total)")
        return None

    def uses_extensions(self) -> bool:
        """Whether a line uses a registered scorer, or compares with a registered statistic."""
        if any(comparison.stat not in BUILTIN_STATISTICS for _, comparison in self._comparisons()):
            return True
        return any(
            line.hosted
            for node in self.scorer.walk()
            if isinstance(node, Item) and node.table is not None
            for line in node.table.lines
        )

    def peer_inputs(self) -> tuple[str, ...]:
        """The inputs (and computed values) whose cohort statistics or ranks some rule
        line, clause, veto or expression reads."""
        compared = [name for name, _ in self._comparisons()]
        if self._derivation is not None:
            compared.extend(sorted(self._derivation.compared | set(self._derivation.ranked)))
        return tuple(dict.fromkeys(compared))

    def cohort_peers(
        self, rows: Iterable[Mapping[str, Value | Decimal]]
    ) -> dict[str, dict[str, Fraction]]:
        """Peer statistics of the peer-compared inputs over valid present values.

        The built-in statistics, and the registered ones the scheme uses.
        """
        wanted = self.peer_inputs()
        columns: dict[str, list[Fraction | Decimal]] = {name: [] for name in wanted}
        for values in rows:
            for name in wanted:
                value = values.get(name)
                if isinstance(value, Fraction | Decimal):
                    columns[name].append(value)
        stats: dict[str, dict[str, Fraction]] = {}
        for name, column in columns.items():
            if column:
                # Sorted as read (decimals compare fast and exactly), then made Fractions.
                ordered = [Fraction(value) for value in sorted(column)]
                counted = [(value, len(list(same))) for value, same in groupby(ordered)]
                stats[name] = self._statistics(counted)
        return stats

    def _statistics(self, counted: Sequence[tuple[Fraction, int]]) -> dict[str, Fraction]:
        """The statistics of one input's present values, given in ascending order with
        how many times each occurs: the built-in ones, and the registered ones the
        scheme names (which see every value, one by one)."""
        found = counted_statistics(counted)
        # An environment may hold statistics this scheme never names (every
        # installed plugin's, for the command): they are neither computed nor shown.
        used = {comparison.stat for _, comparison in self._comparisons()}
        if any(stat not in BUILTIN_STATISTICS for stat in used):
            ordered = [value for value, count in counted for _ in range(count)]
            found.update(self.environment.statistic_values(ordered, used))
        return found

    # ------------------------------------------------------------- internals

    def _comparisons(self) -> Iterator[tuple[str, PeerRelative]]:
        """Each comparison with the cohort, and the input it compares."""
        for veto in self.scorer.vetoes:
            yield from ((veto.input, comparison) for comparison in veto.comparisons())
        for node in self.scorer.walk():
            if not isinstance(node, Item):
                continue
            for clause in node.clauses:
                yield from ((clause.input, comparison) for comparison in clause.comparisons())
            if node.table is not None:
                for line in node.table.lines:
                    yield from ((line.subject, comparison) for comparison in line.comparisons())

    def _read(
        self,
        entity: str | None,
        cells: tuple[object, ...],
        row: Mapping[str, object] | None = None,
    ) -> tuple[dict[str, FastValue], list[DataError]]:
        """The entity's values from its cells (see :meth:`_cells`), and the errors of
        those that cannot be read; ``row``, the cells came from, names their columns."""
        values: dict[str, FastValue] = {}
        errors: list[DataError] = []
        for (name, spec), raw in zip(self._specs.items(), cells, strict=True):
            try:
                values[name] = spec.read_exact(raw)
            except ValueProblem as problem:
                errors.append(
                    DataError(
                        from_column(
                            _("input {input}: {problem}").format(input=repr(name), problem=problem),
                            self._columns.column(name, row),
                        ),
                        entity=entity,
                        input=name,
                        value=raw,
                        source=self.source,
                        span=self._spans.get(name),
                    )
                )
        if row is not None and self._columns.headed:
            for name, message in self._columns.disagreements(self._specs, row):
                errors.append(DataError(message, entity=entity, input=name, value=row[name]))
        return values, errors

    def _given_peers(self, peers: PeerInput | None) -> dict[str, dict[str, Fraction]]:
        out: dict[str, dict[str, Fraction]] = {}
        for name, stats in (peers or {}).items():
            for stat, value in stats.items():
                if stat not in (*BUILTIN_STATISTICS, *self.environment.statistics):
                    raise DataError(
                        f"unknown peer statistic {stat!r} for {name!r} (use mean, "
                        "median, max or min)",
                        input=name,
                        value=value,
                    )
                try:
                    # A statistic is exact and may have no finite decimal
                    # form (a mean of 1/30); anything else is read like data.
                    number = (
                        value
                        if isinstance(value, Fraction)
                        else InputSpec(name, "number").read(value)
                    )
                except ValueProblem as problem:
                    raise DataError(
                        f"the peer {stat} of {name!r}: {problem}", input=name, value=value
                    ) from None
                if not isinstance(number, Fraction):
                    raise DataError(
                        f"the peer {stat} of {name!r} is not given", input=name, value=value
                    )
                out.setdefault(name, {})[stat] = number
        return out

    def _evaluate(
        self,
        entity: str | None,
        values: FastValues,
        peers: Mapping[str, Mapping[str, Fraction]],
        plan: Plan | None,
        cells: tuple[object, ...],
        cohort: Cohort = NO_COHORT,
        done: Mapping[str, ScoreProblem] | None = None,
    ) -> Result | list[DataError]:
        """Score one entity by the compiled plan; what it leaves, by the traced evaluator.

        A result scored fast keeps the entity's cells as given, not the values
        read from them, for its trace: they are read again if it is asked for.
        """
        if plan is not None:
            fast: FastValues | None = values
            if self._derivation is not None:
                # The plan reads the inputs as fast decimals and the computed values
                # among them; the trace, and the reference if the plan leaves the
                # entity, work from the values as computed (worked out once).
                read = values if done is None else self._read(entity, cells)[0]
                exact, why = self._derived(values, cohort, done)
                fast = self._fast_values(read, exact)
                values, done = exact, why  # type: ignore[assignment]

                def trace() -> Result:
                    return self._traced(entity, exact, peers, cohort, why)  # type: ignore[arg-type]

            else:

                def trace() -> Result:
                    return self._traced(entity, self._read(entity, cells)[0], peers)

            if fast is not None:  # else a computed value with no finite decimal form
                try:
                    return plan.score(entity, fast, trace, self.scorer.file)
                except (Slow, ArithmeticError, ScoreProblems):
                    pass  # the reference decides, and names any problem
        try:
            return self._traced(entity, values, peers, cohort, done)
        except ScoreProblems as exc:
            return [self._data_error(entity, problem) for problem in exc.problems]

    def _cells(self, row: Mapping[str, object]) -> tuple[object, ...]:
        """The cells of the inputs, in the order of the specs."""
        return self._columns.cells(row)

    def _traced(
        self,
        entity: str | None,
        values: FastValues,
        peers: Mapping[str, Mapping[str, Fraction]],
        cohort: Cohort = NO_COHORT,
        done: Mapping[str, ScoreProblem] | None = None,
    ) -> Result:
        return self.scorer.evaluate(self._context(entity, values, peers, cohort, done))

    def _context(
        self,
        entity: str | None,
        values: FastValues,
        peers: Mapping[str, Mapping[str, Fraction]],
        cohort: Cohort = NO_COHORT,
        done: Mapping[str, ScoreProblem] | None = None,
    ) -> Context:
        if self._derivation is None:
            return Context(entity, values, peers, self._specs)
        if not cohort.stats and peers:
            cohort = attrs.evolve(cohort, stats=peers)
        return self._derivation.context(entity, values, peers, cohort, done=done)

    def _plan(
        self, peers: Mapping[str, Mapping[str, Fraction]], cohort: Cohort | None = None
    ) -> Plan | None:
        """The plan for a cohort with these statistics, compiled once and kept.

        A scheme that computes has one too, unless a section combines its
        children or a grade reads more than the total (those read the whole
        tree): its items that read a computed value are evaluated traced, in
        ``cohort`` (the one its values were worked out over: its ranks and its
        size, which an item's trace shows again).
        """
        derivation = self._derivation
        if derivation is not None and not derivation.plannable(self.scorer):
            return None
        key: Hashable = stats_key(peers)
        if derivation is not None:
            cohort = Cohort(peers) if cohort is None else cohort
            key = (key, _cohort_key(cohort))
        if key not in self._plans:
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            context = None
            if derivation is not None:
                seen = cohort if cohort is not None else Cohort(peers)

                def context(values: FastValues) -> Context:
                    # The computed values are among ``values``: nothing to work out.
                    return derivation.context(None, values, peers, seen, done={})

            try:
                self._plans[key] = compile_plan(self.scorer, self._specs, peers, context=context)
            except Decline:
                self._plans[key] = None  # the scheme as a whole has no fast form
        return self._plans[key]

    def _data_error(self, entity: str | None, problem: ScoreProblem) -> DataError:
        span = Span(problem.line, 1, problem.line, 1) if problem.line else None
        value: object = problem.value
        if isinstance(value, Fraction):
            value = fmt(value)
        return DataError(
            problem.message,
            entity=entity,
            input=problem.input,
            value=value,
            source=self.source,
            span=span,
        )

    # ------------------------------------------------------------- examples

    def run_examples(self) -> list[ExampleOutcome]:
        """Run every ``example`` of the rule file against its node."""
        return run_examples(self)


def compile_text(text: str, name: str, environment: Extensions) -> Scheme:
    # The parser (and Lark) are imported here, not with this module: a scheme
    # loaded from the cache (qualitykpi.cache) needs neither.
    from . import analysis, builder, parser

    """The whole pipeline: text → parse tree → AST → analysis → scorers."""
    source = Source(name, text)
    with collector_paused():
        scheme_ast, errors = builder.build(source, parser.parse(source))
    result = analysis.analyse(scheme_ast, environment)
    all_errors: list[RuleError] = [*errors, *result.errors]
    all_errors.sort(key=lambda error: (error.line or 0, error.column or 0))
    raise_collected(all_errors)
    scorer, examples = compile_scheme(
        result.scheme, result.inputs, environment, result.lets, result.kinds
    )
    spans = {name: decl.span for name, decl in result.inputs.items()}
    return Scheme(
        scorer,
        source=source,
        examples=examples,
        spans=spans,
        syntax=result.scheme,
        declarations=result.inputs,
        environment=environment,
    )


def _cohort_key(cohort: Cohort) -> Hashable:
    """What of a cohort, besides its statistics, a plan's traced items read."""
    return (tuple(sorted(cohort.columns.items())), tuple(sorted(cohort.ranks.items())), cohort.size)
