"""LANGUAGE.md §11: the 双台子 质量目标 section, verbatim, scored item by item."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import qualitykpi as qk

LANGUAGE = Path(__file__).resolve().parents[2] / "shared" / "LANGUAGE.md"

# (item name, 甲, 乙, 丙), from the table in §11.
ITEMS = [
    ("制造业产品质量合格率", "10", "7", "0"),
    ("主要农产品质量安全监测合格率", "6", "5.7", "5.4"),
    ("获得市级以上质量激励项目情况", "4", "3", "0"),
    ("省级及以上质量技术基础建设情况", "4", "4", "2"),
    ("水利建设质量情况", "5.1", "4.2", "0"),
    ("旅游市场秩序情况", "5", "3.25", "0"),
]
TOTALS = {"甲": "34.1", "乙": "27.15", "丙": "7.4"}


def test_the_shipped_copy_is_the_brief_verbatim(worked_rule: Path) -> None:
    if not LANGUAGE.exists():
        pytest.skip("the design brief is not beside this checkout")
    brief = LANGUAGE.read_text(encoding="utf-8")
    assert worked_rule.read_text(encoding="utf-8") in brief


@pytest.fixture
def results(worked_rule: Path, worked_rows: list[dict[str, str]]) -> qk.Results:
    return qk.load(worked_rule).score_table(worked_rows)


def test_no_data_errors(results: qk.Results) -> None:
    assert results.errors == ()
    assert [result.entity for result in results] == ["甲", "乙", "丙"]


@pytest.mark.parametrize("entity", ["甲", "乙", "丙"])
def test_section_totals(results: qk.Results, entity: str) -> None:
    result = results[entity]
    assert result["质量目标"].score == Decimal(TOTALS[entity])
    assert result.total == Decimal(TOTALS[entity])
    assert isinstance(result.total, Decimal)
    assert str(result.total) == TOTALS[entity]


@pytest.mark.parametrize(("name", "jia", "yi", "bing"), ITEMS)
def test_item_by_item(results: qk.Results, name: str, jia: str, yi: str, bing: str) -> None:
    for entity, expected in (("甲", jia), ("乙", yi), ("丙", bing)):
        assert results[entity][name].score == Decimal(expected), entity


def test_parts(results: qk.Results) -> None:
    yi = results["乙"]
    assert [str(node.score) for node in yi["主要农产品质量安全监测合格率"].children] == [
        "2.4",
        "2",
        "1.3",
    ]
    assert [str(node.score) for node in yi["旅游市场秩序情况"].children] == ["1", "2.25"]
    bing = results["丙"]
    # 3 − 0.3 × 15 = −1.5, kept at 0 by `floor 0` (扣完为止).
    assert bing["旅游投诉办结率"].score == 0


def test_peer_statistics_are_exact_and_shown(results: qk.Results) -> None:
    assert results.peers["awards"]["mean"] == "3"
    assert results.peers["infra_index"]["mean"] == "0.9"
    explanation = results["乙"].explain()
    assert "peer mean 0.9" in explanation
    assert "peers of awards: mean 3" in explanation


def test_grades_follow_the_national_scale(results: qk.Results) -> None:
    # Only one 35-point section: every total is below 60.
    assert {result.grade for result in results} == {"D"}
    assert all(result.vetoes == () for result in results)


def test_max_is_what_the_tree_can_give(results: qk.Results) -> None:
    assert results["甲"].max == 35


def test_ledger_adds_up_and_names_lines(results: qk.Results) -> None:
    yi = results["乙"]
    ledger = yi.lost_points()
    assert sum(entry.amount for entry in ledger) == yi.max - yi.total == Decimal("7.85")
    assert ledger[0].amount == 3
    assert ledger[0].node_name == "制造业产品质量合格率"
    assert ledger[0].owners == ("第三方机构",)
    assert ledger[0].line == 13
    assert "below target by 1–3 points" in ledger[0].reason


def test_floor_shows_in_the_ledger(results: qk.Results) -> None:
    bing = results["丙"]
    entries = [entry for entry in bing.lost_points() if entry.node_name == "旅游投诉办结率"]
    assert [(entry.kind, entry.amount) for entry in entries] == [
        ("line", Decimal("4.5")),
        ("floor", Decimal("-1.5")),
    ]
    assert sum(entry.amount for entry in bing.lost_points()) == bing.max - bing.total


def test_explain_names_the_deciding_line_and_values(results: qk.Results) -> None:
    text = results["乙"].explain()
    assert "pass_rate = 87.2%" in text
    assert "target 90%: 2.8 points below" in text
    assert "line 13: below target by 1–3 points → deduct 3" in text
    assert "total 27.15 of 35, grade D" in text


def test_the_in_file_example_passes(worked_rule: Path) -> None:
    outcomes = qk.load(worked_rule).run_examples()
    assert [(outcome.passed, outcome.actual) for outcome in outcomes] == [(True, "7")]


def test_score_one_entity_with_explicit_peers(
    worked_rule: Path, worked_rows: list[dict[str, str]]
) -> None:
    scheme = qk.load(worked_rule)
    row = worked_rows[1]
    result = scheme.score(row, peers={"awards": {"mean": "3"}, "infra_index": {"mean": "0.9"}})
    assert result.total == Decimal("27.15")


def test_score_one_entity_without_peers_says_what_is_missing(
    worked_rule: Path, worked_rows: list[dict[str, str]]
) -> None:
    scheme = qk.load(worked_rule)
    with pytest.raises(qk.RuleError) as caught:
        scheme.score(worked_rows[1])
    errors = caught.value.errors
    assert {error.input for error in errors} == {"awards", "infra_index"}
    assert all(isinstance(error, qk.DataError) for error in errors)
    assert "peer mean" in str(caught.value)


class TestExactness:
    """§7 and §11: the sums binary floating point gets wrong."""

    def test_six_times_seventy_percent(self) -> None:
        scheme = qk.loads(
            'scheme "s" { item "w" max 6 { input w: number\n scaled from 0 to 100 } }'
        )
        assert scheme.score({"w": "70"}).total == Decimal("4.2")

    def test_three_minus_point_three_times_three_point_three(self) -> None:
        scheme = qk.loads(
            'scheme "s" { item "r" max 3 { input r: percent\n'
            " each 1% below 100% → deduct 0.3, floor 0 } }"
        )
        assert scheme.score({"r": "96.7"}).total == Decimal("2.01")

    def test_120_percent_of_10_3_is_hit_exactly(self) -> None:
        scheme = qk.loads(
            'scheme "s" { item "a" max 4 { input a: number\n'
            " at least 120% of peer mean → 4\n otherwise → 1 } }"
        )
        assert scheme.score({"a": "12.36"}, peers={"a": {"mean": "10.3"}}).total == 4
        assert scheme.score({"a": "12.35"}, peers={"a": {"mean": "10.3"}}).total == 1

    def test_exactly_94_5_meets_at_least_94_5(self) -> None:
        scheme = qk.loads(
            'scheme "s" { item "v" max 2.5 { input v: percent precision 0.1\n'
            " at least 94.5% → full\n otherwise → deduct 0.1 } }"
        )
        assert scheme.score({"v": "94.5"}).total == Decimal("2.5")
        assert scheme.score({"v": "94.4"}).total == Decimal("2.4")
