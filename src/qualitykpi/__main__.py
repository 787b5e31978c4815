"""``python -m qualitykpi`` is the ``qualitykpi`` command."""

from .cli import main

main()
