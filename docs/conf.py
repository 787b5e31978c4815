"""Sphinx configuration for the qualitykpi documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``; the test
``tests/test_docs.py`` builds the same way and runs every example in the
pages.
"""

from __future__ import annotations

import re

project = "qualitykpi"
author = "The qualitykpi team"
copyright = "the qualitykpi team"
release = "0.1.0"

# The API reference (api.rst) is read from the docstrings.
extensions: list[str] = ["sphinx.ext.autodoc"]

# Members in the order the source defines them, type hints in the
# signatures (a long signature is set one parameter a line), and only the
# members a page names.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = False
autodoc_inherit_docstrings = False
python_maximum_signature_line_length = 88

root_doc = "index"
exclude_patterns = ["_build"]
language = "en"

# Rule code blocks name the `qualitykpi` lexer (found through its Pygments
# entry point); other blocks are shown as plain text.
highlight_language = "none"

html_theme = "alabaster"
html_title = "qualitykpi"
html_static_path: list[str] = []


def _factory_defaults(
    app: object,
    what: str,
    name: str,
    obj: object,
    options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None]:
    """Show an attrs field built by a factory as a call of it: ``targets = dict()``.

    attrs writes such a default as the sentinel ``NOTHING`` in the generated
    ``__init__``, which would read as a value.
    """
    import attrs

    if signature is None or not isinstance(obj, type) or not attrs.has(obj):
        return signature, return_annotation
    for field in attrs.fields(obj):
        if field.init and isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            factory = getattr(field.default.factory, "__name__", "")
            call = f"{factory}()" if factory.isidentifier() else "..."
            signature = re.sub(r"\bNOTHING\b", call, signature, count=1)
    return signature, return_annotation


def setup(app: object) -> None:
    app.connect("autodoc-process-signature", _factory_defaults)  # type: ignore[attr-defined]
