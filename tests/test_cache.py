"""Compiled schemes kept between runs (qualitykpi.cache).

A rule loaded again in a new process comes from the cache without the
parser or Lark, and behaves exactly as one compiled afresh; a changed rule
or a changed qualitykpi is never answered from it; a damaged file is
compiled again; a host's registered code is never kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import qualitykpi as qk
from qualitykpi import cache

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

PROGRAM = f"""
import json, sys
import qualitykpi as qk
scheme = qk.load({str(EXAMPLES / "shuangtaizi-2016-2017.rule")!r})
results = scheme.score_table(qk.read_table({str(EXAMPLES / "shuangtaizi-2016-2017.csv")!r}))
print(json.dumps({{
    "lark": "lark" in sys.modules,
    "totals": [[r.entity, str(r.total), r.grade] for r in results],
    "scores": [sorted((k, str(v)) for k, v in r.scores.items()) for r in results],
    "ledger": [[str(e.amount), e.reason] for e in results["盘山县"].lost_points()],
    "check": [d.code for d in scheme.check()],
    "examples": [o.passed for o in scheme.run_examples()],
}}, ensure_ascii=False))
"""


def _run(folder: Path) -> dict[str, object]:
    env = {**os.environ, cache.CACHE_ENV: str(folder)}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("scheme-*.pickle"))


def test_a_rule_loaded_again_comes_from_the_cache_and_behaves_the_same(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first["lark"] is True and len(_kept(tmp_path)) == 1
    again = _run(tmp_path)
    assert again["lark"] is False  # neither the parser nor Lark was needed
    assert {**again, "lark": True} == first


def test_a_damaged_file_is_compiled_again(tmp_path: Path) -> None:
    _run(tmp_path)
    (kept,) = _kept(tmp_path)
    kept.write_bytes(b"not a pickle")
    again = _run(tmp_path)
    assert again["lark"] is True  # compiled afresh…
    assert kept.read_bytes() != b"not a pickle"  # …and kept again


def test_a_changed_rule_or_qualitykpi_has_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.scheme_key('scheme "s" { }', "a.rule")
    assert cache.scheme_key('scheme "s" {  }', "a.rule") != key
    assert cache.scheme_key('scheme "s" { }', "b.rule") != key
    monkeypatch.setattr(cache, "_fingerprint", lambda: b"another qualitykpi")
    assert cache.scheme_key('scheme "s" { }', "a.rule") != key


RULE = 'scheme "s" { item "i" max 2 { input x: number\n at least 1 → full\n otherwise → 0 } }'


def test_a_rule_that_uses_registered_code_is_never_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    env = qk.Environment()
    env.register_statistic("first", lambda values: values[0])
    hosted = RULE.replace("at least 1", "at least 100% of peer first")
    assert env.loads(hosted, "hosted.rule").uses_extensions()
    assert _kept(tmp_path) == []
    # A rule that uses nothing registered compiles the same whatever is
    # registered: it is kept, and found again by an environment without any.
    env.loads(RULE, "plain.rule")
    assert len(_kept(tmp_path)) == 1
    assert qk.Environment().loads(RULE, "plain.rule").score({"x": "1"}).total == 2


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "")
    assert cache.folder() is None
    assert qk.Environment().loads(RULE, "off.rule").score({"x": "1"}).total == 2
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert _kept(tmp_path) == []


def test_the_folder_keeps_the_most_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(cache, "SCHEMES_KEPT", 3)
    for index in range(5):
        qk.Environment().loads(RULE.replace("max 2", f"max {index + 2}"), f"r{index}.rule")
    assert len(_kept(tmp_path)) == 3
