"""The 2021 Henan provincial quality-work assessment in examples/, scored on its cohort.

examples/henan-2021.rule encodes the responsibility table (附件1) of
平质强办〔2022〕1号: 5 areas, 17 key points, 63 assessed lines, the five
质量安全 deductions and the veto.  The cohort (examples/henan-2021.csv,
invented numbers) holds 12 省辖市, 济源示范区 and 巩义市; three of them are
worked out by hand below, line by line, and the library must agree exactly.
Every assessed value not mentioned in a hand-worked comment is the line's
full points.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import qualitykpi
from conftest import read_csv

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULE = EXAMPLES / "henan-2021.rule"
DATA = EXAMPLES / "henan-2021.csv"

AREAS = {
    "a1": ("质量水平状况", "30"),
    "a2": ("质量政策体系", "14"),
    "a3": ("质量安全监管", "29.5"),
    "a4": ("质量促进措施", "16"),
    "a5": ("质量基础设施", "10.5"),
}

KEY_POINTS = {
    "k1": ("质量发展", "30"),
    "k2": ("质量安全", "0"),
    "k3": ("建立质量工作领导机制", "2"),
    "k4": ("加强质量工作统筹规划", "1"),
    "k5": ("完善质量工作制度", "11"),
    "k6": ("加强质量安全风险管理", "7.5"),
    "k7": ("加大质量监管力度", "11"),
    "k8": ("严厉打击质量违法行为", "11"),
    "k9": ("部署开展质量提升行动", "5.5"),
    "k10": ("取得质量工作突出成效", "2"),
    "k11": ("加强质量工作保障", "3"),
    "k12": ("推进质量社会共治", "5.5"),
    "k13": ("加强质量基础设施协同服务", "3"),
    "k14": ("加强计量能力建设", "1.5"),
    "k15": ("推进标准化工作", "2.5"),
    "k16": ("深化检验检测改革", "1.5"),
    "k17": ("提升质量认证效能", "2"),
}

# The points of every line of 具体内容, as the table gives them.
POINTS = {
    "k1_1": "5", "k1_2": "4", "k1_3": "2", "k1_4": "2", "k1_5": "1",
    "k1_6": "5", "k1_7": "2", "k1_8": "3", "k1_9": "3", "k1_10": "3",
    "k3_1": "2", "k4_1": "1",
    "k5_1": "1", "k5_2": "1", "k5_3": "0.5", "k5_4": "1", "k5_5": "4.5",
    "k5_6": "1", "k5_7": "1", "k5_8": "1",
    "k6_1": "0.5", "k6_2": "3", "k6_3": "0.5", "k6_4": "3.5",
    "k7_1": "1", "k7_2": "2", "k7_3": "1", "k7_4": "1", "k7_5": "2", "k7_6": "2",
    "k7_7": "1", "k7_8": "1",
    "k8_1": "2", "k8_2": "2", "k8_3": "4", "k8_4": "3",
    "k9_1": "1", "k9_2": "1.5", "k9_3": "2", "k9_4": "1",
    "k10_1": "1", "k10_2": "1",
    "k11_1": "1", "k11_2": "1", "k11_3": "1",
    "k12_1": "2", "k12_2": "1.5", "k12_3": "1.5", "k12_4": "0.5",
    "k13_1": "2", "k13_2": "1",
    "k14_1": "0.5", "k14_2": "0.5", "k14_3": "0.5",
    "k15_1": "0.5", "k15_2": "1", "k15_3": "1",
    "k16_1": "1.5",
    "k17_1": "0.5", "k17_2": "0.2", "k17_3": "0.7", "k17_4": "0.3", "k17_5": "0.3",
}  # fmt: skip

# The deduction-only lines of （二）质量安全 and their caps.
DEDUCTIONS = {"k2_1": "2", "k2_2": "1", "k2_3": "1", "k2_4": "1", "k2_5": "1"}

INPUTS = (
    "systemic_incident",
    "major_incidents",
    "special_equipment_accident",
    "farm_produce_accident",
    "tourism_incident",
    "construction_accident",
)


@pytest.fixture(scope="module")
def scheme() -> qualitykpi.Scheme:
    return qualitykpi.load(RULE)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_csv(DATA)


@pytest.fixture(scope="module")
def results(scheme: qualitykpi.Scheme, rows: list[dict[str, str]]) -> qualitykpi.Results:
    return scheme.score_table(rows, entity="entity")


def _areas(result: qualitykpi.Result) -> dict[str, Decimal]:
    return {area: result[area].score for area in AREAS}


# --------------------------------------------------------------- the rule


def test_loads(scheme: qualitykpi.Scheme) -> None:
    assert scheme.name == "河南省2021年度政府质量工作考核"


def test_every_example_passes(scheme: qualitykpi.Scheme) -> None:
    outcomes = scheme.run_examples()
    assert len(outcomes) >= 26
    for outcome in outcomes:
        assert outcome.passed, (
            f"line {outcome.line}: {outcome.text}\n"
            f"expected {outcome.expected}, got {outcome.actual}\n"
            f"{outcome.trace}\n{outcome.errors}"
        )


def test_area_and_key_point_maxima(scheme: qualitykpi.Scheme, results: qualitykpi.Results) -> None:
    result = results["郑州市"]
    assert result.max == Decimal("100")
    assert scheme.scorer.max == 100
    assert [node.id for node in result.nodes] == list(AREAS)
    for node_id, (name, maximum) in {**AREAS, **KEY_POINTS}.items():
        assert result[node_id].name == name, node_id
        assert result[node_id].max == Decimal(maximum), node_id
    # 30 + 14 + 29.5 + 16 + 10.5 = 100
    assert sum(Decimal(maximum) for _, maximum in AREAS.values()) == Decimal("100")
    # The 17 key points, numbered straight through the five areas.
    key_points = [node.id for area in result.nodes for node in area.children]
    assert key_points == [f"k{n}" for n in range(1, 18)]


def test_children_add_up_everywhere(results: qualitykpi.Results) -> None:
    # The document's own arithmetic: every node's children are worth exactly
    # its max (（二）质量安全 and its group are worth 0, its lines 0 each).
    result = results["郑州市"]
    assert sum(node.max for node in result.nodes) == result.max
    for node in result.walk():
        if node.children:
            assert sum(child.max for child in node.children) == node.max, node.id


def test_item_points_follow_the_document(results: qualitykpi.Results) -> None:
    result = results["郑州市"]
    items = {node.id: node for node in result.walk() if node.kind == "item"}
    assert len(items) == 63 + 5
    for node_id, maximum in POINTS.items():
        assert items[node_id].max == Decimal(maximum), node_id
    for node_id, cap in DEDUCTIONS.items():
        assert items[node_id].max == 0, node_id
        assert items[node_id].minimum == -Decimal(cap), node_id
    assert set(items) == set(POINTS) | set(DEDUCTIONS)
    # （二）质量安全 can take at most 2 + 1 + 1 + 1 + 1 = 6 from the area.
    assert result["k2"].minimum == Decimal("-6")


def test_owners_follow_the_table(scheme: qualitykpi.Scheme) -> None:
    # Empty 评价部门 cells continue the office above (merged cells).
    assert scheme.node("k1_2").owners == ("市场监督管理局",)
    assert scheme.node("k2_2").owners == ("市场监督管理局",)
    assert scheme.node("k5_3").owners == ("农业农村局",)
    assert scheme.node("k6_1").owners == ("市场监督管理局",)
    assert scheme.node("k7_3").owners == ("农业农村局",)
    assert scheme.node("k12_1").owners == ("市场监督管理局",)
    # "平顶山海关 商务局": two offices.
    assert scheme.node("k6_4").owners == ("平顶山海关", "商务局")
    # 五、质量基础设施 is all 市场监督管理局's, inherited from the area.
    assert scheme.node("k17_5").owners == ("市场监督管理局",)
    # The 13 市直单位 of the notice, and no other.
    owners = {owner for node in scheme.scorer.walk() for owner in node.owners}
    assert owners == {
        "市场监督管理局", "农业农村局", "交通运输局", "无线电管理局", "水利局",
        "文化广电和旅游局", "卫生健康委员会", "住房和城乡建设局", "平顶山海关",
        "商务局", "公安局", "工业和信息化局", "教育体育局",
    }  # fmt: skip
    (veto,) = scheme.scorer.vetoes
    assert veto.name == "发生区域性、系统性产品质量安全事件"
    assert veto.grade == "D"
    assert veto.owners == ("市场监督管理局",)
    assert "判定为系统性、区域性产品质量安全事件" in veto.text


# ---------------------------------------------------------------- the data


def test_csv_columns_match_the_rule(scheme: qualitykpi.Scheme, rows: list[dict[str, str]]) -> None:
    header = list(rows[0])
    assert header[0] == "entity"
    assert header[1:] == [*INPUTS, *POINTS]
    assert set(header[1:]) == set(scheme.inputs)
    assert [row["entity"] for row in rows] == [
        "郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "鹤壁市", "新乡市",
        "焦作市", "濮阳市", "许昌市", "漯河市", "三门峡市", "济源示范区", "巩义市",
    ]  # fmt: skip
    for row in rows:
        for node_id, maximum in POINTS.items():
            assert Decimal(0) <= Decimal(row[node_id]) <= Decimal(maximum), (row["entity"], node_id)


def test_cohort_scores_without_errors(results: qualitykpi.Results) -> None:
    assert results.errors == ()
    assert len(results) == 14


def test_pingdingshan_by_hand(results: qualitykpi.Results) -> None:
    # 平顶山市: one major product-or-service quality event, nothing else.
    #
    # 一 质量水平状况
    #   产品质量 k1_1 4.2 + k1_2 3.1 + 2 + 2 + 1                 = 12.3
    #   工程质量 k1_6 4.5 + 2                                    = 6.5
    #   服务质量 k1_8 2.4 + 3 + 3                                = 8.4
    #   （一）质量发展 12.3 + 6.5 + 8.4                           = 27.2
    #   （二）质量安全 k2_1 1 event × 1 = −1 (under its cap 2)    = −1
    #   area 27.2 − 1                                           = 26.2
    # 二 质量政策体系
    #   （三）2 + （四）1 + （五）1 + 1 + 0.5 + 1 + k5_5 3.5 + 1 + 1 + 1 = 10
    #   area 2 + 1 + 10                                         = 13
    # 三 质量安全监管
    #   （六）0.5 + 3 + 0.5 + k6_4 2                              = 6
    #   （七）1 + 2 + 1 + 1 + 2 + k7_6 1 + 1 + 1                  = 10
    #   （八）2 + 2 + k8_3 3 + 3                                  = 10
    #   area 6 + 10 + 10                                        = 26
    # 四 质量促进措施
    #   （九）1 + k9_2 1 + 2 + 1                                  = 5
    #   （十）k10_1 0 + k10_2 0                                   = 0
    #   （十一）1 + 1 + 1                                         = 3
    #   （十二）k12_1 1.5 + 1.5 + 1.5 + 0.5                        = 5
    #   area 5 + 0 + 3 + 5                                      = 13
    # 五 质量基础设施
    #   （十三）3 + （十四）1.5 + （十五）0.5 + k15_2 0.5 + 1 = 2
    #   + （十六）1.5 + （十七）0.5 + k17_2 0.1 + k17_3 0.35 + 0.3 + 0.3 = 1.55
    #   area 3 + 1.5 + 2 + 1.5 + 1.55                           = 9.55
    #
    # total 26.2 + 13 + 26 + 13 + 9.55 = 87.75, in [80, 90) → B
    result = results["平顶山市"]
    assert result["k1_product"].score == Decimal("12.3")
    assert result["k1_engineering"].score == Decimal("6.5")
    assert result["k1_service"].score == Decimal("8.4")
    assert result["k1"].score == Decimal("27.2")
    assert result["k2_1"].score == Decimal("-1")
    assert result["k2"].score == Decimal("-1")
    assert result["k10"].score == Decimal("0")
    assert result["k17"].score == Decimal("1.55")
    assert _areas(result) == {
        "a1": Decimal("26.2"),
        "a2": Decimal("13"),
        "a3": Decimal("26"),
        "a4": Decimal("13"),
        "a5": Decimal("9.55"),
    }
    assert result.total == Decimal("87.75")
    assert result.grade == "B"
    assert result.vetoes == ()
    # 100 − 87.75 = 12.25 lost, every point to a line and its office.
    ledger = result.lost_points()
    assert sum(entry.amount for entry in ledger) == Decimal("12.25")
    (incident,) = [entry for entry in ledger if entry.node_id == "k2_1"]
    assert incident.amount == Decimal("1")
    assert incident.owners == ("市场监督管理局",)


def test_anyang_by_hand_every_deduction_capped(results: qualitykpi.Results) -> None:
    # 安阳市: three major product-or-service quality events, and each of the
    # four "最高扣1分" accidents/events (special_equipment_accident,
    # farm_produce_accident, tourism_incident, construction_accident = yes).
    #
    # 一 质量水平状况
    #   产品质量 k1_1 4 + 4 + k1_3 1.5 + 2 + 1                   = 12.5
    #   工程质量 5 + 2                                           = 7
    #   服务质量 3 + k1_9 2.2 + 3                                = 8.2
    #   （一）质量发展 12.5 + 7 + 8.2                             = 27.7
    #   （二）质量安全 k2_1 3 events × 1 = 3, capped at 2          = −2
    #                k2_2, k2_3, k2_4, k2_5 −1 each (each at cap) = −4
    #                −2 − 4                                     = −6
    #   area 27.7 − 6                                           = 21.7
    # 二 质量政策体系
    #   （三）k3_1 1 + （四）1 + （五）1 + 1 + 0.5 + 1 + k5_5 3 + 1 + 1 + 1 = 9.5
    #   area 1 + 1 + 9.5                                        = 11.5
    # 三 质量安全监管
    #   （六）0.5 + k6_2 1.5 + 0.5 + 3.5                          = 6
    #   （七）1 + k7_2 1 + 1 + 1 + k7_5 1.5 + 2 + 1 + 1           = 9.5
    #   （八）k8_1 1.5 + 2 + k8_3 2 + k8_4 2                      = 7.5
    #   area 6 + 9.5 + 7.5                                      = 23
    # 四 质量促进措施
    #   （九）1 + 1.5 + k9_3 1 + 1                                = 4.5
    #   （十）k10_1 0 + k10_2 0                                   = 0
    #   （十一）k11_1 0 + 1 + 1                                   = 2
    #   （十二）2 + 1.5 + 1.5 + k12_4 0.2                          = 5.2
    #   area 4.5 + 0 + 2 + 5.2                                  = 11.7
    # 五 质量基础设施
    #   （十三）k13_1 1 + 1 = 2 + （十四）1.5 + （十五）2.5
    #   + （十六）k16_1 1 + （十七）2                               = 9
    #
    # total 21.7 + 11.5 + 23 + 11.7 + 9 = 76.9, in [60, 80) → C
    result = results["安阳市"]
    assert result["k1"].score == Decimal("27.7")
    deductions = {node_id: result[node_id].score for node_id in DEDUCTIONS}
    assert deductions == {
        "k2_1": Decimal("-2"),
        "k2_2": Decimal("-1"),
        "k2_3": Decimal("-1"),
        "k2_4": Decimal("-1"),
        "k2_5": Decimal("-1"),
    }
    assert result["k2_events"].score == Decimal("-6")
    assert result["k2"].score == Decimal("-6")
    assert _areas(result) == {
        "a1": Decimal("21.7"),
        "a2": Decimal("11.5"),
        "a3": Decimal("23"),
        "a4": Decimal("11.7"),
        "a5": Decimal("9"),
    }
    assert result.total == Decimal("76.9")
    assert result.grade == "C"
    assert result.vetoes == ()
    # The ledger: k2_1's clause takes 3 and the cap gives 1 back.
    k2_1 = sorted(entry.amount for entry in result.lost_points() if entry.node_id == "k2_1")
    assert k2_1 == [Decimal("-1"), Decimal("3")]
    # 100 − 76.9 = 23.1 lost in all.
    assert sum(entry.amount for entry in result.lost_points()) == Decimal("23.1")


def test_xinxiang_by_hand_vetoed(results: qualitykpi.Results) -> None:
    # 新乡市 reported a regional/systemic product-quality-safety incident
    # (systemic_incident = yes) and two major quality events.
    #
    # 一 质量水平状况
    #   产品质量 5 + k1_2 3.5 + 2 + 2 + 1                        = 13.5
    #   工程质量 7; 服务质量 3 + 3 + k1_10 2.5                    = 8.5
    #   （一）质量发展 13.5 + 7 + 8.5                             = 29
    #   （二）质量安全 k2_1 2 events × 1 = 2, exactly the cap      = −2
    #   area 29 − 2                                             = 27
    # 二 质量政策体系 full                                        = 14
    # 三 质量安全监管
    #   （六）0.5 + 3 + 0.5 + k6_4 3 = 7; （七）11;
    #   （八）2 + 2 + k8_3 3.5 + 3 = 10.5          7 + 11 + 10.5 = 28.5
    # 四 质量促进措施
    #   （九）5.5 + （十）2 + （十一）3 + （十二）k12_1 1.8 + 1.5 + 1.5 + 0.5
    #                                           5.5 + 2 + 3 + 5.3 = 15.8
    # 五 质量基础设施
    #   3 + 1.5 + 2.5 + 1.5 + （十七）0.5 + 0.2 + k17_3 0.5 + 0.3 + 0.3
    #                                   3 + 1.5 + 2.5 + 1.5 + 1.8 = 10.3
    #
    # total 27 + 14 + 28.5 + 15.8 + 10.3 = 95.6: A on the scale, but the
    # veto makes it D and keeps the score.
    result = results["新乡市"]
    assert result["k1"].score == Decimal("29")
    assert result["k2_1"].score == Decimal("-2")
    assert _areas(result) == {
        "a1": Decimal("27"),
        "a2": Decimal("14"),
        "a3": Decimal("28.5"),
        "a4": Decimal("15.8"),
        "a5": Decimal("10.3"),
    }
    assert result.total == Decimal("95.6")
    assert result.grade == "D"
    assert [veto.name for veto in result.vetoes] == ["发生区域性、系统性产品质量安全事件"]
    assert result.vetoes[0].owners == ("市场监督管理局",)
    assert sum(entry.amount for entry in result.lost_points()) == Decimal("4.4")
    # Nobody else is vetoed.
    assert [r.entity for r in results if r.vetoes] == ["新乡市"]


def test_ledger_adds_up_for_everyone(results: qualitykpi.Results) -> None:
    for result in results:
        lost = sum((entry.amount for entry in result.lost_points()), Decimal(0))
        assert lost == result.max - result.total, result.entity


def test_ranking(results: qualitykpi.Results) -> None:
    # Areas (一 + 二 + 三 + 四 + 五) of the other eleven, worked out the same
    # way (the points each lost, then the area subtotals):
    #   许昌市   k1_9 −0.2; k5_6 −0.5; k7_7 −0.2; k12_3 −0.3; k14_2 −0.1
    #            29.8 + 13.5 + 29.3 + 15.7 + 10.4 = 98.7
    #   郑州市   k1_2 −0.4, k1_9 −0.3; k8_3 −0.5; k12_1 −0.2
    #            29.3 + 14 + 29 + 15.8 + 10.5 = 98.6
    #   济源示范区 k1_5 −0.5, k1_8 −0.4; k5_3 −0.2; k6_3 −0.2, k8_3 −0.8;
    #            k9_3 −0.4; k15_1 −0.2, k17_1 −0.1
    #            29.1 + 13.8 + 28.5 + 15.6 + 10.2 = 97.2
    #   焦作市   k1_2 −0.2, k1_10 −0.4; k6_4 −0.5, k8_2 −0.5; k10_1 −1;
    #            k16_1 −0.3       29.4 + 14 + 28.5 + 15 + 10.2 = 97.1
    #   漯河市   k1_4 −0.5, k1_6 −0.5, k2_5 −1; k6_1 −0.2, k7_4 −0.5;
    #            k9_1 −0.5, k11_2 −0.5; k17_4 −0.2
    #            28 + 14 + 28.8 + 15 + 10.3 = 96.1
    #   开封市   k1_1 −0.7, k1_6 −1, k2_4 −1; k5_5 −0.5; k7_6 −0.5;
    #            k9_3 −0.5; k15_2 −0.5
    #            27.3 + 13.5 + 29 + 15.5 + 10 = 95.3
    #   洛阳市   k1_2 −0.6, k1_8 −0.5, k2_1 −1; k6_4 −1, k8_4 −0.5;
    #            k10_2 −1; k13_1 −0.5
    #            27.9 + 14 + 28 + 15 + 10 = 94.9
    #   三门峡市 k1_2 −0.7, k1_7 −0.5, k2_1 −2 (2 events); k4_1 −0.5,
    #            k5_2 −0.5; k7_3 −0.5, k8_4 −1; k12_4 −0.2; k13_2 −0.5
    #            26.8 + 13 + 28 + 15.8 + 10 = 93.6
    #   巩义市   k1_1 −0.4, k1_2 −1, k1_6 −0.8, k2_3 −1; k3_1 −0.4, k5_4 −0.4;
    #            k6_2 −0.6, k7_8 −0.4, k8_2 −0.6; k9_2 −0.4, k11_3 −0.5,
    #            k12_2 −0.3; k13_1 −0.4, k16_1 −0.4
    #            26.8 + 13.2 + 27.9 + 14.8 + 9.7 = 92.4
    #   鹤壁市   k1_1 −1.2, k1_3 −0.8, k1_7 −1, k2_2 −1; k5_1 −0.5, k5_5 −1.5;
    #            k6_2 −1, k7_2 −0.5, k8_3 −1; k9_2 −0.5, k11_1 −0.5,
    #            k12_2 −0.5; k14_1 −0.5, k17_3 −0.5
    #            26 + 12 + 27 + 14.5 + 9.5 = 89, in [80, 90) → B
    #   濮阳市   k1_1 −1.5, k1_2 −1.2, k1_6 −1.5, k1_8 −1, k2_1 −1, k2_3 −1;
    #            k3_1 −1, k5_5 −2, k5_8 −0.5; k6_2 −1, k7_1 −0.5, k7_5 −1,
    #            k8_1 −1, k8_3 −1.5; k9_4 −0.5, k10_1 −1, k10_2 −1, k12_1 −1;
    #            k13_1 −1, k15_3 −0.5, k17_2 −0.2
    #            22.8 + 10.5 + 24.5 + 12.5 + 8.8 = 79.1, in [60, 80) → C
    # The ranking is by grade, then by total: the vetoed 新乡市 keeps its 95.6
    # but, in grade D, ranks below every unit of grades A, B and C.
    ranking = [(rank, result.entity, result.total) for rank, result in results.ranking()]
    assert ranking == [
        (1, "许昌市", Decimal("98.7")),
        (2, "郑州市", Decimal("98.6")),
        (3, "济源示范区", Decimal("97.2")),
        (4, "焦作市", Decimal("97.1")),
        (5, "漯河市", Decimal("96.1")),
        (6, "开封市", Decimal("95.3")),
        (7, "洛阳市", Decimal("94.9")),
        (8, "三门峡市", Decimal("93.6")),
        (9, "巩义市", Decimal("92.4")),
        (10, "鹤壁市", Decimal("89")),
        (11, "平顶山市", Decimal("87.75")),
        (12, "濮阳市", Decimal("79.1")),
        (13, "安阳市", Decimal("76.9")),
        (14, "新乡市", Decimal("95.6")),
    ]
    grades = {result.entity: result.grade for result in results}
    assert grades == {
        "许昌市": "A", "郑州市": "A", "济源示范区": "A", "焦作市": "A", "漯河市": "A",
        "新乡市": "D", "开封市": "A", "洛阳市": "A", "三门峡市": "A", "巩义市": "A",
        "鹤壁市": "B", "平顶山市": "B", "濮阳市": "C", "安阳市": "C",
    }  # fmt: skip


def test_assessed_score_above_the_line_is_a_data_error(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]]
) -> None:
    # An assessed score must lie within the line's points: 5 for the 4.5-point
    # k5_5 is rejected, the error names the entity, the others still score.
    changed = [dict(row) for row in rows]
    changed[3]["k5_5"] = "5"
    results = scheme.score_table(changed)
    assert "平顶山市" not in results
    assert len(results) == 13
    (error,) = results.errors
    assert error.entity == "平顶山市"
    assert "k5_5" in str(error)
