"""Extensions on the command line: installed plugins, ``--env``, and the opt-out.

The command runs as users run it, the installed console script in a
subprocess, so that entry points are read from installed metadata and
nothing imported by the test process leaks in.  A fake plugin is a
``*.dist-info`` folder with an ``entry_points.txt`` on ``PYTHONPATH``:
discovery without pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import qualitykpi as qk
from conftest import ROOT, check_golden
from qualitykpi.cli import main
from qualitykpi.plugins import GROUP

GOLDEN = Path(__file__).resolve().parent / "golden" / "cli"
EXAMPLES = ROOT / "examples"
PLUGIN = EXAMPLES / "efficacy-plugin"
COMMAND = shutil.which("qualitykpi", path=str(Path(sys.executable).parent))

# Uses a statistic and a scorer that only the fake plugin `fake` provides.
FAKE_RULE = """\
scheme "s" {
  item "x" max 4 {
    input v: count
    at least 100% of peer top → full
    otherwise → 1
    example v = 5 given peer top 5 → 4
  }
  item "y" max 2 {
    input w: number
    using half
    example w = 3 → 1
  }
}
"""

FAKE_MODULE = """\
from fractions import Fraction

import qualitykpi as qk


class Half(qk.CustomScorer):
    def score(self, value, maximum):
        return maximum / 2


def register(environment):
    environment.register_statistic("top", max)
    environment.register_scorer("half", Half)
"""


def qualitykpi(
    *args: str, cwd: Path = ROOT, path: Path | None = None, **variables: str
) -> subprocess.CompletedProcess[str]:
    """The installed ``qualitykpi`` command, in a clean environment."""
    assert COMMAND is not None, "the qualitykpi console script is not installed"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "QUALITYKPI_ENV", "QUALITYKPI_NO_PLUGINS"}
    }
    if path is not None:
        env["PYTHONPATH"] = str(path)
    env.update(variables)
    return subprocess.run(
        [COMMAND, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def fake_distribution(site: Path, name: str, entry_points: str, module: str = "") -> None:
    """An installed distribution as importlib.metadata sees one: metadata and entry points."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entry_points}\n", encoding="utf-8")
    if module:
        (site / f"{name.replace('-', '_')}.py").write_text(module, encoding="utf-8")


def one_line_error(completed: subprocess.CompletedProcess[str]) -> str:
    """The message of a failure that must be exit 2, one line, no traceback."""
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    return lines[0]


def _plugin_installed() -> bool:
    from importlib.metadata import entry_points

    return any(entry.value == "qualitykpi_efficacy:register" for entry in entry_points(group=GROUP))


@pytest.fixture(scope="module")
def installed_plugin() -> None:
    # Not a skip: the Quickstart installs the example plugin, and a suite
    # that silently skipped these would not test the command's plugins.
    assert _plugin_installed(), (
        "the example plugin is not installed: pip install ./examples/efficacy-plugin "
        "(README's Quickstart does)"
    )


# ------------------------------------------------------- the shipped examples


def test_the_command_tests_every_shipped_example(installed_plugin: None) -> None:
    rules = sorted(str(path.relative_to(ROOT)) for path in EXAMPLES.glob("*.rule"))
    assert "examples/efficacy.rule" in rules
    completed = qualitykpi("test", *rules)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stderr == ""
    assert "examples/efficacy.rule: 7 examples, 7 passed, 0 failed" in completed.stdout


def test_the_installed_plugin_is_the_python_plugin_environment(installed_plugin: None) -> None:
    environment = qk.plugin_environment()
    assert set(environment.scorers) >= {"efficacy"}
    assert set(environment.statistics) >= {"p75"}
    scheme = environment.load(EXAMPLES / "efficacy.rule")
    assert all(outcome.passed for outcome in scheme.run_examples())
    # Each call makes a new environment: registering on one changes no other.
    assert qk.plugin_environment() is not environment


def test_the_python_defaults_load_no_plugin(installed_plugin: None) -> None:
    assert not qk.Environment().scorers
    with pytest.raises(qk.RuleErrors):
        qk.load(EXAMPLES / "efficacy.rule")


def test_no_plugins_opts_out(installed_plugin: None) -> None:
    for completed in (
        qualitykpi("test", "examples/efficacy.rule", "--no-plugins"),
        qualitykpi("test", "examples/efficacy.rule", QUALITYKPI_NO_PLUGINS="1"),
    ):
        assert completed.returncode == 2
        assert "no scorer named `efficacy` is registered" in completed.stderr
    assert qualitykpi("test", "examples/efficacy.rule", QUALITYKPI_NO_PLUGINS="0").returncode == 0


# ---------------------------------------------------------------------- --env


def test_env_names_a_host_programs_environment() -> None:
    """The example of docs/cli.rst: the host program's environment, no plugin."""
    completed = qualitykpi(
        "test", "examples/efficacy.rule", "--no-plugins", "--env", "examples.efficacy:ENVIRONMENT"
    )
    assert (completed.returncode, completed.stderr) == (0, ""), completed.stderr
    check_golden(GOLDEN / "test_env.txt", completed.stdout)
    page = (ROOT / "docs" / "cli.rst").read_text(encoding="utf-8")
    shown = (
        "$ qualitykpi test examples/efficacy.rule --no-plugins "
        "--env examples.efficacy:ENVIRONMENT\n" + completed.stdout
    )
    assert textwrap.indent(shown, "   ") in page


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with its own rules module, as `--env myrules:ENV` expects."""
    (tmp_path / "rule.rule").write_text(FAKE_RULE, encoding="utf-8")
    (tmp_path / "myrules.py").write_text(
        FAKE_MODULE
        + textwrap.dedent(
            """
            ENV = qk.Environment()
            register(ENV)
            COHORT = []


            def make():
                environment = qk.Environment()
                register(environment)
                return environment


            def make_wrong():
                return 3


            def fails():
                raise ValueError("no configuration")


            def p75_clash():
                environment = qk.Environment()
                environment.register_statistic("p75", min)
                return environment
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "broken.py").write_text("1 / 0\n", encoding="utf-8")
    (tmp_path / "needs.py").write_text("import nowhere_else\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("spec", ["myrules:ENV", "myrules:make"])
def test_env_from_the_current_folder(project: Path, spec: str) -> None:
    completed = qualitykpi("test", "rule.rule", "--env", spec, cwd=project)
    assert (completed.returncode, completed.stderr) == (0, ""), completed.stderr
    assert "rule.rule: 2 examples, 2 passed, 0 failed" in completed.stdout
    # Without it, the rule names what nobody registered.
    assert qualitykpi("test", "rule.rule", cwd=project).returncode == 2


def test_env_from_the_environment_variable(project: Path) -> None:
    completed = qualitykpi("check", "rule.rule", cwd=project, QUALITYKPI_ENV="myrules:ENV")
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("myrules", "write the module and the environment in it as MODULE:ATTRIBUTE"),
        ("myrules:", "write the module and the environment in it as MODULE:ATTRIBUTE"),
        (
            "nosuch:ENV",
            "there is no module `nosuch` in the current folder or among the installed packages",
        ),
        ("myrules:ENVV", "module `myrules` has no attribute `ENVV` (its environments: ENV)"),
        ("myrules:COHORT", "`COHORT` is a list, not a qualitykpi Environment or a function"),
        ("myrules:make_wrong", "`make_wrong()` returned an int, not a qualitykpi Environment"),
        ("myrules:fails", "calling `fails()` failed: ValueError: no configuration"),
        ("broken:ENV", "importing `broken` failed: ZeroDivisionError: division by zero"),
        (
            "needs:ENV",
            "importing `needs` failed: ModuleNotFoundError: No module named 'nowhere_else'",
        ),
    ],
)
def test_a_bad_env_is_exit_2_naming_it(project: Path, spec: str, message: str) -> None:
    line = one_line_error(qualitykpi("test", "rule.rule", "--env", spec, cwd=project))
    assert line.startswith(f"qualitykpi: --env {spec}: {message}"), line


def test_env_and_a_plugin_registering_one_name_clash(project: Path, installed_plugin: None) -> None:
    line = one_line_error(
        qualitykpi("test", "rule.rule", "--env", "myrules:p75_clash", cwd=project)
    )
    assert line.startswith(
        "qualitykpi: the statistic `p75` is registered by both plugin `efficacy`"
    )
    assert line.endswith("and --env myrules:p75_clash")


def test_env_repeating_the_plugins_is_no_clash(installed_plugin: None) -> None:
    """examples/efficacy.py registers the very functions the plugin does."""
    completed = qualitykpi(
        "test", "examples/efficacy.rule", "--env", "examples.efficacy:ENVIRONMENT"
    )
    assert completed.returncode == 0, completed.stderr


def test_every_command_that_loads_rules_takes_the_options() -> None:
    loading = 0
    for command in main.commands.values():
        names = {param.name for param in command.params}
        if names & {"rule", "rules"}:
            loading += 1
            assert {"env", "no_plugins"} <= names, command.name
    assert loading == 8


# -------------------------------------------------- entry-point discovery


def test_a_plugin_is_found_by_its_entry_point(tmp_path: Path) -> None:
    site = tmp_path / "site"
    fake_distribution(site, "fake", "fake = fake:register", FAKE_MODULE)
    (tmp_path / "rule.rule").write_text(FAKE_RULE, encoding="utf-8")
    completed = qualitykpi("test", "rule.rule", cwd=tmp_path, path=site)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert qualitykpi("test", "rule.rule", "--no-plugins", cwd=tmp_path, path=site).returncode == 2
    probe = "import qualitykpi; print(sorted(qualitykpi.plugin_environment().scorers))"
    python = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "'half'" in python.stdout


def test_two_plugins_registering_one_name_is_an_error_naming_both(tmp_path: Path) -> None:
    site = tmp_path / "site"
    fake_distribution(site, "fake-a", "top = fake_a:register", FAKE_MODULE)
    fake_distribution(site, "fake-b", "top = fake_b:register", FAKE_MODULE)
    (tmp_path / "rule.rule").write_text(FAKE_RULE, encoding="utf-8")
    line = one_line_error(qualitykpi("test", "rule.rule", cwd=tmp_path, path=site))
    assert line == (
        "qualitykpi: the scorer `half` is registered by both plugin `top` "
        "(fake_a:register, from fake-a 1.0) and plugin `top` (fake_b:register, from fake-b 1.0)"
    )
    # Without plugins, the rule is checked, and only lacks its extensions.
    opted_out = qualitykpi("check", "rule.rule", "--no-plugins", cwd=tmp_path, path=site)
    assert "registered by both" not in opted_out.stderr
    assert "error[unknown-scorer]" in opted_out.stdout


@pytest.mark.parametrize(
    ("entry", "module", "message"),
    [
        (
            "ghost = ghost_module:register",
            "",
            "plugin `ghost` (ghost_module:register, from ghost 1.0) failed to load: "
            "ModuleNotFoundError: No module named 'ghost_module'",
        ),
        (
            "ghost = ghost:missing",
            "def register(environment):\n    pass\n",
            "plugin `ghost` (ghost:missing, from ghost 1.0) failed to load: AttributeError",
        ),
        (
            "ghost = ghost:REGISTER",
            "REGISTER = 3\n",
            "plugin `ghost` (ghost:REGISTER, from ghost 1.0) names an int, "
            "not a function register(environment)",
        ),
        (
            "ghost = ghost:register",
            "def register(environment):\n    environment.register_statistic('mean', max)\n",
            "plugin `ghost` (ghost:register, from ghost 1.0) failed to register: ValueError: "
            "'mean' is built in and cannot be registered",
        ),
    ],
)
def test_a_broken_plugin_is_exit_2_naming_it_and_its_distribution(
    tmp_path: Path, entry: str, module: str, message: str
) -> None:
    site = tmp_path / "site"
    fake_distribution(site, "ghost", entry, module)
    (tmp_path / "rule.rule").write_text(FAKE_RULE, encoding="utf-8")
    line = one_line_error(qualitykpi("test", "rule.rule", cwd=tmp_path, path=site))
    assert line.startswith(f"qualitykpi: {message}"), line
    with pytest.raises(qk.PluginError, match="plugin `ghost`"):
        subprocess_plugin_environment(site)
    # The opt-out is the way round a broken installation.
    ok = qualitykpi("test", "examples/henan-2021.rule", path=site, QUALITYKPI_NO_PLUGINS="1")
    assert (ok.returncode, ok.stderr) == (0, "")


def subprocess_plugin_environment(site: Path) -> None:
    """qualitykpi.plugin_environment() where ``site`` is on the path, its error re-raised."""
    code = (
        "import qualitykpi\n"
        "try:\n    qualitykpi.plugin_environment()\n"
        "except qualitykpi.PluginError as error:\n    print(error)\n    raise SystemExit(3)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode == 3:
        raise qk.PluginError(completed.stdout.strip())
    assert completed.returncode == 0, completed.stderr


# ------------------------------------------------------- library, packaging


def test_import_qualitykpi_reads_no_entry_points() -> None:
    code = (
        "import sys, qualitykpi\n"
        "print(sorted(m for m in ('importlib.metadata', 'click', 'rich', 'openpyxl') "
        "if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_the_example_plugin_declares_the_group() -> None:
    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"][GROUP] == {"efficacy": "qualitykpi_efficacy:register"}


def test_the_documented_plugin_declares_the_group() -> None:
    """The pyproject snippet of docs/extending.rst is a working declaration."""
    from test_docs import code_blocks

    [snippet] = [
        block for block in code_blocks(ROOT / "docs" / "extending.rst") if block.language == "toml"
    ]
    declared = tomllib.loads(snippet.text)["project"]["entry-points"][GROUP]
    assert declared == {"quartiles": "qualitykpi_quartiles:register"}


def test_the_host_program_runs_without_the_plugin_installed() -> None:
    """examples/efficacy.py, run by path, falls back to the plugin's source."""
    # Only the checkout's source may provide the plugin: the installed copy
    # (in site-packages, or on sys.path through an editable install) is hidden.
    code = textwrap.dedent(
        """
        import importlib.abc, importlib.machinery, runpy, sys

        source = sys.argv[2]
        sys.path[:] = [entry for entry in sys.path if entry != source]

        class OnlyTheSource(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name != "qualitykpi_efficacy":
                    return None
                spec = importlib.machinery.PathFinder.find_spec(
                    name, [entry for entry in sys.path if entry == source]
                )
                if spec is None:
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return spec

        sys.meta_path.insert(0, OnlyTheSource())
        runpy.run_path(sys.argv[1], run_name="__main__")
        print(sys.modules["qualitykpi_efficacy"].__file__)
        """
    )
    source = str(PLUGIN / "src")
    run = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "efficacy.py"), source],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "1  甲市  19.8 of 20" in run.stdout
    assert run.stdout.strip().splitlines()[-1].startswith(source)
