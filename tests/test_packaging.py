"""The wheel carries the grammar; README and CI agree on the test command."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import qualitykpi as qk

ROOT = Path(__file__).resolve().parents[1]


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the Quickstart has exactly one code block"
    return [line for line in blocks[0].splitlines() if line.strip()]


def test_quickstart_has_two_commands_and_ci_runs_the_second() -> None:
    install_and_run, install_and_test = quickstart_commands()
    assert "pip install ." in install_and_run and "qualitykpi score" in install_and_run
    assert '".[test]"' in install_and_test and "pytest" in install_and_test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "sed -n 2p" in ci and "README.md" in ci


def test_quickstart_example_files_exist() -> None:
    install_and_run = quickstart_commands()[0]
    for path in re.findall(r"examples/\S+", install_and_run):
        assert (ROOT / path).is_file(), path


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import hatchling"], check=False).returncode != 0,
    reason="hatchling is needed to build the wheel",
)
def test_installed_wheel_parses_without_the_checkout(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    [wheel] = (tmp_path / "dist").glob("qualitykpi-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "qualitykpi/grammar/qualitykpi.lark" in names
        assert "qualitykpi/py.typed" in names
        archive.extractall(tmp_path / "site")
    probe = (
        "import qualitykpi, pathlib, sys\n"
        "here = pathlib.Path(qualitykpi.__file__).resolve()\n"
        "assert str(here).startswith(sys.argv[1]), here\n"
        's = qualitykpi.loads(\'scheme "s" { item "x" max 2 { input v: percent\\n'
        "at least 90% → full\\n otherwise → 1 } }')\n"
        "print(s.score({'v': '95'}).total)\n"
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r})\n" + probe,
            str(tmp_path / "site"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "2"


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_importing_the_package_loads_nothing_heavy() -> None:
    """``import qualitykpi`` loads its public names lazily (PEP 562)."""
    loaded = _modules_after("import qualitykpi")
    assert not {"lark", "attr", "click", "rich", "openpyxl"} & loaded
    assert "qualitykpi.checks" not in loaded


def test_loading_and_scoring_load_no_report_or_command_libraries() -> None:
    rule, data = (
        str(ROOT / "examples" / f"shuangtaizi-2016-2017.{kind}") for kind in ("rule", "csv")
    )
    loaded = _modules_after(
        "import qualitykpi as qk\n"
        f"scheme = qk.load({rule!r})\n"
        f"print(scheme.score_table(qk.read_table({data!r})))"
    )
    assert "qualitykpi.nodes.tree" in loaded
    assert not {"click", "rich", "openpyxl", "hypothesis"} & loaded
    # The static checks, coverage and verify are not part of loading.
    assert not {"qualitykpi.coverage", "qualitykpi.verify"} & loaded


def test_every_public_name_resolves() -> None:
    for name in qk.__all__:
        assert getattr(qk, name) is not None
    assert "Scheme" in dir(qk)
    with pytest.raises(AttributeError):
        qk.no_such_name  # noqa: B018


def _import_graph() -> dict[str, set[str]]:
    """Which of the package's modules each imports at run time, function-level
    imports included (what only type checkers read is left out)."""
    package = Path(qk.__file__).parent
    modules: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}

    class Imports(ast.NodeVisitor):
        def __init__(self, name: str, package: list[str]) -> None:
            self.name, self.package = name, package

        def visit_If(self, node: ast.If) -> None:
            if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                for statement in node.orelse:
                    self.visit(statement)
                return
            self.generic_visit(node)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level == 0:
                if not (node.module or "").startswith("qualitykpi"):
                    return
                base = node.module or ""
            else:
                parts = self.package[: len(self.package) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                if target in modules and target != self.name:
                    graph[self.name].add(target)

    for name, path in modules.items():
        package_parts = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        Imports(name, package_parts).visit(ast.parse(path.read_text(encoding="utf-8")))
    return graph


def test_no_module_imports_itself_back() -> None:
    """No import cycle, function-level imports included: each module sits above
    what it imports (``environment`` above ``scheme`` above the passes)."""
    graph = _import_graph()
    assert "qualitykpi.scheme" in graph["qualitykpi.environment"]

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            for following in graph[current]:
                if following == goal:
                    return True
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return False

    cycles = sorted(
        (module, imported)
        for module, imports in graph.items()
        for imported in imports
        if reaches(imported, module)
    )
    assert not cycles, cycles
