"""Error messages a rule author sees: golden files, locations, and fuzzing.

Each ``tests/golden/errors/<case>.rule`` is a small rule file with one
typical mistake; ``<case>.txt`` is exactly ``str(error)`` as
``qualitykpi.loads(text, name="<case>.rule")`` raises it.  Run with
``QK_UPDATE_GOLDEN=1`` to rewrite the ``.txt`` files after a deliberate
change of wording, and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
from qualitykpi import parser_errors
from qualitykpi.source import display_width

GOLDEN = Path(__file__).resolve().parent / "golden" / "errors"
UPDATE = os.environ.get("QK_UPDATE_GOLDEN") == "1"

SYNTAX, SEMANTIC, SEVERAL = qk.RuleSyntaxError, qk.RuleSemanticError, qk.RuleErrors

# case → (exception type, line, column, codes of the errors in line order)
CASES: dict[str, tuple[type[qk.RuleError], int, int, tuple[str, ...]]] = {
    "missing-closing-brace": (SYNTAX, 3, 30, ("syntax",)),
    "extra-closing-brace": (SYNTAX, 8, 5, ("syntax",)),
    "unclosed-grades": (SYNTAX, 3, 3, ("syntax",)),
    "missing-open-brace": (SYNTAX, 2, 27, ("syntax",)),
    "deduct-without-amount": (SYNTAX, 5, 26, ("syntax",)),
    "award-without-amount": (SYNTAX, 4, 11, ("syntax",)),
    "condition-without-outcome": (SYNTAX, 4, 17, ("syntax",)),
    "arrow-without-outcome": (SYNTAX, 5, 16, ("syntax",)),
    "number-alone": (SYNTAX, 4, 7, ("syntax",)),
    "number-before-subject": (SYNTAX, 4, 7, ("syntax",)),
    "comparison-without-arrow": (SYNTAX, 5, 29, ("syntax",)),
    "reversed-range": (SEMANTIC, 5, 5, ("reversed-range",)),
    "reversed-interval": (SEMANTIC, 5, 5, ("reversed-range",)),
    "interval-without-comma": (SYNTAX, 5, 10, ("syntax",)),
    "unclosed-fullwidth-bracket": (SYNTAX, 5, 5, ("syntax",)),
    "misspelt-keyword-in-line": (SYNTAX, 4, 8, ("syntax",)),
    "misspelt-outcome": (SYNTAX, 4, 20, ("syntax",)),
    "misspelt-section": (SYNTAX, 2, 3, ("syntax",)),
    "misspelt-item": (SYNTAX, 3, 5, ("syntax",)),
    "unterminated-string": (SYNTAX, 2, 8, ("syntax",)),
    "mismatched-quotes": (SYNTAX, 2, 8, ("syntax",)),
    "unknown-character": (SYNTAX, 4, 18, ("syntax",)),
    "fullwidth-brace": (SYNTAX, 2, 28, ("syntax",)),
    "invisible-character": (SYNTAX, 4, 13, ("syntax",)),
    "missing-max": (SYNTAX, 2, 21, ("syntax",)),
    "item-without-name": (SYNTAX, 2, 8, ("syntax",)),
    "name-without-quotes": (SYNTAX, 2, 11, ("syntax",)),
    "owner-without-quotes": (SYNTAX, 2, 34, ("syntax",)),
    "error-after-chinese": (SYNTAX, 4, 27, ("syntax",)),
    "text-after-scheme": (SYNTAX, 6, 1, ("syntax",)),
    "input-without-colon": (SYNTAX, 3, 13, ("syntax",)),
    "unknown-input-type": (SYNTAX, 3, 22, ("syntax",)),
    "veto-without-effect": (SYNTAX, 4, 49, ("syntax",)),
    "undefined-input": (SEMANTIC, 6, 17, ("undefined-input",)),
    "duplicate-input": (SEMANTIC, 4, 11, ("duplicate-input",)),
    "duplicate-id": (SEMANTIC, 7, 8, ("duplicate-id",)),
    "percent-with-count": (SEMANTIC, 4, 14, ("percent-literal",)),
    "yes-on-number": (SEMANTIC, 4, 5, ("type-mismatch",)),
    "meets-target-without-target": (SEVERAL, 4, 5, ("no-target", "no-target")),
    "veto-unknown-grade": (SEMANTIC, 4, 53, ("unknown-grade",)),
    "several-errors": (SEVERAL, 4, 5, ("reversed-range", "undefined-input", "percent-literal")),
    "part-in-section": (SEMANTIC, 3, 5, ("misplaced",)),
    "line-without-subject": (SEVERAL, 6, 5, ("ambiguous-subject", "ambiguous-subject")),
}

INTERNALS = ("Token(", "__ANON", "_SEP", "LBRACE", "RBRACE", "$END", "Traceback", "lark")


def load_case(case: str) -> qk.RuleError:
    path = GOLDEN / f"{case}.rule"
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(path.read_text(encoding="utf-8"), name=path.name)
    return caught.value


def assert_no_internals(text: str) -> None:
    for word in INTERNALS:
        assert word not in text, f"{word!r} leaks into the message:\n{text}"


def test_every_golden_file_has_a_case() -> None:
    assert sorted(path.stem for path in GOLDEN.glob("*.rule")) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_text(case: str) -> None:
    text = str(load_case(case))
    expected = GOLDEN / f"{case}.txt"
    if UPDATE:
        expected.write_text(text + "\n", encoding="utf-8")
    assert expected.exists(), f"no golden file; run with QK_UPDATE_GOLDEN=1 to create {expected}"
    assert text + "\n" == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_kind_and_location(case: str) -> None:
    kind, line, column, codes = CASES[case]
    error = load_case(case)
    assert type(error) is kind
    assert isinstance(error, qk.RuleError)
    assert isinstance(error, ValueError)
    assert error.filename == f"{case}.rule"
    assert (error.line, error.column) == (line, column)
    assert tuple(each.code for each in error.errors) == codes
    assert all(isinstance(each, qk.RuleError) for each in error.errors)
    lines = [each.line or 0 for each in error.errors]
    assert lines == sorted(lines)


@pytest.mark.parametrize("case", sorted(CASES))
def test_message_has_no_internals(case: str) -> None:
    error = load_case(case)
    assert_no_internals(str(error))
    for each in error.errors:
        assert_no_internals(each.message)
        # Every error names its place and shows the line with a caret.
        assert str(each).startswith(f"{case}.rule:{each.line}:{each.column}: error: ")
        assert "^" in each.render()


@pytest.mark.parametrize("case", sorted(CASES))
def test_caret_sits_under_the_column(case: str) -> None:
    """The caret sits under the reported column, counting CJK characters as two."""
    error = load_case(case)
    for each in error.errors:
        assert each.source is not None and each.line is not None and each.column is not None
        text = each.source.line_text(each.line)
        snippet = each.render().splitlines()
        shown, carets = snippet[1], snippet[2]
        assert shown.endswith(text.replace("\t", " "))
        gutter = shown.index("| ") + 2
        pad = display_width(text[: each.column - 1])
        assert carets[gutter:].startswith(" " * pad + "^")


def test_caret_under_chinese_text() -> None:
    """On a line with Chinese text the caret sits under the unquoted office name."""
    rendered = str(load_case("owner-without-quotes")).splitlines()
    line, carets = rendered[1], rendered[2]
    # 第三方机构 is five double-width characters: ten carets, starting under 第.
    start = carets.index("^")
    assert carets[start:] == "^" * 10
    prefix = line[: line.index("第三方机构")]
    assert display_width(prefix) == start


def test_unclosed_block_points_at_its_brace() -> None:
    error = load_case("missing-closing-brace")
    assert error.source is not None
    assert error.source.line_text(error.line or 0)[(error.column or 0) - 1] == "{"
    assert "item" in error.message


def test_missing_outcome_points_at_the_end_of_its_line() -> None:
    error = load_case("condition-without-outcome")
    assert error.source is not None
    text = error.source.line_text(error.line or 0)
    assert error.column == len(text.split("#")[0].rstrip()) + 1


def test_several_errors_are_reported_together_in_line_order() -> None:
    error = load_case("several-errors")
    assert isinstance(error, qk.RuleErrors)
    assert [each.line for each in error.errors] == [4, 5, 10]
    assert str(error).endswith("3 errors.")
    assert all(isinstance(each, qk.RuleSemanticError) for each in error.errors)


def test_undefined_input_suggests_the_declared_name() -> None:
    error = load_case("undefined-input")
    assert error.hint == "did you mean `incident`?"


@pytest.mark.parametrize(
    ("band", "code", "message"),
    [
        (
            "B 90–80",
            "reversed-range",
            "the range `90–80` runs backwards: its first number is the larger; write `80–90`",
        ),
        ("B 80–80", "empty-range", "the range `80–80` holds no value; for one value write `= 80`"),
        ("B (80, 80]", "empty-range", "the range `(80, 80]` holds no value"),
    ],
)
def test_grade_ranges_are_checked_like_table_ranges(band: str, code: str, message: str) -> None:
    text = f'scheme "s" {{\n grades {{ A at least 90; {band}; D otherwise }}\n'
    text += ' item "x" max 100 { assessed }\n}'
    with pytest.raises(qk.RuleSemanticError) as caught:
        qk.loads(text, name="grades.rule")
    assert caught.value.code == code
    assert caught.value.message.startswith(message)
    assert (caught.value.line, caught.value.column) == (2, 28)


@pytest.mark.parametrize("label", sorted(parser_errors._MISTAKES))
def test_every_example_of_a_typical_mistake_gets_its_message(label: str) -> None:
    """The parser's table of typical mistakes: each example fails, with its own sentence."""
    template = re.escape(parser_errors._MESSAGES[label]).replace(r"\{kind\}", r"\w+")
    template = template.replace(r"\{\{", r"\{").replace(r"\}\}", r"\}")
    for example in parser_errors._MISTAKES[label]:
        text = example if example.startswith("scheme") else parser_errors._WRAP.format(example)
        with pytest.raises(qk.RuleSyntaxError) as caught:
            qk.loads(text, name="mistake.rule")
        assert re.fullmatch(template, caught.value.message), (example, caught.value.message)


# ------------------------------------------------------------------ fuzzing

VALID = """\
scheme "质量工作考核" {
  total 100
  grades { A at least 90; B at least 80; C at least 60; D otherwise }
  input incident: yes/no
  veto "发生系统性产品质量安全事件" when incident → grade D

  section "质量目标" max 100 owner "区市监局" {
    item q1 "制造业产品质量合格率" max 40 {
      input pass_rate: percent precision 0.1
      target 90%
      meets target → full
      below target by up to 1 points → deduct 1
      below target by 1–3 points → deduct 3
      below target by more than 3 points → deduct 10
      example pass_rate = 87.2% → 37
    }
    item "农产品" max 30 {
      part "蔬菜" max 30 {
        input veg_rate: percent
        at least 94.5% → full
        [92%, 94.4%] → deduct 0.1
        otherwise → 0
      }
    }
    item "投诉" max 20 {
      input complaints: count
      each 1 → deduct 2, at most 20
    }
    item "措施" max 10 {
      input plan: yes/no
      input drills: count
      deduct 5 if not plan
      award 1 for each drills, at most 5
      start at 5
      text "未制定年度工作方案扣5分"
    }
  }
}
"""

TOKEN = re.compile(r'"[^"\n]*"|[^\W\d]\w*|\d+(?:\.\d+)?|\s+|.', re.UNICODE)
PIECES = [
    *'{}[]()→"%:,;\n',
    *("（", "）", "“", "@", "–", "#"),
    *("section", "item", "part", "max", "deduct", "award", "at least", "otherwise", "full"),
    *("input", "target", "meets target", "each", "1", "90%", "yes/no", '"新"', "x"),
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    tokens = TOKEN.findall(VALID)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(tokens) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "char"]))
        if action == "delete":
            del tokens[where]
        elif action == "duplicate":
            tokens.insert(where, tokens[where])
        elif action == "insert":
            tokens.insert(where, draw(st.sampled_from(PIECES)))
        else:
            text = tokens[where]
            at = draw(st.integers(0, len(text)))
            tokens[where] = text[:at] + draw(st.sampled_from(PIECES[:20])) + text[at + 1 :]
    return "".join(tokens)


def test_the_fuzzing_base_is_valid() -> None:
    scheme = qk.loads(VALID, name="valid.rule")
    assert scheme.name == "质量工作考核"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_load_or_raise_a_readable_rule_error(text: str) -> None:
    try:
        qk.loads(text, name="fuzz.rule")
    except qk.RuleError as error:
        rendered = str(error)
        assert_no_internals(rendered)
        assert rendered.startswith("fuzz.rule")
        for each in error.errors:
            assert each.message.strip()
            if isinstance(each, qk.RuleSyntaxError):
                assert each.line is not None and each.column is not None
