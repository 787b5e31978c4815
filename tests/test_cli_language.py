"""The command in Chinese: ``--lang``, the locale, help, click's own words, the reports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from conftest import DATA, check_golden
from qualitykpi import i18n
from qualitykpi.cli import main
from qualitykpi.cli_language import requested_language, wrap_wide
from qualitykpi.source import display_width

GOLDEN = Path(__file__).resolve().parent / "golden" / "cli_zh"
RULE = "../examples/shuangtaizi-2016-2017.rule"
CSV = "../examples/shuangtaizi-2016-2017.csv"


def run(*args: str, lang: str | None = None) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(DATA.parent)
    try:
        env = {"LANG": lang} if lang is not None else None
        result = CliRunner(env=env).invoke(main, list(args), prog_name="qualitykpi")
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def zh(*args: str) -> tuple[int, str, str]:
    return run("--lang", "zh", *args)


# ------------------------------------------------------------------ choosing


def test_the_locale_gives_chinese_and_lang_en_overrides_it() -> None:
    code, out, _ = run("score", RULE, CSV, lang="zh_CN.UTF-8")
    assert code == 0
    assert out.splitlines()[1].split()[:5] == ["排名", "考核对象", "总分", "等级", "否决项"]
    code, out, _ = run("score", RULE, CSV, "--lang", "en", lang="zh_CN.UTF-8")
    assert code == 0
    assert out.splitlines()[1].split()[:5] == ["rank", "entity", "total", "grade", "vetoes"]
    assert run("score", RULE, CSV) == run("--lang", "en", "score", RULE, CSV)


def test_lang_takes_effect_wherever_it_stands() -> None:
    first = zh("score", "--help")
    assert first == run("score", "--help", "--lang", "zh")
    assert first == run("score", "--lang=zh", "--help")
    assert first[1].startswith("用法：qualitykpi score [OPTIONS] RULE DATA")
    # A usage error found before --lang is parsed is in Chinese too.
    code, _, err = run("score", "--bogus", "--lang", "zh")
    assert code == 2
    assert "错误：没有选项 '--bogus'。" in err


def test_an_unknown_language_is_a_usage_error() -> None:
    code, out, err = run("--lang", "fr", "score", RULE, CSV)
    assert (code, out) == (2, "")
    assert "Invalid value for '--lang': 'fr' is not one of 'en', 'zh'." in err
    code, _, err = run("score", RULE, CSV, "--lang", "fr")
    assert code == 2
    assert "'--lang'" in err and "'fr'" in err


def test_the_language_is_put_back_after_the_command() -> None:
    zh("score", RULE, CSV)
    assert i18n.language() == "en"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "--lang", "zh"], "zh"),
        (["--lang=en", "score"], "en"),
        (["--lang", "zh", "--lang", "en"], "en"),
        (["--lang", "fr"], None),
        (["--", "--lang", "zh"], None),
        (["--lang"], None),
    ],
)
def test_requested_language(args: list[str], expected: str | None) -> None:
    assert requested_language(args) == expected


def test_chinese_wraps_by_display_width() -> None:
    text = "排名表列出排名、考核对象、总分、等级，先按等级、再按总分从高到低排列。"
    lines = wrap_wide(text, 20, "  ").splitlines()
    assert all(display_width(line) <= 20 for line in lines)
    assert "".join(line.strip() for line in lines) == text
    # No line starts with closing punctuation.
    assert not any(line.strip()[0] in "，。、）" for line in lines)


# ---------------------------------------------------------------------- help


def test_help_of_the_group_and_of_score() -> None:
    code, out, _ = zh("--help")
    assert code == 0
    check_golden(GOLDEN / "help.txt", out)
    code, out, _ = zh("score", "--help")
    assert code == 0
    check_golden(GOLDEN / "score_help.txt", out)


def test_english_help_is_unchanged_but_for_lang() -> None:
    code, out, _ = run("--help")
    assert code == 0
    check_golden(GOLDEN / "help_en.txt", out)
    code, out, _ = run("score", "--help")
    check_golden(GOLDEN / "score_help_en.txt", out)


def test_clicks_own_errors_in_chinese() -> None:
    original = click.exceptions.MissingParameter.format_message
    code, out, err = zh("score")
    # click's own sentence ends with 。 in Chinese; click itself is left as it was.
    assert click.exceptions.MissingParameter.format_message is original
    assert (code, out) == (2, "")
    assert err == (
        "用法：qualitykpi score [OPTIONS] RULE DATA\n"
        "运行 'qualitykpi score --help' 查看帮助。\n"
        "\n"
        "错误：缺少参数 'RULE'。\n"
    )
    _, version, _ = zh("--version")
    assert version.startswith("qualitykpi，版本 ")
    _, _, err = zh("scor")
    assert "错误：没有命令 'scor'。 是否要用 'score'？" in err
    _, _, err = zh("score", "--format", "html", RULE, CSV)
    assert "错误：'--format' 的值无效：'html' 不在可选值" in err


# ------------------------------------------------------------------- outputs


def test_score_in_chinese() -> None:
    code, out, err = zh("score", RULE, CSV)
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "score.txt", out)
    code, out, _ = zh("score", RULE, CSV, "--format", "markdown", "--explain")
    check_golden(GOLDEN / "score_explain.md", out)
    code, out, _ = zh("score", RULE, CSV, "--format", "csv")
    check_golden(GOLDEN / "score.csv", out)


def _skeleton(value: object, key: str = "") -> object:
    """The keys and the numbers of a JSON document; its sentences are the language's."""
    if isinstance(value, dict):
        return {name: _skeleton(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_skeleton(item, key) for item in value]
    if isinstance(value, str) and key in ("description", "reason", "effect", "text", "detail"):
        return "…"
    return value


def test_json_keys_and_numbers_stay_the_same() -> None:
    code, chinese, _ = zh("score", RULE, CSV, "--format", "json", "--explain")
    assert code == 0
    english = run("score", RULE, CSV, "--format", "json", "--explain")[1]
    assert chinese != english  # the ledger's sentences are Chinese
    assert _skeleton(json.loads(chinese)) == _skeleton(json.loads(english))


def test_owners_in_chinese() -> None:
    code, out, _ = zh("owners", RULE, CSV)
    assert code == 0
    check_golden(GOLDEN / "owners.txt", out)


def test_template_in_chinese() -> None:
    code, out, err = zh("template", RULE)
    assert code == 0
    check_golden(GOLDEN / "template.csv", out)
    check_golden(GOLDEN / "template.stderr.txt", err)


def test_test_in_chinese() -> None:
    code, out, _ = zh("test", RULE, "data/failing_example.rule")
    assert code == 1
    check_golden(GOLDEN / "test.txt", out)


def test_our_messages_in_chinese() -> None:
    _, _, err = zh("score", "data/nowhere.rule", CSV)
    assert "qualitykpi：无法读取 data/nowhere.rule：" in err
    _, _, err = zh("score", RULE, CSV, "--format", "xlsx")
    assert "错误：--format xlsx 输出的是 Excel 工作簿" in err
    code, _, err = zh("explain", RULE, CSV, "--entity", "兴隆台")
    assert code == 2
    assert "没有考核对象 '兴隆台'；是否要找 '兴隆台区'？" in err
    code, _, err = zh("score", "data/worked_example.rule", "data/bad_data.csv")
    assert code == 1
    assert "\n数据错误 " in err


def test_workbook_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "ranking.xlsx"
    code, _, _ = zh("score", RULE, CSV, "--explain", "-o", str(path))
    assert code == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["排名", "图表", "得分明细", "责任单位", "扣分说明"]
    assert [cell.value for cell in book["排名"][4]][:5] == [
        "排名",
        "考核对象",
        "总分",
        "等级",
        "否决项",
    ]


def test_a_command_run_on_its_own_honours_lang() -> None:
    from qualitykpi.cli import score_command

    result = CliRunner().invoke(score_command, ["--help", "--lang", "zh"], prog_name="score")
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：score [OPTIONS] RULE DATA")
