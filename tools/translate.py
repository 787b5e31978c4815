"""Fill translations into the catalog from a JSON object {msgid: msgstr}.

    python tools/translate.py translations.json

For scripted merges of translations; a translator edits the .po directly.
"""

from __future__ import annotations

import json
import sys

from babel.messages.pofile import read_po, write_po
from catalog import PO


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        wanted: dict[str, str] = json.load(handle)
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN", domain="qualitykpi")
    for message in catalog:
        if isinstance(message.id, str) and message.id in wanted:
            message.string = wanted[message.id]
            message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, include_lineno=False, sort_by_file=True)


if __name__ == "__main__":
    main(sys.argv[1])
