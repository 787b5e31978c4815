"""The complete 2016-2017 双台子区 scoring rules in examples/, scored on its cohort.

The cohort (examples/shuangtaizi-2016-2017.csv, invented numbers) is worked
out by hand below, item by item, and the library must agree exactly.

Peer statistics over the six rows (every row counts, the vetoed one too):

    awards:      5 + 8 + 4 + 2 + 0 + 5 = 24, mean 24 / 6 = 4
                 → 120% of it is 4.8, 100% is 4, 50% is 2
    infra_index: 1.2 + 1.5 + 0.9 + 0.3 + 0.6 + 1.5 = 6.0, mean 6.0 / 6 = 1
                 → 100% of it is 1, 50% is 0.5
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import qualitykpi
from conftest import read_csv

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULE = EXAMPLES / "shuangtaizi-2016-2017.rule"
DATA = EXAMPLES / "shuangtaizi-2016-2017.csv"

SECTIONS = ("goals", "measures", "development", "safety", "foundation")


@pytest.fixture(scope="module")
def scheme() -> qualitykpi.Scheme:
    return qualitykpi.load(RULE)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_csv(DATA)


@pytest.fixture(scope="module")
def results(scheme: qualitykpi.Scheme, rows: list[dict[str, str]]) -> qualitykpi.Results:
    return scheme.score_table(rows)


# --------------------------------------------------------------- the rule


def test_loads(scheme: qualitykpi.Scheme) -> None:
    assert scheme.name == "2016-2017年度双台子区政府质量工作专项考核"


def test_every_example_passes(scheme: qualitykpi.Scheme) -> None:
    outcomes = scheme.run_examples()
    assert len(outcomes) >= 40
    for outcome in outcomes:
        assert outcome.passed, (
            f"line {outcome.line}: {outcome.text}\n"
            f"expected {outcome.expected}, got {outcome.actual}\n"
            f"{outcome.trace}\n{outcome.errors}"
        )


def test_maxima(scheme: qualitykpi.Scheme, results: qualitykpi.Results) -> None:
    result = results["双台子区"]
    assert result.max == Decimal("100")
    expected = {
        "goals": ("质量目标", "35"),
        "measures": ("质量措施", "65"),
        "development": ("质量发展", "22"),
        "safety": ("质量安全", "38"),
        "foundation": ("质量基础", "5"),
    }
    for node_id, (name, maximum) in expected.items():
        assert result[node_id].name == name
        assert result[node_id].max == Decimal(maximum), node_id
    assert scheme.scorer.max == 100


def test_children_add_up_everywhere(results: qualitykpi.Results) -> None:
    # The document's own arithmetic: every node's children (items, parts,
    # sections) are worth exactly the node's max, and the sections 100.
    result = results["双台子区"]
    assert sum(node.max for node in result.nodes) == result.max
    for node in result.walk():
        if node.children:
            assert sum(child.max for child in node.children) == node.max, node.id


def test_item_points_follow_the_document(results: qualitykpi.Results) -> None:
    # The points in brackets of clauses 8–35, summed per clause.
    points = {
        "m08": "2", "m09": "1", "m10": "3", "m11": "1", "m12": "2", "m13": "3",
        "m14": "2", "m15": "4", "m16": "1", "m17": "2", "m18": "1",
        "m19": "2", "m20": "0.5", "m21": "1", "m22": "1", "m23": "3", "m24": "6",
        "m25": "5", "m26": "2", "m27": "4", "m28": "4", "m29": "2", "m30": "4",
        "m31": "3.5",
        "m32": "2", "m33": "1", "m34": "1", "m35": "1",
        "g1": "10", "g2": "6", "g3": "4", "g4": "4", "g5": "6", "g6": "5",
    }  # fmt: skip
    result = results["双台子区"]
    for node_id, maximum in points.items():
        assert result[node_id].max == Decimal(maximum), node_id


def test_veto_and_owners(scheme: qualitykpi.Scheme) -> None:
    (veto,) = scheme.scorer.vetoes
    assert veto.name == "发生区域性、系统性产品质量安全事件"
    assert veto.grade == "D"
    assert veto.owners == ("质量强区工作领导小组成员单位",)
    assert "判定为系统性、区域性产品质量安全事件" in veto.text
    assert scheme.node("m25").owners == ("区交警大队", "运管所")
    assert scheme.node("m27_2").owners == ("区市监局", "网络市监部门联席会议其他成员")
    assert scheme.node("g3").owners == (
        "园区管委会", "经信局", "商务局", "住建局", "市监局", "水利总站",
    )  # fmt: skip


# ---------------------------------------------------------------- the data


def test_csv_columns_match_the_rule(scheme: qualitykpi.Scheme, rows: list[dict[str, str]]) -> None:
    header = list(rows[0])
    assert header[0] == "entity"
    assert set(header[1:]) == set(scheme.inputs)
    assert [row["entity"] for row in rows] == [
        "双台子区", "兴隆台区", "大洼区", "盘山县", "辽东湾新区", "高新区",
    ]  # fmt: skip


def test_cohort_scores_without_errors(results: qualitykpi.Results) -> None:
    assert results.errors == ()
    assert len(results) == 6
    assert results.peers["awards"]["mean"] == "4"
    assert results.peers["infra_index"]["mean"] == "1"


def test_ranking(results: qualitykpi.Results) -> None:
    # Totals (质量目标 + 质量措施), worked out below for 双台子区, 盘山县 and
    # 大洼区; the other three the same way:
    #   兴隆台区: 质量目标 10 + 6 + 4 + 4 + 5.7 + 5 = 34.7;
    #            质量措施 21.5 (m10 2.5) + 37.5 (m28 3.5) + 5 = 64;  total 98.7, A
    #   高新区:   质量目标 5 (86.0: 4 below, deduct 5) + 6 + 4 + 4 + 5.4
    #            + 4.7 (2 + 3 − 0.3 × 1) = 29.1;
    #            质量措施 20 (m09 0.5, m12_1 0.5, m15_1 1) + 33.5 (m19 1,
    #            m24_2 1.5, m27_1 1, m28 2) + 5 = 58.5;          total 87.6, B
    #   辽东湾新区: 质量目标 9 (89.0: 1 below, deduct 1) + 5.4 (2.2 + 2 + 1.2)
    #            + 0 (no awards) + 2 + 4.2 + 1.5 (0 campaigns: 2 − 2 = 0;
    #            3 − 0.3 × 5 = 1.5) = 22.1;
    #            质量措施 20 (m11 0.5, m16 0, m18 0.5) + 34 (m21 0.5, m22 0.5,
    #            m25_1 0, m25_4 0.5, m29 1, m30_2 1.5) + 4.5 (m34 0.5) = 58.5;
    #                                                            total 80.6, B
    # The ranking is by grade, then by total: the vetoed 大洼区 keeps its 89.6
    # but, in grade D, ranks below 盘山县 (69.35, grade C).
    ranking = [(rank, result.entity, result.total) for rank, result in results.ranking()]
    assert ranking == [
        (1, "兴隆台区", Decimal("98.7")),
        (2, "双台子区", Decimal("95.58")),
        (3, "高新区", Decimal("87.6")),
        (4, "辽东湾新区", Decimal("80.6")),
        (5, "盘山县", Decimal("69.35")),
        (6, "大洼区", Decimal("89.6")),
    ]
    grades = {result.entity: result.grade for result in results}
    assert grades == {
        "双台子区": "A",
        "兴隆台区": "A",
        "大洼区": "D",
        "盘山县": "C",
        "辽东湾新区": "B",
        "高新区": "B",
    }


def _sections(result: qualitykpi.Result) -> dict[str, Decimal]:
    return {node_id: result[node_id].score for node_id in SECTIONS}


def test_shuangtaizi_by_hand(results: qualitykpi.Results) -> None:
    # 双台子区: pass_rate 91.2, veg 94.5, livestock 98.6, aquatic 93.2,
    # awards 5, infra_index 1.2, water_score 88, campaigns 2, resolution 98.5.
    #
    # 质量目标
    #   g1  91.2 ≥ target 90                                   → 10
    #   g2  蔬菜 94.5 ≥ 94.5 → 2.5; 畜禽 98.6 ≥ 98 → 2;
    #       水产品 93.2 ≥ 93 → 1.5 (the full line comes before the
    #       overlapping 90–93.4 band)       2.5 + 2 + 1.5        → 6
    #   g3  awards 5 ≥ 4.8 (120% of mean 4)                    → 4
    #   g4  infra_index 1.2 ≥ 1 (100% of mean 1)               → 4
    #   g5  6 × 88 / 100                                       → 5.28
    #   g6  campaigns 2 ≥ 2 → 2; 3 − 0.3 × (100 − 98.5)
    #       = 3 − 0.45 = 2.55                 2 + 2.55         → 4.55
    #   质量目标 = 10 + 6 + 4 + 4 + 5.28 + 4.55 = 33.83
    #
    # 质量措施 (assessed; only the parts below their max are listed)
    #   质量发展 22 − m08_2 0.5 (0.5 of 1) − m17 0.5 (1.5 of 2)  = 21
    #   质量安全 38 − m23 1 (2 of 3) − m25_3 0.5 (1.5 of 2)
    #              − m31_2 0.25 (0.25 of 0.5)                    = 36.25
    #   质量基础 5 − m32 0.5 (1.5 of 2)                          = 4.5
    #   质量措施 = 21 + 36.25 + 4.5 = 61.75
    #
    # total = 33.83 + 61.75 = 95.58 ≥ 90 → A
    result = results["双台子区"]
    assert result["g1"].score == Decimal("10")
    assert result["g2"].score == Decimal("6")
    assert result["g2_aquatic"].score == Decimal("1.5")
    assert result["g3"].score == Decimal("4")
    assert result["g4"].score == Decimal("4")
    assert result["g5"].score == Decimal("5.28")
    assert result["g6"].score == Decimal("4.55")
    assert result["m31"].score == Decimal("3.25")
    assert _sections(result) == {
        "goals": Decimal("33.83"),
        "measures": Decimal("61.75"),
        "development": Decimal("21"),
        "safety": Decimal("36.25"),
        "foundation": Decimal("4.5"),
    }
    assert result.total == Decimal("95.58")
    assert result.grade == "A"
    assert result.vetoes == ()
    assert sum(entry.amount for entry in result.lost_points()) == Decimal("4.42")


def test_panshan_by_hand_every_kind_of_line(results: qualitykpi.Results) -> None:
    # 盘山县 exercises every kind of rule: pass_rate 84.0, veg 91.5,
    # livestock 98.3, aquatic 87.5, awards 2, infra_index 0.3,
    # water_score 62.5, campaigns 1, resolution 88.0.
    #
    # 质量目标
    #   g1  tiers below target: 90 − 84.0 = 6, in (5, 10] → deduct 6
    #                                          10 − 6        → 4
    #   g2  bands: 蔬菜 91.5 in [90, 91.9] → 2.5 − 0.2 = 2.3;
    #       畜禽 98.3 ≥ 98 → 2; 水产品 87.5 in [85, 89.9] → 1.5 − 0.2 = 1.3
    #                                 2.3 + 2 + 1.3          → 5.6
    #   g3  peer: awards 2 < 4.8, < 4, ≥ 2 (50% of mean 4)   → 2
    #   g4  peer: infra_index 0.3 < 1, < 0.5 → otherwise     → 1
    #   g5  scaled: 6 × 62.5 / 100                           → 3.75
    #   g6  per unit: campaigns 1 → 2 − 1 × (2 − 1) = 1;
    #       per unit with floor: 3 − 0.3 × (100 − 88.0)
    #       = 3 − 3.6 = −0.6 → floor 0 → 0        1 + 0      → 1
    #   质量目标 = 4 + 5.6 + 2 + 1 + 3.75 + 1 = 17.35
    #
    # 质量措施 (assessed)
    #   质量发展 m08 0.5 + 1, m09 1, m10 2, m11 1, m12 1 + 1, m13 3,
    #            m14 1.5, m15 2 + 1, m16 1, m17 1, m18 1
    #          = 1.5 + 1 + 2 + 1 + 2 + 3 + 1.5 + 3 + 1 + 1 + 1 = 18
    #   质量安全 m19 1.5, m20 0, m21 1, m22 1, m23 1.5, m24 3 + 2,
    #            m25 1 + 0 + 2 + 1, m26 2, m27 2 + 1.5, m28 3, m29 2,
    #            m30 1.5 + 2, m31 2 + 0.5
    #          = 1.5 + 0 + 1 + 1 + 1.5 + 5 + 4 + 2 + 3.5 + 3 + 2 + 3.5 + 2.5
    #          = 30.5
    #   质量基础 m32 2 + m33 0.5 + m34 1 + m35 0 = 3.5
    #   质量措施 = 18 + 30.5 + 3.5 = 52
    #
    # total = 17.35 + 52 = 69.35, in [60, 80) → C
    result = results["盘山县"]
    assert result["g1"].score == Decimal("4")
    assert result["g2_veg"].score == Decimal("2.3")
    assert result["g2_aquatic"].score == Decimal("1.3")
    assert result["g2"].score == Decimal("5.6")
    assert result["g3"].score == Decimal("2")
    assert result["g4"].score == Decimal("1")
    assert result["g5"].score == Decimal("3.75")
    assert result["g6_campaigns"].score == Decimal("1")
    assert result["g6_complaints"].score == Decimal("0")
    assert result["g6"].score == Decimal("1")
    assert _sections(result) == {
        "goals": Decimal("17.35"),
        "measures": Decimal("52"),
        "development": Decimal("18"),
        "safety": Decimal("30.5"),
        "foundation": Decimal("3.5"),
    }
    assert result.total == Decimal("69.35")
    assert result.grade == "C"
    # The floor gives back the 0.6 the per-unit line over-deducted.
    kinds = {step.kind for node in result.walk() for step in node.steps}
    assert {"line", "floor", "assessed"} <= kinds
    complaints = [step.amount for step in result["g6_complaints"].steps if step.amount]
    assert complaints == [Decimal("3.6"), Decimal("-0.6")]
    # The ledger adds up to what was lost: 100 − 69.35.
    assert sum(entry.amount for entry in result.lost_points()) == Decimal("30.65")


def test_dawa_by_hand_vetoed(results: qualitykpi.Results) -> None:
    # 大洼区 reported a systemic incident (systemic_incident = yes):
    # pass_rate 88.5, veg 93.1, livestock 98.0, aquatic 91.0, awards 4,
    # infra_index 0.9, water_score 80, campaigns 2, resolution 100.
    #
    # 质量目标
    #   g1  90 − 88.5 = 1.5, in (1, 3] → deduct 3      10 − 3 → 7
    #   g2  蔬菜 93.1 in [92, 94.4] → 2.4; 畜禽 98.0 ≥ 98 → 2;
    #       水产品 91.0 in [90, 93.4] → 1.4   2.4 + 2 + 1.4  → 5.8
    #   g3  awards 4 < 4.8, ≥ 4 (100% of mean 4)             → 3
    #   g4  infra_index 0.9 < 1, ≥ 0.5                       → 2
    #   g5  6 × 80 / 100                                     → 4.8
    #   g6  2 campaigns → 2; 100% resolved → 3               → 5
    #   质量目标 = 7 + 5.8 + 3 + 2 + 4.8 + 5 = 27.6
    #
    # 质量措施 (assessed)
    #   质量发展 22 − m13 1 (2 of 3)                           = 21
    #   质量安全 38 − m24_1 1.5 (2.5 of 4) − m26 0.5 (1.5 of 2) = 36
    #   质量基础 5                                             = 5
    #   质量措施 = 21 + 36 + 5 = 62
    #
    # total = 27.6 + 62 = 89.6: B on the scale (80 ≤ 89.6 < 90), but the
    # veto forces grade D and keeps the score.
    result = results["大洼区"]
    assert result["g1"].score == Decimal("7")
    assert result["g2"].score == Decimal("5.8")
    assert result["g3"].score == Decimal("3")
    assert result["g4"].score == Decimal("2")
    assert result["g5"].score == Decimal("4.8")
    assert result["g6"].score == Decimal("5")
    assert _sections(result) == {
        "goals": Decimal("27.6"),
        "measures": Decimal("62"),
        "development": Decimal("21"),
        "safety": Decimal("36"),
        "foundation": Decimal("5"),
    }
    assert result.total == Decimal("89.6")
    assert result.grade == "D"
    assert [veto.name for veto in result.vetoes] == ["发生区域性、系统性产品质量安全事件"]
    assert result.vetoes[0].owners == ("质量强区工作领导小组成员单位",)
    # Nobody else is vetoed.
    assert [r.entity for r in results if r.vetoes] == ["大洼区"]


def test_livestock_gap_is_a_data_error(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]]
) -> None:
    # The source has no rule for 畜禽产品 below 98%: such a row cannot be
    # scored, the error names the entity, and the other rows still score.
    changed = [dict(row) for row in rows]
    changed[0]["livestock_rate"] = "97.5"
    results = scheme.score_table(changed)
    assert "双台子区" not in results
    assert len(results) == 5
    (error,) = results.errors
    assert error.entity == "双台子区"
    assert "畜禽产品" in str(error)
