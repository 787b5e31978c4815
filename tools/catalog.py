"""Keep the message catalog in step with the code.

    python tools/catalog.py update   # add new messages, drop stale ones
    python tools/catalog.py check    # exit 1 when a message lacks a translation

``update`` extracts every string marked with ``_``, ``N_`` or ``ngettext``
from ``src/qualitykpi`` and merges it into
``src/qualitykpi/locale/zh_CN/LC_MESSAGES/qualitykpi.po``: translations
already there are kept, new messages arrive with an empty ``msgstr`` for the
translator, and messages no longer in the code are dropped.  The test suite
(``tests/test_i18n.py``) fails while any message is untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from qualitykpi.i18n import KEYWORDS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "qualitykpi"
PO = SOURCE / "locale" / "zh_CN" / "LC_MESSAGES" / "qualitykpi.po"


def extracted() -> Catalog:
    catalog = Catalog(project="qualitykpi", domain="qualitykpi")
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        catalog.add(
            message,
            None,
            [(f"src/qualitykpi/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def read(path: Path = PO) -> Catalog:
    """A catalog file (this one's, by default)."""
    with path.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain="qualitykpi")


def write(catalog: Catalog) -> None:
    """Write ``catalog`` as this catalog file, without line numbers (see ``update``)."""
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, include_lineno=False, sort_by_file=True)


def update() -> None:
    template = extracted()
    if PO.exists():
        catalog = read()
    else:
        catalog = Catalog(locale="zh_CN", project="qualitykpi", domain="qualitykpi")
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    # The header is filled in, and dates and line numbers left out of the
    # diff: a change to the code should change only the messages it changed.
    catalog.fuzzy = False
    catalog.creation_date = created
    catalog.project = "qualitykpi"
    catalog.copyright_holder = "the qualitykpi team"
    catalog.last_translator = "the qualitykpi team"
    catalog.language_team = "Chinese (Simplified)"
    write(catalog)


def check() -> int:
    catalog = read()
    missing = [
        message.id
        for message in catalog
        if message.id and (not message.string or message.fuzzy or not all(message.string))
    ]
    for identifier in missing:
        print(f"untranslated: {identifier!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"usage: python tools/catalog.py update|check (not {command!r})")
