"""The invented 江源市 2023 water-resources assessment in examples/, scored with last year's data.

examples/water-2023.rule is a whole scheme written in LANGUAGE-2: targets
from each county's 任务书, last year's values (纵比), peer statistics and
ranks (横比), a `combine` weighted by the county's class, a level input, an
assessed deduction per event, an uncapped 加分, grades by rank and total,
and a veto.  The seven counties of examples/water-2023.csv are scored with
examples/water-2022.csv as last year's data; every number below is worked
out by hand, and the library must agree exactly.

Last year's data.  高新区 is new (no row in 2022): `previous ind_use` and
`previous irrigation` are no data for it, which the rule's `no data` lines
score (60, and no 加分).  河口县 has a 2022 row only: it is named, not scored.

Peer statistics and ranks over the seven counties (every row counts, the
vetoed 西岭县 too):

    gdp_use  江源区 28, 北湖区 35, 平川县 83, 东山县 41, 西岭县 55,
             云台县 48, 高新区 20
             sum 310, mean 310 / 7 ≈ 44.2857; sorted 20 28 35 41 48 55 83,
             median 41; max 83 (平川县, the 不允许值), min 20 (高新区, the
             满意值); max − min = 63
    eff      = round(12 × (0.6 + 0.4 × (83 − x) / 63), 2)
             = round(7.2 + 4.8 × (83 − x) / 63, 2)
             江源区 7.2 + 4.8 × 55/63 = 7.2 + 4.190476… = 11.390476… → 11.39
             北湖区 7.2 + 4.8 × 48/63 = 7.2 + 3.657142… = 10.857142… → 10.86
             平川县 7.2 + 0 = 7.2
             东山县 7.2 + 4.8 × 42/63 = 7.2 + 3.2 = 10.4
             西岭县 7.2 + 4.8 × 28/63 = 7.2 + 2.133333… = 9.333333… → 9.33
             云台县 7.2 + 4.8 × 35/63 = 7.2 + 2.666666… = 9.866666… → 9.87
             高新区 7.2 + 4.8 × 63/63 = 12
    reuse_rate (higher is better)  高新区 40% → rank 1; 江源区 32.5% → 2;
             北湖区 28% → 3; 平川县 15%, 云台县 15% → 4 and 4 (equal rates
             share the better rank); 东山县 12% → 6 (5 is skipped); 西岭县
             8.5% → 7.  Ranks 1–2 get 8, 3–4 get 6, the rest 4.

Every county, indicator by indicator.  控制目标: 百分制 scores, then the
weights 平原区 0.2/0.15/0.15/0.1, 山丘区 0.2/0.15/0.1/0.15:

    county  class  use  ind  irr  wq    goals
    江源区  平原    100  100  100  100   20 + 15 + 15 + 10       = 60
    北湖区  平原    90   50   80   90    18 + 7.5 + 12 + 9       = 46.5
    平川县  平原    94   75   50   80    18.8 + 11.25 + 7.5 + 8  = 45.55
    东山县  山丘    100  100  100  100   20 + 15 + 10 + 15       = 60
    西岭县  山丘    0    100  50   100   0 + 15 + 5 + 15         = 35
    云台县  山丘    90   100  80   92.8  18 + 15 + 8 + 13.92     = 54.92
    高新区  平原    94   60   100  100   18.8 + 9 + 15 + 10      = 52.8

横向比较 (eff + reuse), 管理 (sys is the level's points plus the assessor's
adjustment, clamped to 0–6: 东山县's 6 + 0.5 stays 6; mon the linear score of `monitored`), 加分
(irr_up + extra), and the total rounded to one place:

    county  eff    reuse peers  sys  mon  permit poll mgmt  bonus total
    江源区  11.39  8     19.39  6    5.2  8      0    19.2  1+3   102.59 → 102.6
    北湖区  10.86  6     16.86  5.5  4    7.1    0    16.6  0      79.96 → 80
    平川县  7.2    6     13.2   4    2    6.5    −12  0.5   0+1    60.25 → 60.3
    东山县  10.4   4     14.4   6    4.4  7.5    0    17.9  1+0    93.3
    西岭县  9.33   4     13.33  6    5    7      −5   13    0      61.33 → 61.3
    云台县  9.87   6     15.87  3.5  3.2  7      0    13.7  0+2    86.49 → 86.5
    高新区  12     8     20     6    6    8      0    20    0+2    94.8

The totals rank 江源区 102.6, 高新区 94.8, 东山县 93.3, 云台县 86.5, 北湖区 80,
西岭县 61.3, 平川县 60.3.  优秀 needs rank 1–2, 90 points and 控制目标 at
least 90% of 60 = 54: 江源区 (1st, 60) has it; 高新区 (2nd) has 52.8 < 54;
东山县 has 60 but is 3rd.  Four counties are worked out line by line below.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

import qualitykpi
from conftest import ROOT, read_csv, run_cli

EXAMPLES = ROOT / "examples"
RULE = EXAMPLES / "water-2023.rule"
DATA = EXAMPLES / "water-2023.csv"
LAST = EXAMPLES / "water-2022.csv"

COUNTIES = ("江源区", "北湖区", "平川县", "东山县", "西岭县", "云台县", "高新区")

SECTIONS = {
    "goals": ("控制目标完成情况", "60"),
    "peers": ("横向比较", "20"),
    "mgmt": ("制度建设与监督管理", "20"),
}
ITEMS = {
    "use": ("用水总量控制", "100", ("水利局",)),
    "ind": ("万元工业增加值用水量下降率", "100", ("水利局",)),
    "irr": ("农田灌溉水有效利用系数", "100", ("水利局",)),
    "wq": ("重要水功能区水质达标率", "100", ("生态环境局",)),
    "eff": ("万元GDP用水量", "12", ("水利局",)),
    "reuse": ("再生水利用率排名", "8", ("住房和城乡建设局",)),
    "sys": ("水资源管理制度建设", "6", ("水利局",)),
    "monitor": ("重点取用水户在线监测覆盖率", "6", ("水利局",)),
    "permit": ("取水许可与水资源税征管", "8", ("水利局",)),
    "pollution": ("重大水污染事件", "0", ("生态环境局",)),
}

# The table of the module docstring, node by node.
NODES = ("use", "ind", "irr", "wq", "goals", "eff", "reuse", "peers", "sys", "monitor",
         "permit", "pollution", "mgmt", "irr_up", "extra")  # fmt: skip
SCORES = {
    "江源区": ("100", "100", "100", "100", "60", "11.39", "8", "19.39",
               "6", "5.2", "8", "0", "19.2", "1", "3"),
    "北湖区": ("90", "50", "80", "90", "46.5", "10.86", "6", "16.86",
               "5.5", "4", "7.1", "0", "16.6", "0", "0"),
    "平川县": ("94", "75", "50", "80", "45.55", "7.2", "6", "13.2",
               "4", "2", "6.5", "-12", "0.5", "0", "1"),
    "东山县": ("100", "100", "100", "100", "60", "10.4", "4", "14.4",
               "6", "4.4", "7.5", "0", "17.9", "1", "0"),
    "西岭县": ("0", "100", "50", "100", "35", "9.33", "4", "13.33",
               "6", "5", "7", "-5", "13", "0", "0"),
    "云台县": ("90", "100", "80", "92.8", "54.92", "9.87", "6", "15.87",
               "3.5", "3.2", "7", "0", "13.7", "0", "2"),
    "高新区": ("94", "60", "100", "100", "52.8", "12", "8", "20",
               "6", "6", "8", "0", "20", "0", "2"),
}  # fmt: skip
TOTALS = {
    "江源区": ("102.6", "优秀"),
    "北湖区": ("80", "良好"),
    "平川县": ("60.3", "合格"),
    "东山县": ("93.3", "良好"),
    "西岭县": ("61.3", "不合格"),
    "云台县": ("86.5", "良好"),
    "高新区": ("94.8", "良好"),
}

# What `qualitykpi check` says about the rule, in order: notes only, no
# warning.  Lines on computed values, peer statistics, ranks and targets
# from the data are not analysed, and say so; only 万元工业增加值用水量下降率
# has a `no data` line, so the others are pointed out (on purpose: a county
# that reports nothing is a data error there); the deduction per event and
# the 加分项 have no cap, as in the document.
CHECK_NOTES = [
    ("not-analysed", "a grade reads more than the total"),
    ("no-data-line", '"用水总量控制" has no `no data` line for `use_ratio`'),
    ("not-analysed", '"用水总量控制" hold depends on values worked out'),
    ("not-analysed", '"万元工业增加值用水量下降率" hold depends on values worked out'),
    ("no-data-line", '"农田灌溉水有效利用系数" has no `no data` line for `irrigation`'),
    ("not-analysed", "the target of `irrigation` is `irrigation_target`"),
    ("no-data-line", '"灌溉水利用系数提升加分" has no `no data` line for `irrigation`'),
    ("not-analysed", "the target of `irrigation` is `irrigation_target`"),
    ("no-data-line", '"重要水功能区水质达标率" has no `no data` line for `wq_rate`'),
    ("not-analysed", "the target of `wq_rate` is `wq_target`"),
    ("no-data-line", '"万元GDP用水量" has no `no data` line'),
    ("not-analysed", '"万元GDP用水量" hold depends on values worked out'),
    ("no-data-line", '"再生水利用率排名" has no `no data` line'),
    ("not-analysed", '"再生水利用率排名" hold depends on values worked out'),
    ("no-data-line", '"水资源管理制度建设" has no `no data` line for `system`'),
    ("no-data-line", '"重点取用水户在线监测覆盖率" has no `no data` line for `monitored`'),
    ("no-cap", 'the deductions of item "重大水污染事件" have no lower bound'),
    ("no-cap", 'bonus "加分项" has no cap'),
]


@pytest.fixture(scope="module")
def scheme() -> qualitykpi.Scheme:
    return qualitykpi.load(RULE)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_csv(DATA)


@pytest.fixture(scope="module")
def last_rows() -> list[dict[str, str]]:
    return read_csv(LAST)


@pytest.fixture(scope="module")
def results(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]], last_rows: list[dict[str, str]]
) -> qualitykpi.Results:
    return scheme.score_table(rows, previous=last_rows)


def _scores(result: qualitykpi.Result, *ids: str) -> dict[str, str]:
    return {node_id: str(result[node_id].score) for node_id in ids}


# --------------------------------------------------------------- the rule


def test_loads_and_every_example_passes(scheme: qualitykpi.Scheme) -> None:
    assert scheme.name == "江源市2023年度县（区）实行最严格水资源管理制度考核"
    outcomes = scheme.run_examples()
    # Single-entity examples, `given rank`, and three cohorts written in the file.
    assert len(outcomes) == 48
    for outcome in outcomes:
        assert outcome.passed, (
            f"line {outcome.line}: {outcome.text}\n"
            f"expected {outcome.expected}, got {outcome.actual}\n"
            f"{outcome.trace}\n{outcome.errors}"
        )


def test_shape_and_owners(scheme: qualitykpi.Scheme, results: qualitykpi.Results) -> None:
    result = results["江源区"]
    assert result.max == Decimal("100") and scheme.scorer.max == 100
    assert [node.id for node in result.nodes] == [*SECTIONS, "extra"]
    for node_id, (name, maximum) in SECTIONS.items():
        assert (result[node_id].name, result[node_id].max) == (name, Decimal(maximum))
    for node_id, (name, maximum, owners) in ITEMS.items():
        node = result[node_id]
        assert (node.name, node.max, node.owners) == (name, Decimal(maximum), owners), node_id
    # 控制目标's four indicators are scored out of 100 each and combined into 60;
    # the other sections add up.
    assert sum(child.max for child in result["goals"].children) == 400
    assert sum(child.max for child in result["peers"].children) == 20
    assert sum(child.max for child in result["mgmt"].children) == 20
    assert scheme.node("ind").supporters == ("工业和信息化局", "统计局")
    # The indicator's own 加分 is listed under it; the 加分项 has no cap.
    assert [child.id for child in result["irr"].children] == ["irr_up"]
    assert result["irr_up"].kind == "bonus" and result["irr_up"].max == 1
    assert scheme.scorer.bounds()[1] is None
    (veto,) = scheme.scorer.vetoes
    assert (veto.name, veto.grade, veto.owners) == ("用水总量超过控制指标", "不合格", ("水利局",))
    assert scheme.scorer.grades is not None
    assert scheme.scorer.grades.labels() == ("优秀", "良好", "合格", "不合格")
    assert scheme.inputs["class"].levels == ("平原区", "山丘区")
    assert scheme.inputs["system"].levels == ("完整", "部分", "未建立")


# ---------------------------------------------------------------- the data


def test_data_files_match_the_rule(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]], last_rows: list[dict[str, str]]
) -> None:
    header = list(rows[0])
    assert header[0] == "entity"
    # Every input, and last year's file has the same columns: `ind_use`, not
    # `previous ind_use`.
    assert set(header[1:]) == {name for name in scheme.inputs if not name.startswith("previous ")}
    assert {"previous ind_use", "previous irrigation"} <= set(scheme.inputs)
    assert list(last_rows[0]) == header
    assert [row["entity"] for row in rows] == list(COUNTIES)
    assert [row["entity"] for row in last_rows] == [
        "江源区", "北湖区", "平川县", "东山县", "西岭县", "云台县", "河口县",
    ]  # fmt: skip


def test_the_counties_of_one_year_only_are_named(results: qualitykpi.Results) -> None:
    assert results.errors == ()
    assert [result.entity for result in results] == list(COUNTIES)
    assert results.notes == (
        "高新区 is not in last period's data: it has no data for `previous ind_use`, "
        "`previous irrigation`",
        "河口县 is in last period's data but not in this period's data: it is not scored",
    )


def test_peer_statistics(results: qualitykpi.Results) -> None:
    assert results.peers == {
        "gdp_use": {"mean": "≈44.2857", "median": "41", "max": "83", "min": "20"}
    }
    explained = {county: results[county].explain() for county in ("平川县", "云台县", "东山县")}
    # Equal rates share the better rank; the next rank is skipped.
    assert "rank of reuse_rate = 4 of 7" in explained["平川县"]
    assert "rank of reuse_rate = 4 of 7" in explained["云台县"]
    assert "rank of reuse_rate = 6 of 7" in explained["东山县"]


# ----------------------------------------------------------- every county


@pytest.mark.parametrize("county", COUNTIES)
def test_every_node_of_every_county(results: qualitykpi.Results, county: str) -> None:
    assert _scores(results[county], *NODES) == dict(zip(NODES, SCORES[county], strict=True))


def test_totals_grades_and_ranking(results: qualitykpi.Results) -> None:
    assert {r.entity: (str(r.total), r.grade) for r in results} == TOTALS
    assert [r.entity for r in results if r.vetoes] == ["西岭县"]
    # By grade, then by total: the vetoed 西岭县 (61.3, 不合格) below 平川县 (60.3, 合格).
    assert [(rank, r.entity) for rank, r in results.ranking()] == [
        (1, "江源区"), (2, "高新区"), (3, "东山县"), (4, "云台县"), (5, "北湖区"),
        (6, "平川县"), (7, "西岭县"),
    ]  # fmt: skip


def test_every_lost_point_adds_up(results: qualitykpi.Results) -> None:
    for result in results:
        ledger = result.lost_points()
        assert sum((entry.amount for entry in ledger), Decimal(0)) == result.max - result.total, (
            result.entity
        )


# ------------------------------------------------------------- by hand


def test_jiangyuan_by_hand(results: qualitykpi.Results) -> None:
    # 江源区, 平原区: every target met, the best total, over 100 with 加分.
    #
    # 控制目标
    #   use  46800 / 52000 = 0.9, at most 90%                       → 100
    #   ind  (20 − 19) / 20 = 5% ≥ its target 4%                    → 100
    #   irr  0.580 ≥ its target 0.575                               → 100
    #   wq   92% ≥ its target 90%                                   → 100
    #   goals 0.2 × 100 + 0.15 × 100 + 0.15 × 100 + 0.1 × 100        = 60
    # 横向比较
    #   eff  gdp_use 28: round(7.2 + 4.8 × 55 / 63, 2)               = 11.39
    #   reuse 32.5%, rank 2 of 7                                     → 8
    #   peers 11.39 + 8                                              = 19.39
    # 制度建设与监督管理
    #   sys 完整 6 + adjustment 0 = 6; monitor 96%: 4 + 2 × 6 / 10 = 5.2;
    #   permit 8; no incident
    #   mgmt 6 + 5.2 + 8                                             = 19.2
    # 加分: irr_up 0.580 − 0.572 = 0.008 ≥ 0.005 → 1;
    #       extra 国家级 2 + 1 水效领跑者 × 1 = 3
    # total 60 + 19.39 + 19.2 + 1 + 3 = 102.59 → 102.6 (one place, half up)
    # grade: rank 1 of 7, 102.6 ≥ 90, goals 60 ≥ 54                  → 优秀
    result = results["江源区"]
    assert (str(result.total), result.grade) == ("102.6", "优秀")
    assert result.total > result.max  # 加分 has no cap, not even the total
    explained = result.explain()
    assert "use_ratio = water_use / quota = 46800 / 52000 = 90%" in explained
    assert "rank of reuse_rate = 2 of 7" in explained
    # The ledger gains what the 加分 and the rounding give.
    assert sum((entry.amount for entry in result.lost_points()), Decimal(0)) == Decimal("-2.6")


def test_pingchuan_by_hand(results: qualitykpi.Results) -> None:
    # 平川县, 平原区: two 重大水污染事件, the highest use per 万元GDP, a shared rank.
    #
    # 控制目标
    #   use  37200 / 40000 = 0.93: 100 − 2 × (93% − 90%) / 1%         = 94
    #   ind  (32 − 31.04) / 32 = 0.96 / 32 = 3% < 4%: 100 × 3% / 4%   = 75
    #   irr  0.560, 0.015 below its target 0.575 (more than 0.005)  → 50
    #   wq   85%, 5 points below 90% (up to 5): 100 − 4 × 5           = 80
    #   goals 0.2 × 94 + 0.15 × 75 + 0.15 × 50 + 0.1 × 80
    #         = 18.8 + 11.25 + 7.5 + 8                               = 45.55
    # 横向比较
    #   eff  gdp_use 83 = peer max: 12 × (0.6 + 0)                    = 7.2
    #   reuse 15%, rank 4 of 7 (with 云台县)                          → 6
    #   peers 7.2 + 6                                                = 13.2
    # 制度建设与监督管理
    #   sys 部分 3 + adjustment 1 = 4; monitor 75%: 4 × 15 / 30 = 2;
    #   permit 6.5; pollution: 2 incidents accept 10–20, assessed 12 → −12
    #   mgmt 4 + 2 + 6.5 − 12                                        = 0.5
    # 加分: irr_up 0.560 − 0.561 < 0.005 → 0; extra 1 水效领跑者       = 1
    # total 45.55 + 13.2 + 0.5 + 1 = 60.25 → 60.3 (half up)          → 合格
    result = results["平川县"]
    assert (str(result.total), result.grade) == ("60.3", "合格")
    explained = result.explain()
    assert "ind_drop = (previous ind_use − ind_use) / previous ind_use = (32 − 31.04) / 32" in (
        explained
    )
    assert "assessed deduction 12 (5–10 for each of 2 incidents)" in explained
    reasons = {entry.reason: entry.amount for entry in result.lost_points()}
    assert reasons["the total 60.25 rounded half up to 60.3"] == Decimal("-0.05")
    assert reasons["assessed adjustment +1 (within -1 to 1)"] == Decimal("-1")


def test_xiling_by_hand_vetoed(results: qualitykpi.Results) -> None:
    # 西岭县, 山丘区: over its 用水总量 red line.
    #
    # 控制目标
    #   use  15300 / 15000 = 1.02, over 100%                          → 0
    #   ind  (40 − 38) / 40 = 5% ≥ its target 3.5%                   → 100
    #   irr  0.530, 0.010 below its target 0.540                     → 50
    #   wq   96% ≥ its target 95%                                    → 100
    #   goals (山丘区) 0.2 × 0 + 0.15 × 100 + 0.1 × 50 + 0.15 × 100
    #         = 0 + 15 + 5 + 15                                      = 35
    # 横向比较
    #   eff  gdp_use 55: round(7.2 + 4.8 × 28 / 63, 2) = round(9.3333…) = 9.33
    #   reuse 8.5%, rank 7 of 7                                      → 4
    #   peers 9.33 + 4                                               = 13.33
    # 制度建设与监督管理
    #   sys 完整 6; monitor 95%: 4 + 2 × 5 / 10 = 5; permit 7;
    #   pollution: 1 incident accepts 5–10, assessed 5               → −5
    #   mgmt 6 + 5 + 7 − 5                                           = 13
    # 加分: irr_up 0.530 − 0.528 = 0.002 → 0; extra 0
    # total 35 + 13.33 + 13 = 61.33 → 61.3: 合格 by the total, but the veto
    # (water_use 15300 more than quota 15000) makes it 不合格 and keeps the score.
    result = results["西岭县"]
    assert (str(result.total), result.grade) == ("61.3", "不合格")
    assert [veto.name for veto in result.vetoes] == ["用水总量超过控制指标"]
    assert result.vetoes[0].owners == ("水利局",)


def test_gaoxin_by_hand_new_county(results: qualitykpi.Results) -> None:
    # 高新区, 平原区, set up in 2023: no row in last year's data.
    #
    # 控制目标
    #   use  7440 / 8000 = 0.93: 100 − 2 × 3                          = 94
    #   ind  previous ind_use: no data → `ind_drop no data → 60`       = 60
    #   irr  0.590 ≥ its target 0.585                                → 100
    #   wq   80% ≥ its target 80%                                    → 100
    #   goals 0.2 × 94 + 0.15 × 60 + 0.15 × 100 + 0.1 × 100
    #         = 18.8 + 9 + 15 + 10                                   = 52.8
    # 横向比较
    #   eff  gdp_use 20 = peer min (the 满意值)                        = 12
    #   reuse 40%, rank 1                                            → 8
    #   peers                                                        = 20
    # 制度建设与监督管理 完整 6 + monitor 100% 6 + permit 8              = 20
    # 加分: irr_up previous irrigation: no data → 0; extra 2 水效领跑者 = 2
    # total 52.8 + 20 + 20 + 2 = 94.8, second of seven and over 90, but
    # 控制目标 52.8 < 90% × 60 = 54                                  → 良好
    result = results["高新区"]
    assert (str(result.total), result.grade) == ("94.8", "良好")
    explained = result.explain()
    assert "ind_drop no data → 60" in explained
    assert "irr_gain no data → 0" in explained


def test_beihu_rounding_decides_the_grade(results: qualitykpi.Results) -> None:
    # 北湖区: 46.5 + 16.86 + 16.6 = 79.96, which rounds to 80.0 before the
    # grades are read: 良好, not 合格.
    #   goals 0.2 × 90 (0.95 of quota) + 0.15 × 50 (2% of a 4% target)
    #         + 0.15 × 80 (0.004 below target) + 0.1 × 90 (2.5 points below) = 46.5
    #   peers 10.86 + 6 (rank 3); mgmt 完整 6 − 0.5 + 4 (90%) + 7.1 = 16.6
    result = results["北湖区"]
    assert (str(result.total), result.grade) == ("80", "良好")


# ------------------------------------------------------ what the data change


def test_the_weights_follow_the_class(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]], last_rows: list[dict[str, str]]
) -> None:
    # 平川县 as a 山丘区: 0.2 × 94 + 0.15 × 75 + 0.1 × 50 + 0.15 × 80
    #                   = 18.8 + 11.25 + 5 + 12 = 47.05
    changed = [
        dict(row, **{"class": "山丘区"}) if row["entity"] == "平川县" else row for row in rows
    ]
    result = scheme.score_table(changed, previous=last_rows)["平川县"]
    assert str(result["goals"].score) == "47.05"
    typo = [dict(row, **{"class": "平原"}) if row["entity"] == "平川县" else row for row in rows]
    (error,) = scheme.score_table(typo, previous=last_rows).errors
    assert error.entity == "平川县" and "平原区" in str(error)


def test_an_assessed_deduction_outside_its_range_is_a_data_error(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]], last_rows: list[dict[str, str]]
) -> None:
    # Two incidents call for 10–20; 8 is refused, and the others still score.
    changed = [dict(row, pollution="8") if row["entity"] == "平川县" else row for row in rows]
    results = scheme.score_table(changed, previous=last_rows)
    (error,) = results.errors
    assert error.entity == "平川县" and "outside 10–20" in str(error)
    assert len(results) == 6


def test_without_last_years_data_the_no_data_lines_decide(
    scheme: qualitykpi.Scheme, rows: list[dict[str, str]]
) -> None:
    # Forgetting last year's data is never a silent zero: the rule says what
    # a county without last year's figure gets (and the command warns, below).
    results = scheme.score_table(rows)
    assert {str(result["ind"].score) for result in results} == {"60"}
    assert {str(result["irr_up"].score) for result in results} == {"0"}


# ---------------------------------------------------------- the command


def _run(*args: str) -> tuple[int, str, str]:
    return run_cli(*args, cwd=ROOT)  # paths as a user types them from the repository root


def _lines(text: str) -> Iterator[list[str]]:
    for line in text.splitlines():
        yield line.split()


def test_command_test() -> None:
    code, out, err = _run("test", "examples/water-2023.rule")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "48 passed, 0 failed"


def test_command_check_gives_notes_only() -> None:
    code, out, _ = _run("check", "--format", "json", "examples/water-2023.rule")
    findings = json.loads(out)
    assert code == 0
    assert {finding["severity"] for finding in findings} == {"info"}
    assert len(findings) == len(CHECK_NOTES)
    for finding, (code_, says) in zip(findings, CHECK_NOTES, strict=True):
        assert finding["code"] == code_ and says in finding["message"], finding
    code, out, _ = _run("check", "--strict", "--ranges", "examples/water-2023.rule")
    assert code == 0
    assert f"examples/water-2023.rule: {len(CHECK_NOTES)} notes" in out
    assert out.rstrip().endswith("grades that can occur: 优秀, 良好, 合格, 不合格")


def test_command_score_with_last_years_data() -> None:
    code, out, err = _run(
        "score",
        "examples/water-2023.rule",
        "examples/water-2023.csv",
        "--previous",
        "examples/water-2022.csv",
    )
    assert code == 0
    table = [words for words in _lines(out) if words and words[0].isdigit()]
    assert [(words[1], words[2], words[3]) for words in table] == [
        (county, *TOTALS[county])
        for county in ("江源区", "高新区", "东山县", "云台县", "北湖区", "平川县", "西岭县")
    ]
    assert err.splitlines() == [
        "qualitykpi: note: 高新区 is not in examples/water-2022.csv: it has no data for "
        "`previous ind_use`, `previous irrigation`",
        "qualitykpi: note: 河口县 is in examples/water-2022.csv but not in this period's "
        "data: it is not scored",
    ]


def test_command_score_without_last_years_data_warns() -> None:
    code, _, err = _run("score", "examples/water-2023.rule", "examples/water-2023.csv")
    assert code == 1  # a rule input has no column
    assert "the rule's input 'previous ind_use' has no column in the data" in err
