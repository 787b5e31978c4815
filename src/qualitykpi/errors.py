"""The library's exceptions.

``RuleError`` is the library-wide base: every error qualitykpi raises on
purpose is one, and each carries where it happened.  Errors of one pass are
collected, so a caller sees all of them at once through ``.errors``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .i18n import _, ngettext
from .source import Source, Span
from .surface import in_chinese


class RuleError(ValueError):
    """A problem in a rule file (or, for subclasses, in data scored by one).

    ``filename``, ``line`` and ``column`` say where; ``message`` is the
    sentence without the location; ``str()`` gives the full text a rule
    author sees, with the offending line and a caret.
    """

    code: str = "rule-error"

    def __init__(
        self,
        message: str,
        *,
        source: Source | None = None,
        span: Span | None = None,
        hint: str | None = None,
    ) -> None:
        if source is not None and source.chinese:
            # The examples in a message are written as the author writes the file.
            message = in_chinese(message)
            hint = None if hint is None else in_chinese(hint)
        self.message = message
        self.source = source
        self.span = span
        self.hint = hint
        super().__init__(self.render())

    @property
    def filename(self) -> str | None:
        return self.source.name if self.source is not None else None

    @property
    def line(self) -> int | None:
        return self.span.line if self.span is not None and self.span.line > 0 else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span is not None and self.span.line > 0 else None

    @property
    def errors(self) -> tuple[RuleError, ...]:
        """All the errors this exception stands for (just itself here)."""
        return (self,)

    def render(self) -> str:
        where = ""
        if self.source is not None:
            where = self.source.name
            if self.span is not None and self.span.line > 0:
                where += f":{self.span.line}:{self.span.column}"
            where += ": "
        # The labels are translated; the location and the code-like parts are not.
        text = where + _("error: {message}").format(message=self.message)
        if self.source is not None and self.span is not None and self.span.line > 0:
            text += "\n" + self.source.snippet(self.span)
        if self.hint:
            text += "\n      " + _("= help: {hint}").format(hint=self.hint)
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[RuleError], state: dict[str, Any]) -> RuleError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    ValueError.__init__(error, error.render())
    return error


class RuleSyntaxError(RuleError):
    """The text of a rule file does not follow the grammar."""

    code = "syntax"


class RuleSemanticError(RuleError):
    """A rule file parses but says something that cannot mean anything.

    ``code`` names the kind of mistake (``undefined-input``,
    ``reversed-range``, ...); the language reference lists them all.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        source: Source | None = None,
        span: Span | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        super().__init__(message, source=source, span=span, hint=hint)


class RuleErrors(RuleError):
    """Several rule errors found in one pass, reported together."""

    code = "several"

    def __init__(self, errors: Sequence[RuleError]) -> None:
        self._errors = tuple(errors)
        first = self._errors[0]
        count = len(self._errors)
        self.message = ngettext("{count} error", "{count} errors", count).format(count=count)
        self.source = first.source
        self.span = first.span
        self.hint = None
        ValueError.__init__(self, self.render())

    @property
    def errors(self) -> tuple[RuleError, ...]:
        return self._errors

    def render(self) -> str:
        body = "\n\n".join(error.render() for error in self._errors)
        count = len(self._errors)
        total = ngettext("{count} error.", "{count} errors.", count).format(count=count)
        return f"{body}\n\n{total}"


class DataError(RuleError):
    """A value in the data cannot be scored by the rule.

    Names the entity, the input (or assessed item id), the value as given,
    and the rule line that needed it.
    """

    code = "data"

    def __init__(
        self,
        message: str,
        *,
        entity: str | None = None,
        input: str | None = None,
        value: object = None,
        source: Source | None = None,
        span: Span | None = None,
        hint: str | None = None,
    ) -> None:
        self.entity = entity
        self.input = input
        self.value = value
        super().__init__(message, source=source, span=span, hint=hint)

    def render(self) -> str:
        text = self.message
        if self.source is not None:
            rule = self.source.name
            if self.span is not None and self.span.line > 0:
                rule += f":{self.span.line}"
            text = _("{message} (rule {rule})").format(message=text, rule=rule)
        if self.hint:
            text = _("{message}; {hint}").format(message=text, hint=self.hint)
        if self.entity is not None:
            text = _("entity {entity}: {message}").format(entity=repr(self.entity), message=text)
        return text


def raise_collected(errors: Sequence[RuleError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RuleErrors(errors)


def besides(found: Sequence[DataError], unread: Sequence[DataError]) -> list[DataError]:
    """The errors in ``found`` about other inputs than the cells in ``unread``: what
    an entity's unreadable cells caused downstream is not news."""
    inputs = {error.input for error in unread}
    return [error for error in found if error.input not in inputs]
