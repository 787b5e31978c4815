"""The language of the command: ``--lang``, help translated when it is shown, click's own words.

``--lang zh|en`` is on the group and on every command, and takes effect
before anything is printed wherever it stands (``score --help --lang zh``):
the command's ``main`` finds it on the command line first, then click parses it
as an ordinary option (so ``--lang fr`` is a usage error like any other).

Help texts are written in English, marked with ``N_``, and translated when
the help is rendered: :class:`Command`, :class:`Group` and :class:`Option`
keep the English text and give the translation.  The words click itself
prints ("Usage:", "Error: …", "Missing argument") come from click's own
``gettext`` calls; while the command runs, those calls answer from our
catalog (:func:`click_speaks`), which holds click's messages below.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from .i18n import LANGUAGES, N_, Language, _, language, use_language
from .source import display_width

LANG_HELP = N_(
    "Write messages, help and headings in zh (中文) or en (default: the locale's, else en)."
)
SHOW_HELP = N_("Show this message and exit.")
SHOW_VERSION = N_("Show the version and exit.")


class _Later(str):
    """A message click fills in with ``%`` when it prints it (``--version``'s):
    translated then, not when the command is defined."""

    def __mod__(self, values: Any) -> str:
        shown: str = _(str(self)) % values
        return shown


VERSION_MESSAGE = _Later(N_("%(prog)s, version %(version)s"))

#: What click prints in its own words, for the catalog: help headings and
#: usage errors.  A plural is two messages here (Chinese has one form), and
#: :func:`_click_ngettext` asks for the one click would print.
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Aborted!"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Option {name!r} requires an argument."),
    N_("Option {name!r} requires {nargs} arguments."),
    N_("Option {name!r} does not take a value."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("{value!r} is not {choice}."),
    N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
)

#: The click modules whose messages go through ``gettext`` (imported there
#: as ``_`` and ``ngettext``).
_CLICK_MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.types,
)


def _click_ngettext(singular: str, plural: str, count: int) -> str:
    return _(singular if count == 1 else plural)


@contextlib.contextmanager
def click_speaks() -> Iterator[None]:
    """While the command runs, click's messages come from our catalog.

    A message the catalog lacks, and every message in English, is click's
    own text unchanged.  The names are put back afterwards, so another
    click program in the same process is not affected.
    """
    saved: list[tuple[Any, str, Any]] = []
    for module in _CLICK_MODULES:
        for name, replacement in (("_", _), ("ngettext", _click_ngettext)):
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, replacement)
    missing = click.exceptions.MissingParameter
    saved.append((missing, "format_message", missing.format_message))
    missing.format_message = _full_stop(missing.format_message)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _full_stop(format_message: Callable[[Any], str]) -> Callable[[Any], str]:
    """click ends "Missing argument 'X'" with a period of its own, outside its
    messages: a Chinese sentence ends with 。"""

    def formatted(self: Any) -> str:
        text = format_message(self)
        if language() == "zh" and text.endswith("."):
            return text[:-1] + "。"
        return text

    return formatted


def requested_language(args: Sequence[str]) -> Language | None:
    """The language ``--lang`` names anywhere on the command line (before ``--``);
    None when it names none we speak (click then reports the bad value)."""
    found: Language | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value: str | None = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            # Exact codes only: `--lang fr` must stay a usage error.
            found = value if value in LANGUAGES else None
    return found


# ------------------------------------------------------------------ help


_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
#: A piece a Chinese line may break after: one wide character, a run of
#: other characters, or a run of spaces.
_PIECES = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+|\\s+")
#: Punctuation a line must not start with (it stays with the character before).
_NO_START = set("，。；：、）」』”’！？》】%")


def wrap_wide(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped to ``width`` terminal columns, a Chinese character counting two.

    Paragraphs are separated by a blank line, as in click; a line may break
    between two Chinese characters, never before closing punctuation.
    """
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        pieces: list[str] = []
        for piece in _PIECES.findall(" ".join(line.strip() for line in paragraph.splitlines())):
            if pieces and (
                piece in _NO_START or (piece[0] in _NO_START and not pieces[-1].isspace())
            ):
                pieces[-1] += piece
            else:
                pieces.append(piece)
        lines: list[str] = []
        line = ""
        for piece in pieces:
            if piece.isspace():
                piece = " "
                if not line:
                    continue
            if (
                line
                and display_width(indent + line.rstrip() + piece) > width
                and not piece.isspace()
            ):
                lines.append(line.rstrip())
                line = ""
            line += piece
        lines.append(line.rstrip())
        out.append("\n".join(indent + line for line in lines))
    return "\n\n".join(out)


class HelpFormatter(click.HelpFormatter):
    """click's help layout; in Chinese, wrapped by display width, with full-width colons."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None and language() == "zh":
            prefix = _("Usage:")
        elif prefix is None:
            prefix = f"{_('Usage:')} "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if language() != "zh":
            super().write_heading(heading)
            return
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        if language() != "zh":
            super().write_text(text)
            return
        self.write(wrap_wide(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        if language() != "zh":
            super().write_dl(list(rows), col_max, col_spacing)
            return
        rows = list(rows)
        first_width = min(
            max((display_width(first) for first, _second in rows), default=0), col_max
        )
        first_col = first_width + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_width:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - 2, 10)
            lines = wrap_wide(second, text_width).splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class _Shown:
    """An attribute kept in English (marked with ``N_``) and translated each
    time it is read: click reads help texts when it shows them."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, instance: object, owner: type | None = None) -> str | None:
        value: str | None = getattr(instance, self.slot, None)
        return None if value is None else _(value)

    def __set__(self, instance: object, value: str | None) -> None:
        setattr(instance, self.slot, value)


class Option(click.Option):
    """An option whose help is translated when it is shown."""

    help = _Shown()


def language_option() -> Option:
    return Option(
        ["--lang"],
        type=click.Choice(LANGUAGES),
        metavar="zh|en",
        expose_value=False,
        # Only checked and documented here: the command's main has already set it.
        help=LANG_HELP,
    )


class _Translated(click.Command):
    """A command whose help is written in English and shown in the language of the
    moment, with ``--lang``."""

    context_class = Context
    help = _Shown()
    short_help = _Shown()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(language_option())

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            # click makes it once, in the language of that moment.
            option.help = _(SHOW_HELP)
        return option

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        """Run the command in the language ``--lang`` asks for, wherever it stands."""
        chosen = requested_language(sys.argv[1:] if args is None else args)
        # Without --lang, a language set by the caller (or none: the locale) stays.
        scope = use_language(chosen) if chosen is not None else contextlib.nullcontext()
        with scope, click_speaks():
            return super().main(args, *rest, **kwargs)


class Command(_Translated):
    """A command of ``qualitykpi``."""


class Group(_Translated, click.Group):
    """The ``qualitykpi`` group: its commands are :class:`Command`."""

    command_class = Command


def option(*names: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``click.option`` with its help translated when shown."""
    return click.option(*names, cls=Option, **kwargs)
