"""The options that choose the extensions a command loads rules with.

Every command that loads rules takes ``--env MODULE:ATTRIBUTE`` and
``--no-plugins``.  The environment they describe is made once, before the
command reads any file, so that a broken plugin is reported the same way
whatever the files say; the command then loads with :func:`current`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from .cli_language import option
from .environment import Environment
from .i18n import N_
from .plugins import PluginError, command_environment

_KEY = "qualitykpi.environment"


def environment_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add ``--env`` and ``--no-plugins`` to ``command`` and make its environment."""

    @functools.wraps(command)
    def run(*args: Any, env: str | None, no_plugins: bool, **kwargs: Any) -> None:
        try:
            environment = command_environment(env, plugins=not no_plugins)
        except PluginError as error:
            click.echo(f"qualitykpi: {error}", err=True)
            raise SystemExit(2) from None
        click.get_current_context().meta[_KEY] = environment
        command(*args, **kwargs)

    without = option(
        "--no-plugins",
        is_flag=True,
        envvar="QUALITYKPI_NO_PLUGINS",
        # The entry-point group is spelt out: a help text is one whole message.
        help=N_("Do not load the installed plugins (entry points of qualitykpi.plugins)."),
    )(run)
    return option(
        "--env",
        metavar="MODULE:ATTRIBUTE",
        envvar="QUALITYKPI_ENV",
        help=N_(
            "Also use the scorers and statistics of this qualitykpi Environment "
            "(a module of the current folder or an installed one; importing it runs its code)."
        ),
    )(without)


def current() -> Environment:
    """The environment of the running command, made by :func:`environment_options`."""
    environment = click.get_current_context().meta.get(_KEY)
    # A command that loads rules without the options would silently lose
    # the user's plugins: fail loudly instead.
    if not isinstance(environment, Environment):
        raise RuntimeError("this command loads rules but has no --env option")
    return environment
