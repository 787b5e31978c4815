"""Sphinx configuration for the qualitykpi documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``; the test
``tests/test_docs.py`` builds the same way and runs every example in the
pages.
"""

from __future__ import annotations

project = "qualitykpi"
author = "The qualitykpi team"
copyright = "the qualitykpi team"
release = "0.1.0"

extensions: list[str] = []

root_doc = "index"
exclude_patterns = ["_build"]
language = "en"

# Rule code blocks name the `qualitykpi` lexer (found through its Pygments
# entry point); other blocks are shown as plain text.
highlight_language = "none"

html_theme = "alabaster"
html_title = "qualitykpi"
html_static_path: list[str] = []
