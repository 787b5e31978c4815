"""What every report file (workbook, HTML page, Word document) is written from.

``qualitykpi report`` reads the rule and the data, scores them, and hands one
:class:`ReportInfo` with the scheme and the results to the writer its output
file's suffix names.  The writers of the richer formats need libraries the
core does not install (the ``reports`` extra); :func:`require` imports one or
says which extra brings it.
"""

from __future__ import annotations

import datetime
import importlib
from types import ModuleType

import attrs

from ..i18n import _


@attrs.frozen
class ReportInfo:
    """What the office says about a report beyond the scheme and the results."""

    #: The report's title; ``None`` means the scheme's name.
    title: str | None = None
    #: The assessment year or period as the office writes it (``2021``, ``2016—2017``).
    year: str | None = None
    #: The date printed on the report.
    date: datetime.date = attrs.field(factory=datetime.date.today)
    #: Paragraphs the office writes into the 通报 (its notes), in order.
    notes: tuple[str, ...] = ()


class MissingExtra(Exception):
    """A report format needs a library that is not installed."""


def require(module: str, extra: str = "reports") -> ModuleType:
    """Import ``module``, or say which extra of qualitykpi installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        message = _(
            "this report needs {module}, which is not installed; "
            'install it with: pip install "qualitykpi[{extra}]"'
        )
        package = _PACKAGES.get(module.partition(".")[0], module)
        raise MissingExtra(message.format(module=package, extra=extra)) from error


#: The package that installs a module, where the two names differ.
_PACKAGES = {"docx": "python-docx"}
