"""The documentation in ``docs/`` is executed, so it cannot drift from the code.

Conventions for ``docs/*.rst`` (keep them when you edit a page):

1. **Rule snippets.**  A ``.. code-block:: qualitykpi`` (or ``text``) whose
   first non-blank line starts with ``scheme "`` (or ``scheme “``) is a rule
   file; write ``qualitykpi``, so that Sphinx highlights it.  The first
   non-blank line after the block must be an rst comment stating what the
   test checks; a rule snippet without one fails the test:

   ``.. expect: examples pass``
       It loads, has at least one ``example`` line, and every example
       passes.  Work the expected scores out by hand from the rules: the
       examples are what make the page a proof of the semantics.
   ``.. expect: error CODE [CODE ...]``
       Loading raises :class:`qualitykpi.RuleError`, and the codes of its
       ``.errors`` are exactly ``{CODE, ...}``.
   ``.. expect: syntax-error ["TEXT" ...]``
       Loading raises :class:`qualitykpi.RuleSyntaxError` (code ``syntax``);
       each quoted TEXT, if any, is part of its message.
   ``.. expect: data-errors ["TEXT" ...]``
       It loads, has at least one example, and every example fails with a
       data error; each quoted TEXT is part of some error's message.
   ``.. expect: diagnostics [CODE ...]``
       The static checks (:func:`qualitykpi.check`) report exactly
       these codes, each as often as it is listed, in any order; with no
       code, nothing at all.  If the snippet has examples, they pass too.

   ``.. expect: …`` is an rst comment, so Sphinx does not show it.  Blocks
   that do not start with ``scheme`` (grammar synopses) are not run; write
   ``::`` literal blocks for those where possible (``language.rst`` sets
   ``.. highlight:: qualitykpi``, so its synopses are highlighted too).

2. **Python snippets.**  Every ``.. code-block:: python`` of a page runs, in
   page order, in one namespace per page, in a fresh temporary working
   directory.  State results with ``assert``.  Code that must not run is
   shown as ``console`` or ``text``.

3. **The build.**  The pages build with ``sphinx-build -W`` (no warnings);
   that test is skipped when Sphinx is not installed (``pip install -e
   '.[docs]'``).

In addition, ``errors.rst`` must hold a tested example of every error code
the implementation can raise, and ``diagnostics.rst`` one of every code the
static checks report.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import qualitykpi as qk
from qualitykpi.diagnostics import CODES

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.glob("*.rst"))

_DIRECTIVE = re.compile(r"^(?P<indent>[ ]*)\.\. code-block::[ ]*(?P<lang>\S+)[ ]*$")
_OPTION = re.compile(r"^[ ]+:[\w-]+:")
_EXPECT = re.compile(r"^\.\. expect:[ ]*(?P<kind>[\w-]+(?:[ ]+pass)?)(?P<rest>.*)$")
_SCHEME = re.compile(r"^(?:scheme|方案)[ \u3000]*[\"“]")
# The languages of a rule snippet: ``qualitykpi`` (highlighted by qualitykpi's
# Pygments lexer) or plain ``text``.
RULE_LANGUAGES = frozenset({"qualitykpi", "text"})


class Block:
    """A ``code-block`` of a page: its language, text and what follows it."""

    def __init__(self, page: Path, line: int, language: str, text: str, after: str | None):
        self.page = page
        self.line = line  # the rst line of the block's first line of code
        self.language = language
        self.text = text
        self.after = after  # the first non-blank line after the block

    @property
    def where(self) -> str:
        return f"{self.page.name}:{self.line}"

    @property
    def is_rule(self) -> bool:
        first = next((line for line in self.text.splitlines() if line.strip()), "")
        return self.language in RULE_LANGUAGES and bool(_SCHEME.match(first.strip()))


def _docs_environment() -> qk.Environment:
    """Rule snippets load as a host program would: with the efficacy scorer of
    examples/efficacy.py registered (the extension pages use it), and nothing
    else — an unregistered name is still an error."""
    import runpy

    host = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples" / "efficacy.py"))
    environment: qk.Environment = host["ENVIRONMENT"]
    return environment


DOCS_ENV = _docs_environment()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def indented_body(lines: list[str], index: int, outer: int) -> tuple[int, str, int]:
    """The text indented deeper than ``outer`` from ``lines[index]`` on, dedented:
    (its first line number, the text, the index after it); (0, "", …) when empty."""
    body: list[tuple[int, str]] = []
    while index < len(lines):
        line = lines[index]
        if line.strip() and _indent(line) <= outer:
            break
        body.append((index + 1, line))
        index += 1
    while body and not body[-1][1].strip():
        body.pop()
    while body and not body[0][1].strip():
        body.pop(0)
    if not body:
        return 0, "", index
    depth = min(_indent(line) for _, line in body if line.strip())
    return body[0][0], "\n".join(line[depth:] for _, line in body) + "\n", index


def code_blocks(page: Path) -> list[Block]:
    """Every ``.. code-block::`` of ``page``, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        index += 1
        if match is None:
            continue
        outer = len(match["indent"])
        while index < len(lines) and _OPTION.match(lines[index]) and _indent(lines[index]) > outer:
            index += 1
        first, text, index = indented_body(lines, index, outer)
        if not text:
            continue
        after_index = index
        while after_index < len(lines) and not lines[after_index].strip():
            after_index += 1
        after = lines[after_index].strip() if after_index < len(lines) else None
        blocks.append(Block(page, first, match["lang"], text, after))
    return blocks


ALL_BLOCKS = [block for page in PAGES for block in code_blocks(page)]
RULE_BLOCKS = [block for block in ALL_BLOCKS if block.is_rule]
PYTHON_PAGES = sorted({block.page for block in ALL_BLOCKS if block.language == "python"})


def expectation(block: Block) -> tuple[str, list[str]]:
    """The ``.. expect:`` comment after ``block``, as (kind, arguments)."""
    match = _EXPECT.match(block.after or "")
    if match is None:
        pytest.fail(
            f"{block.where}: this rule snippet has no expectation; follow the block with "
            "an rst comment such as `.. expect: examples pass` (see tests/test_docs.py)"
        )
    return match["kind"], shlex.split(match["rest"])


def _describe(outcome: qk.ExampleOutcome, block: Block) -> str:
    line = block.line + outcome.line - 1
    errors = "".join(f"\n    {error}" for error in outcome.errors)
    trace = "".join(f"\n    | {text}" for text in outcome.trace.splitlines())
    return (
        f"{block.page.name}:{line}: {outcome.text}: expected {outcome.expected}, "
        f"got {outcome.actual}{errors}{trace}"
    )


@pytest.mark.parametrize("block", RULE_BLOCKS, ids=[block.where for block in RULE_BLOCKS])
def test_rule_snippet(block: Block) -> None:
    kind, args = expectation(block)
    name = block.where
    if kind == "examples pass":
        assert not args, f"{name}: `examples pass` takes no arguments"
        scheme = DOCS_ENV.loads(block.text, name=name)
        outcomes = scheme.run_examples()
        assert outcomes, f"{name}: `examples pass`, but the snippet has no example lines"
        failures = [_describe(outcome, block) for outcome in outcomes if not outcome.passed]
        assert not failures, "\n".join(failures)
    elif kind == "error":
        assert args, f"{name}: `.. expect: error` needs the error codes"
        with pytest.raises(qk.RuleError) as caught:
            DOCS_ENV.loads(block.text, name=name)
        codes = {error.code for error in caught.value.errors}
        assert codes == set(args), f"{name}: expected codes {sorted(args)}\n{caught.value}"
    elif kind == "syntax-error":
        with pytest.raises(qk.RuleSyntaxError) as caught:
            DOCS_ENV.loads(block.text, name=name)
        for text in args:
            assert text in caught.value.message, f"{name}: {text!r} not in {caught.value}"
    elif kind == "data-errors":
        scheme = DOCS_ENV.loads(block.text, name=name)
        outcomes = scheme.run_examples()
        assert outcomes, f"{name}: `data-errors`, but the snippet has no example lines"
        for outcome in outcomes:
            assert not outcome.passed and outcome.errors, (
                f"{name}: this example was expected to fail with a data error:\n"
                + _describe(outcome, block)
            )
        messages = [str(error) for outcome in outcomes for error in outcome.errors]
        for text in args:
            assert any(text in message for message in messages), (
                f"{name}: no data error mentions {text!r}:\n" + "\n".join(messages)
            )
    elif kind == "diagnostics":
        diagnostics = DOCS_ENV.check_text(block.text, name=name)
        codes = sorted(diagnostic.code for diagnostic in diagnostics)
        assert codes == sorted(args), (
            f"{name}: expected diagnostics {sorted(args)}, got:\n"
            + "\n".join(str(diagnostic) for diagnostic in diagnostics)
        )
        if "error" not in {diagnostic.severity for diagnostic in diagnostics}:
            outcomes = DOCS_ENV.loads(block.text, name=name).run_examples()
            failures = [_describe(outcome, block) for outcome in outcomes if not outcome.passed]
            assert not failures, "\n".join(failures)
    else:
        pytest.fail(f"{name}: unknown expectation {kind!r}")


def test_every_expectation_follows_a_rule_snippet() -> None:
    """A stray ``.. expect:`` (say, after a block that lost its ``scheme``) is a mistake."""
    claimed = {(block.page, block.after) for block in RULE_BLOCKS}
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        count = sum(1 for line in lines if line.strip().startswith(".. expect:"))
        owned = sum(
            1 for block in RULE_BLOCKS if block.page == page and _EXPECT.match(block.after or "")
        )
        assert count == owned, (
            f"{page.name}: {count} `.. expect:` comments, but only {owned} follow a rule snippet"
        )
    assert claimed  # the collector found something at all


def test_the_language_reference_is_executed() -> None:
    """Guard the collector: the reference is made of runnable snippets."""
    language = [block for block in RULE_BLOCKS if block.page.name == "language.rst"]
    assert len(language) >= 30
    assert all(expectation(block)[0] for block in language)


def _source_error_codes() -> set[str]:
    """Every semantic error code the implementation passes to ``error(...)``."""
    package = Path(qk.__file__).resolve().parent
    codes: set[str] = set()
    for module in package.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        codes.update(re.findall(r"\berror\(\s*\"([a-z]+(?:-[a-z]+)*)\"", text))
    return codes


def test_every_error_code_has_a_tested_example() -> None:
    codes = _source_error_codes()
    assert {"undefined-input", "misplaced", "duplicate-total"} <= codes
    tested: set[str] = set()
    for block in RULE_BLOCKS:
        if block.page.name != "errors.rst":
            continue
        kind, args = expectation(block)
        if kind == "error":
            tested.update(args)
        elif kind == "syntax-error":
            tested.add("syntax")
    missing = sorted((codes | {"syntax"}) - tested)
    assert not missing, f"errors.rst has no `.. expect: error CODE` example of: {missing}"
    page = (DOCS / "errors.rst").read_text(encoding="utf-8")
    for code in sorted(codes):
        assert f"``{code}``" in page, f"errors.rst does not describe ``{code}``"


def test_every_diagnostic_code_has_a_tested_example() -> None:
    tested: set[str] = set()
    for block in RULE_BLOCKS:
        kind, args = expectation(block)
        if block.page.name == "diagnostics.rst" and kind == "diagnostics":
            tested.update(args)
    missing = sorted(set(CODES) - tested)
    assert not missing, (
        f"diagnostics.rst has no `.. expect: diagnostics CODE` example of: {missing}"
    )
    page = (DOCS / "diagnostics.rst").read_text(encoding="utf-8")
    for code, (severity, _) in CODES.items():
        assert f"``{code}``" in page, f"diagnostics.rst does not describe ``{code}``"
        section = page.split(f"``{code}``\n", 1)[1]
        assert f"**Severity** {severity}." in section.split("\n\n", 2)[1], (
            f"diagnostics.rst: ``{code}`` should state its severity, {severity}"
        )


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=[page.name for page in PYTHON_PAGES])
def test_python_snippets(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for block in code_blocks(page):
        if block.language != "python":
            continue
        # Pad so that tracebacks show the line numbers of the rst page.
        code = compile("\n" * (block.line - 1) + block.text, str(page), "exec")
        exec(code, namespace)


def test_python_page_is_executed() -> None:
    assert DOCS / "python.rst" in PYTHON_PAGES


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    build = pytest.importorskip(
        "sphinx.cmd.build", reason="Sphinx is not installed: pip install -e '.[docs]'"
    )
    status = build.build_main(["-W", "-q", "-b", "html", str(DOCS), str(tmp_path / "html")])
    assert status == 0
