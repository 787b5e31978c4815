"""The user's cache folder, and the compiled schemes kept in it between runs.

Two things are kept: the parse tables of the grammar (:mod:`qualitykpi.parser`)
and compiled schemes.  Loading a rule file a second time, in a new process,
then skips the parser, the analysis and the compiler — and the import of
Lark.  A compiled scheme is kept under a key that hashes its text, its name
and the *contents* of qualitykpi's own source files and grammar, so that a
changed rule or a changed qualitykpi can never be answered from the cache.
A scheme that uses a registered scorer or statistic is not kept: a host's
scorers are its code, not the cache's; one that uses none compiles the same
whatever is registered, so it is kept and found by any environment.

The files are pickles, so loading one trusts it: they live in the user's own
cache directory, never in a shared temporary one.  ``QUALITYKPI_CACHE_DIR``
moves the folder; set empty, it turns both caches off.  A file that cannot
be read is removed and the rule compiled again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from .i18n import language

if TYPE_CHECKING:
    from .scheme import Scheme

CACHE_ENV = "QUALITYKPI_CACHE_DIR"
#: How many compiled schemes the folder keeps (the most recently used).
SCHEMES_KEPT = 64
_PREFIX = "scheme-"


def folder() -> Path | None:
    """The cache folder (created), or None when caching is off or impossible."""
    configured = os.environ.get(CACHE_ENV)
    if configured == "":
        return None
    where = (
        Path(configured)
        if configured
        else Path(platformdirs.user_cache_dir("qualitykpi", appauthor=False))
    )
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return where


@functools.cache
def _fingerprint() -> bytes:
    """A hash of qualitykpi's own code and grammar, as installed, and the Python
    that unpickles them."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(sys.version.encode())
    files = sorted(package.rglob("*.py")) + sorted(package.rglob("*.lark"))
    files += sorted(package.rglob("*.po"))
    checkout = package.parents[1] / "grammar"
    files += sorted(checkout.glob("*.lark")) if checkout.is_dir() else []
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(path.read_bytes())
    return digest.digest()


def scheme_key(text: str, name: str) -> str:
    # A scheme holds messages (its rule errors, its notes) in the language it
    # was compiled in, so each language keeps its own copy.
    digest = hashlib.sha256(_fingerprint() + language().encode())
    digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read_scheme(key: str) -> Scheme | None:
    """The scheme kept under ``key``, or None."""
    where = folder()
    if where is None:
        return None
    path = where / f"{_PREFIX}{key}.pickle"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        scheme = pickle.loads(data)
    except Exception:  # a damaged or foreign file: compile again
        path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longer
    return scheme  # type: ignore[no-any-return]


def write_scheme(key: str, scheme: Scheme) -> None:
    """Keep ``scheme`` under ``key``; a folder that cannot be written is no error."""
    where = folder()
    if where is None:
        return
    try:
        data = pickle.dumps(scheme, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # something in it is not data (a host's object): not kept
    try:
        with tempfile.NamedTemporaryFile(dir=where, delete=False, suffix=".tmp") as out:
            out.write(data)
        os.replace(out.name, where / f"{_PREFIX}{key}.pickle")
        _prune(where)
    except OSError:
        return


def _prune(where: Path) -> None:
    kept = sorted(
        where.glob(f"{_PREFIX}*.pickle"), key=lambda path: path.stat().st_mtime, reverse=True
    )
    for old in kept[SCHEMES_KEPT:]:
        old.unlink(missing_ok=True)
