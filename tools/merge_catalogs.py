"""Take the translations of several versions of the catalog into the current one.

    python tools/merge_catalogs.py OTHER.po [OTHER.po …]

When branches that each translated their own messages are merged, the
catalog conflicts.  Resolve the code, run ``python tools/catalog.py
update`` on any one version of the catalog, then this: every message still
untranslated takes the translation another version gives it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from catalog import read, write


def main(others: list[str]) -> None:
    found: dict[object, object] = {}
    for path in others:
        for message in read(Path(path)):
            if message.id and message.string and not message.fuzzy:
                # One msgid may have a translation per context ("max" of a node, of a cohort).
                found.setdefault((message.context, message.id), message.string)
    catalog = read()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        key = (message.context, message.id)
        if message.id and not all(strings) and key in found:
            message.string = found[key]
            message.flags.discard("fuzzy")
    write(catalog)


if __name__ == "__main__":
    main(sys.argv[1:])
