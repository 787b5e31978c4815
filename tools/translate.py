"""Fill translations into the catalog from a JSON object {msgid: msgstr}.

    python tools/translate.py translations.json

For scripted merges of translations; a translator edits the .po directly.
"""

from __future__ import annotations

import json
import sys

from catalog import read, write


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        wanted: dict[str, str] = json.load(handle)
    catalog = read()
    for message in catalog:
        if isinstance(message.id, str) and message.id in wanted:
            message.string = wanted[message.id]
            message.flags.discard("fuzzy")
    write(catalog)


if __name__ == "__main__":
    main(sys.argv[1])
