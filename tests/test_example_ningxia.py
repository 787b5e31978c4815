"""The 宁夏 2013-2014 task table in examples/, a responsibility-only scheme.

The document (seed 000_ff8ebb700c86cdba.txt) divides 57 tasks among the
autonomous region's offices and gives no points; three tasks state a target.
The cities of examples/ningxia-2013-2014.csv (invented numbers) are checked
against those targets by hand below: a value at or above the target meets it.

    entity    pass_rate ≥ 90   agri_rate ≥ 95   coverage_rate ≥ 100
    银川市    92.4  met        96.1  met        100   met
    石嘴山市  89.9  not met    95.0  met        99.5  not met
    吴忠市    90.0  met        94.9  not met    100   met
    固原市    87.5  not met    97.3  met        —     no data
    中卫市    91.2  met        —     no data    100   met
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import qualitykpi
from conftest import read_csv

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULE = EXAMPLES / "ningxia-2013-2014.rule"
DATA = EXAMPLES / "ningxia-2013-2014.csv"

GROUPS = {
    "quantified": ("产品质量量化目标", range(1, 3)),
    "macro": ("质量宏观管理", range(3, 21)),
    "safety": ("质量安全监管", range(21, 52)),
    "foundation": ("质量基础建设", range(52, 58)),
}

CIQ = "宁夏出入境检验检疫局"

VERDICTS = {
    "银川市": {
        "t1": "target 90%: met (pass_rate = 92.4%)",
        "t2": "target 95%: met (agri_rate = 96.1%)",
        "t43": "target 100%: met (coverage_rate = 100%)",
    },
    "石嘴山市": {
        "t1": "target 90%: not met (pass_rate = 89.9%)",
        "t2": "target 95%: met (agri_rate = 95%)",
        "t43": "target 100%: not met (coverage_rate = 99.5%)",
    },
    "吴忠市": {
        "t1": "target 90%: met (pass_rate = 90%)",
        "t2": "target 95%: not met (agri_rate = 94.9%)",
        "t43": "target 100%: met (coverage_rate = 100%)",
    },
    "固原市": {
        "t1": "target 90%: not met (pass_rate = 87.5%)",
        "t2": "target 95%: met (agri_rate = 97.3%)",
        "t43": "target 100%: no data for coverage_rate",
    },
    "中卫市": {
        "t1": "target 90%: met (pass_rate = 91.2%)",
        "t2": "target 95%: no data for agri_rate",
        "t43": "target 100%: met (coverage_rate = 100%)",
    },
}


@pytest.fixture(scope="module")
def scheme() -> qualitykpi.Scheme:
    return qualitykpi.load(RULE)


@pytest.fixture(scope="module")
def nodes(scheme: qualitykpi.Scheme) -> list:
    return list(scheme.scorer.walk())


@pytest.fixture(scope="module")
def tasks(nodes: list) -> dict:
    return {node.id: node for node in nodes if node.kind == "task"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_csv(DATA)


@pytest.fixture(scope="module")
def results(scheme: qualitykpi.Scheme, rows: list[dict[str, str]]) -> qualitykpi.Results:
    return scheme.score_table(rows)


# --------------------------------------------------------------- the rule


def test_loads(scheme: qualitykpi.Scheme) -> None:
    assert scheme.name == "2013-2014年度省级政府质量工作考核分工方案"


def test_fifty_seven_tasks_in_order(nodes: list) -> None:
    ids = [node.id for node in nodes if node.kind == "task"]
    assert ids == [f"t{n}" for n in range(1, 58)]


def test_no_points(scheme: qualitykpi.Scheme, nodes: list) -> None:
    assert scheme.scorer.max == 0
    kinds = {node.kind for node in nodes}
    assert kinds == {"section", "task"}
    for node in nodes:
        assert node.max == 0, node.id


def test_groups(scheme: qualitykpi.Scheme) -> None:
    sections = [node for node in scheme.scorer.walk() if node.kind == "section"]
    assert [section.id for section in sections] == list(GROUPS)
    for section in sections:
        name, numbers = GROUPS[section.id]
        assert section.name == name
        assert [child.id for child in section.children] == [f"t{n}" for n in numbers]


def test_every_task_has_owner_and_text(tasks: dict) -> None:
    for node in tasks.values():
        assert node.owners, node.id
        assert node.text, node.id
        for office in (*node.owners, *node.supporters):
            assert office.strip() == office and office, node.id
            assert not office.endswith(("、", "，", ",")), node.id


def test_owners_are_prefixed(tasks: dict) -> None:
    """Every office is 自治区… or the one 宁夏 office (the prefix is expanded)."""
    for node in tasks.values():
        for office in node.owners:
            assert office.startswith("自治区") or office == CIQ, (node.id, office)


def test_owner_spot_checks(tasks: dict) -> None:
    assert tasks["t1"].owners == ("自治区质监局",)
    assert tasks["t2"].owners == ("自治区农牧厅",)
    # "自治区发展改革委、质监局"
    assert tasks["t3"].owners == ("自治区发展改革委", "自治区质监局")
    # "自治区质监局牵头，质量和商标战略工作领导小组成员单位配合"
    assert tasks["t6"].owners == ("自治区质监局",)
    assert tasks["t6"].supporters == ("质量和商标战略工作领导小组成员单位",)
    assert tasks["t16"].owners == (CIQ,)
    assert tasks["t15"].owners == ("自治区财政厅",)
    assert tasks["t43"].owners == ("自治区住房城乡建设厅", "自治区交通运输厅")
    assert tasks["t33"].owners == (
        "自治区住房城乡建设厅",
        "自治区农牧厅",
        "自治区商务厅",
        "自治区质监局",
        "自治区安监局",
        "自治区旅游局",
        "自治区食品药监局",
    )
    assert tasks["t57"].owners[-1] == CIQ
    assert len(tasks["t57"].owners) == 8


def test_trailing_enumeration_comma_dropped(tasks: dict) -> None:
    # "…质监局、金融办、国税局、": nine offices, no empty tenth.
    assert tasks["t5"].owners == (
        "自治区经济和信息化委",
        "自治区教育厅",
        "自治区科技厅",
        "自治区财政厅",
        "自治区环境保护厅",
        "自治区地税局",
        "自治区质监局",
        "自治区金融办",
        "自治区国税局",
    )


def test_only_task_6_has_supporters(tasks: dict) -> None:
    assert [node.id for node in tasks.values() if node.supporters] == ["t6"]


def test_texts_are_the_original_wording(tasks: dict) -> None:
    assert tasks["t1"].text == (
        "制造业产品质量合格率年度目标值90%。制定实施措施，提供统计分析等相关资料。"
    )
    assert tasks["t6"].text == "召开有关会议，部署年度质量工作。"
    # The typo 世界卫生组 (for 世界卫生组织) is kept in the text.
    assert tasks["t53"].text == "世界卫生组口岸核心能力建设达到标准要求。"
    assert tasks["t57"].text == "制定质量安全监管人员培训制度并组织实施。"


def test_targets(tasks: dict) -> None:
    assert tasks["t1"].targets == {"pass_rate": Fraction(90)}
    assert tasks["t2"].targets == {"agri_rate": Fraction(95)}
    assert tasks["t43"].targets == {"coverage_rate": Fraction(100)}
    with_targets = [node.id for node in tasks.values() if node.targets]
    assert with_targets == ["t1", "t2", "t43"]


def test_inputs(scheme: qualitykpi.Scheme) -> None:
    assert set(scheme.inputs) == {"pass_rate", "agri_rate", "coverage_rate"}


# --------------------------------------------------------------- scoring


def test_scores_without_errors(results: qualitykpi.Results) -> None:
    assert not results.errors
    assert [result.entity for result in results] == list(VERDICTS)
    for result in results:
        assert result.total == 0
        assert result.max == 0
        assert result.grade is None


@pytest.mark.parametrize("entity", list(VERDICTS))
def test_verdicts(results: qualitykpi.Results, entity: str) -> None:
    result = results[entity]
    explanation = result.explain()
    for task, verdict in VERDICTS[entity].items():
        notes = [step.description for step in result[task].steps if step.kind == "note"]
        assert notes == [verdict]
        assert f"({verdict})" in explanation
    # Tasks without a target say nothing about the data.
    assert not result["t3"].steps


def test_single_entity_absent_value_is_no_data(scheme: qualitykpi.Scheme) -> None:
    result = scheme.score({"pass_rate": "89.9"})
    explanation = result.explain()
    assert "target 90%: not met (pass_rate = 89.9%)" in explanation
    assert "target 95%: no data for agri_rate" in explanation
    assert "target 100%: no data for coverage_rate" in explanation
    assert result.total == 0


def test_no_data_at_all(scheme: qualitykpi.Scheme) -> None:
    result = scheme.score({})
    assert "target 90%: no data for pass_rate" in result.explain()


def test_boundaries(scheme: qualitykpi.Scheme) -> None:
    def verdict(task: str, name: str, value: str) -> str:
        (step,) = scheme.score({name: value})[task].steps
        return step.description

    assert verdict("t1", "pass_rate", "90") == "target 90%: met (pass_rate = 90%)"
    assert verdict("t1", "pass_rate", "89.9") == "target 90%: not met (pass_rate = 89.9%)"
    assert verdict("t2", "agri_rate", "95.0") == "target 95%: met (agri_rate = 95%)"
    assert verdict("t2", "agri_rate", "94.9") == "target 95%: not met (agri_rate = 94.9%)"
    assert verdict("t43", "coverage_rate", "99.9") == (
        "target 100%: not met (coverage_rate = 99.9%)"
    )


def test_bad_value_is_still_a_data_error(scheme: qualitykpi.Scheme) -> None:
    """The task notes do not hide unreadable data: 89.95 has too much precision."""
    results = scheme.score_table([{"entity": "x", "pass_rate": "89.95"}])
    assert results.errors
