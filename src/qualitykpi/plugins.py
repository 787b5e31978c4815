"""Extensions from outside the rule file: installed plugins and ``--env`` environments.

A rule file names scorers and statistics; it never says where their code
comes from.  A program decides that: a host program by registering on its
own :class:`~qualitykpi.Environment`, the ``qualitykpi`` command by
gathering

* every **installed plugin**: an entry point in the group ``qualitykpi.plugins``
  of an installed distribution, naming a function ``register(environment)``
  that registers the plugin's scorers and statistics; and
* the environment that ``--env MODULE:ATTRIBUTE`` names, if any.

:func:`plugin_environment` gives Python programs the same plugins as the
command, through the same code.  Nothing here runs at ``import qualitykpi``:
the installed distributions are read (``importlib.metadata``) only when
plugins are asked for.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from .environment import Environment
from .i18n import _
from .registry import ScorerKind, Statistic

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

#: The entry-point group through which installed distributions add scorers and statistics.
GROUP = "qualitykpi.plugins"


class PluginError(ImportError):
    """A plugin or an ``--env`` environment that cannot be used.

    It failed to import or to register, is not what it should be, or
    registers a name that another plugin registers too.  The message is one
    sentence naming the plugin and its distribution (or the ``--env`` spec).
    """


def plugin_environment() -> Environment:
    """A new environment holding the scorers and statistics of every installed plugin.

    These are what the ``qualitykpi`` command uses (without ``--no-plugins``).
    :func:`qualitykpi.load` and a new :class:`~qualitykpi.Environment` know
    no plugin: a program that wants them asks with this function.  Raises
    :class:`PluginError` when a plugin cannot be loaded or two plugins
    register the same name.
    """
    return _with_plugins().environment


def command_environment(spec: str | None = None, *, plugins: bool = True) -> Environment:
    """The environment the ``qualitykpi`` command loads rules with.

    The installed plugins (unless ``plugins`` is false), and the environment
    that ``spec`` (``MODULE:ATTRIBUTE``, see :func:`environment_from_spec`)
    names.  A name both register is a :class:`PluginError`, unless both
    registered the very same factory or function (an ``--env`` environment
    built on :func:`plugin_environment` repeats the plugins').
    """
    assembly = _with_plugins() if plugins else _Assembly()
    if spec is not None:
        assembly.add(environment_from_spec(spec), f"--env {spec}", same_is_fine=True)
    return assembly.environment


def environment_from_spec(spec: str) -> Environment:
    """The environment ``MODULE:ATTRIBUTE`` names, as ``--env`` takes it.

    ``MODULE`` is imported (the current folder first, as ``python -m``
    does, so a project's own module is found); ``ATTRIBUTE`` (dots reach
    into it) is an :class:`~qualitykpi.Environment`, or a function taking
    no argument that returns one.  Importing a module runs its code: name
    only modules you trust.
    """
    module_name, _colon, attribute = spec.partition(":")
    if not (_dotted(module_name) and _dotted(attribute)):
        raise PluginError(
            _(
                "--env {spec}: write the module and the environment in it as "
                "MODULE:ATTRIBUTE, such as myrules:ENVIRONMENT"
            ).format(spec=spec)
        )
    here = os.getcwd()
    if here not in sys.path:
        # The command's own folder comes first on sys.path, not the user's:
        # put the current folder there as `python -m`, uvicorn and flask do.
        sys.path.insert(0, here)
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        # Only the module itself missing, not a module it imports in turn.
        if isinstance(error, ModuleNotFoundError) and _within(module_name, error.name):
            raise PluginError(
                _(
                    "--env {spec}: there is no module `{module_name}` in the current "
                    "folder or among the installed packages"
                ).format(spec=spec, module_name=module_name)
            ) from None
        raise PluginError(
            _("--env {spec}: importing `{module_name}` failed: {error}").format(
                spec=spec, module_name=module_name, error=_why(error)
            )
        ) from None
    value: object = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            known = [name for name, item in vars(module).items() if isinstance(item, Environment)]
            if known:
                message = _(
                    "--env {spec}: module `{module}` has no attribute `{attribute}` "
                    "(its environments: {known})"
                )
            else:
                message = _("--env {spec}: module `{module}` has no attribute `{attribute}`")
            raise PluginError(
                message.format(
                    spec=spec, module=module_name, attribute=attribute, known=", ".join(known)
                )
            ) from None
    if isinstance(value, Environment):
        return value
    if not callable(value):
        raise PluginError(
            _(
                "--env {spec}: `{attribute}` is {value}, not a qualitykpi Environment "
                "or a function returning one"
            ).format(spec=spec, attribute=attribute, value=_kind(value))
        )
    try:
        made = value()
    except Exception as error:
        raise PluginError(
            _("--env {spec}: calling `{attribute}()` failed: {error}").format(
                spec=spec, attribute=attribute, error=_why(error)
            )
        ) from None
    if not isinstance(made, Environment):
        raise PluginError(
            _("--env {spec}: `{attribute}()` returned {made}, not a qualitykpi Environment").format(
                spec=spec, attribute=attribute, made=_kind(made)
            )
        )
    return made


@attrs.define
class _Assembly:
    """An environment being gathered, and who registered each of its names."""

    environment: Environment = attrs.Factory(Environment)
    origins: dict[str, str] = attrs.Factory(dict)

    def add(self, extra: Environment, origin: str, *, same_is_fine: bool = False) -> None:
        """Register what ``extra`` holds; a name registered already is a clash."""
        scorers = self.environment.scorers
        for name, kind in extra.scorers.items():
            if self._takes(f"scorer `{name}`", scorers.get(name), kind, origin, same_is_fine):
                self.environment.register_scorer(
                    name, kind.factory, params=kind.params, optional=kind.optional, doc=kind.doc
                )
        statistics = self.environment.statistics
        for name, function in extra.statistics.items():
            held = statistics.get(name)
            if self._takes(f"statistic `{name}`", held, function, origin, same_is_fine):
                self.environment.register_statistic(name, function)

    def _takes(
        self,
        what: str,
        held: ScorerKind | Statistic | None,
        new: ScorerKind | Statistic,
        origin: str,
        same_is_fine: bool,
    ) -> bool:
        """Whether to register ``new``: yes when the name is free, no when the
        very same is held and that is fine; any other holder is a clash."""
        if held is None:
            self.origins[what] = origin
            return True
        if same_is_fine and held == new:
            return False
        raise PluginError(
            _("the {what} is registered by both {first} and {origin}").format(
                what=what, first=self.origins[what], origin=origin
            )
        )


def _with_plugins() -> _Assembly:
    assembly = _Assembly()
    for entry in _entry_points():
        own = Environment()
        register = _load(entry)
        try:
            register(own)
        except Exception as error:
            raise PluginError(
                _("{entry} failed to register: {error}").format(
                    entry=_describe(entry), error=_why(error)
                )
            ) from None
        assembly.add(own, _describe(entry))
    return assembly


def _entry_points() -> list[EntryPoint]:
    from importlib.metadata import entry_points

    # A fixed order, so that a clash is reported the same way every time.
    return sorted(entry_points(group=GROUP), key=lambda entry: (_distribution(entry), entry.name))


def _load(entry: EntryPoint) -> Callable[..., object]:
    try:
        register: object = entry.load()
    except Exception as error:
        raise PluginError(
            _("{entry} failed to load: {error}").format(entry=_describe(entry), error=_why(error))
        ) from None
    if not callable(register):
        raise PluginError(
            _("{entry} names {register}, not a function register(environment)").format(
                entry=_describe(entry), register=_kind(register)
            )
        )
    return register


def _distribution(entry: EntryPoint) -> str:
    dist = entry.dist
    return f"{dist.name} {dist.version}" if dist is not None else ""


def _describe(entry: EntryPoint) -> str:
    dist = _distribution(entry)
    source = f"{entry.value}, from {dist}" if dist else entry.value
    return f"plugin `{entry.name}` ({source})"


def _within(module: str, missing: str | None) -> bool:
    """Whether ``missing`` is ``module`` or one of the packages it lies in."""
    return missing is not None and f"{module}.".startswith(f"{missing}.")


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def _kind(value: object) -> str:
    name = type(value).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
