"""A blank data sheet for collecting a year's data for a rule.

The CSV template is the header row alone, so it is fillable as it stands and
:func:`~qualitykpi.readers.read_table` reads it back; what the columns mean
is in :func:`template_notes`.  The XLSX template keeps row 1 as the header
too and stops bad values at entry with Excel data validation, so a typo is
caught by the person typing rather than at scoring time.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from fractions import Fraction
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal, TextIO

import attrs

from .domains import Domain
from .i18n import N_, _
from .nodes.tree import Item, Section
from .source import display_width
from .values import fmt, to_decimal

if TYPE_CHECKING:
    from .scheme import Scheme

#: The sheet of the XLSX template to fill in (the reader takes the first sheet,
#: whatever its name).
DATA_SHEET = N_("data")

#: Rows of the XLSX template that carry data validation (row 1 is the header).
VALIDATED_ROWS = 1000

_UNITS: Mapping[str, str] = {"percent": "%", "count": "个/项"}

#: The input types as the notes name them (the rule language's words).
_TYPES: Mapping[str, str] = {
    "text": N_("text"),
    "percent": N_("percent"),
    "count": N_("count"),
    "number": N_("number"),
    "yes/no": N_("yes/no"),
    "level": N_("level"),
}


@attrs.frozen
class TemplateColumn:
    """One column of the data sheet and what may be written in it.

    ``low``/``high`` are the exact bounds a value must lie within (``None``:
    unbounded); ``step`` is the declared reporting precision.
    """

    name: str
    label: str
    kind: Literal["entity", "input", "assessed"]
    type: str
    unit: str
    allowed: str
    low: Fraction | None = None
    high: Fraction | None = None
    step: Fraction | None = None
    deduction: bool = False
    #: A level input's values, the only texts its cells may hold.
    levels: tuple[str, ...] = ()
    #: An assessor's adjustment to a computed score (``assessed adjustment``).
    adjustment: bool = False
    #: The input the column fills, when it is titled by the input's header, not its name.
    input: str | None = None


def template_columns(scheme: Scheme, entity: str = "entity") -> list[TemplateColumn]:
    """The entity column, then one column per input of the rule, in its order."""
    columns = [
        TemplateColumn(entity, _("entity name"), "entity", "text", "", _("text, one row each"))
    ]
    assessed = {item.id: item for item in scheme.scorer.assessed_ids()}
    users = _users(scheme)
    for name, spec in scheme.inputs.items():
        item = assessed.get(name)
        if item is not None:
            columns.append(_assessed_column(item))
            continue
        label = "、".join(users.get(name, ())) or _("(used by no item)")
        if name.startswith("previous "):
            label = _("{label} — last period's value (or last period's file: --previous)").format(
                label=label
            )
        step = spec.precision
        low: Fraction | None = None
        high: Fraction | None = None
        if spec.type not in ("yes/no", "level"):
            # The input's domain: its type's bounds, narrowed by `at least`/`at most`.
            domain = Domain.of(spec)
            low, high = domain.low, domain.high
        if spec.type == "percent":
            allowed = _stepped("0–100", step)
        elif spec.type == "count":
            allowed = _stepped(_("whole number ≥ 0"), step if step != 1 else None)
        elif spec.type == "number":
            allowed = _stepped(_("any number"), step)
        elif spec.type == "level":
            allowed = _("one of {levels}").format(levels="、".join(spec.levels))
        else:
            allowed = _("yes/no (是/否)")
        if spec.type not in ("yes/no", "level") and (spec.low is not None or spec.high is not None):
            allowed = _stepped(_bounds_text(spec.type, low, high), step if step != 1 else None)
        unit = _UNITS.get(spec.type, "")
        title = spec.header or name
        if spec.header:
            # The sheet says which input a headed column fills: errors name the input.
            label = _("{label} (input {name})").format(label=label, name=name)
        columns.append(
            TemplateColumn(
                title,
                label,
                "input",
                spec.type,
                unit,
                allowed,
                low,
                high,
                step,
                False,
                spec.levels,
                input=name if spec.header else None,
            )
        )
    return columns


def _stepped(allowed: str, step: Fraction | None) -> str:
    """What a column allows, with its reporting precision when it has one."""
    if step is None:
        return allowed
    return _("{allowed}, step {step}").format(allowed=allowed, step=fmt(step))


def _bounds_text(type_: str, low: Fraction | None, high: Fraction | None) -> str:
    whole = type_ == "count"
    if low is not None and high is not None:
        message = _("whole number {low}–{high}") if whole else _("number {low}–{high}")
    elif low is not None:
        message = _("whole number ≥ {low}") if whole else _("number ≥ {low}")
    else:
        assert high is not None
        message = _("whole number ≤ {high}") if whole else _("number ≤ {high}")
    return message.format(
        low=fmt(low) if low is not None else "", high=fmt(high) if high is not None else ""
    )


def _assessed_column(item: Item) -> TemplateColumn:
    # The values the item's judgement accepts: a score, a deduction within
    # [0, cap], an adjustment, or a deduction per event (its range depends on
    # the entity's count of events: the sheet states it, and stops nothing
    # below 0).
    judgement = item.judgement()
    assert judgement is not None
    low, high = judgement.low, judgement.high
    if judgement.events is not None:
        allowed = _("{allowed} (assessed)").format(allowed=judgement.describe())
        return TemplateColumn(
            item.id, item.name, "assessed", "number", "", allowed, Fraction(0), None, None, True
        )
    if judgement.kind == "score":
        # "-2–0" reads badly: a deduct-only item's score runs from −cap to 0.
        if low < 0:
            allowed = _("{low} to {high} (assessed)").format(low=fmt(low), high=fmt(high))
        else:
            allowed = _("{low}–{high} (assessed)").format(low=fmt(low), high=fmt(high))
    else:
        allowed = _("{allowed} (assessed)").format(allowed=judgement.describe())
    deduction = judgement.kind == "deduction"
    adjustment = judgement.kind == "adjustment"
    return TemplateColumn(
        item.id,
        item.name,
        "assessed",
        "number",
        "",
        allowed,
        low,
        high,
        None,
        deduction,
        adjustment=adjustment,
    )


def _compared(item: Item) -> tuple[str, ...]:
    """The values an item's lines compare with or compute their scores from."""
    names: list[str] = []
    if item.table is not None:
        for line in item.table.lines:
            for expression in line.expressions():
                names.extend(expression.needs().inputs)
    return tuple(names)


def _users(scheme: Scheme) -> dict[str, list[str]]:
    """For each input, the names of the items (and vetoes) that read it."""
    users: dict[str, list[str]] = {}
    # Nodes named under their item: its parts, and its own bonuses.
    under = {
        child.id
        for node in scheme.scorer.walk()
        for child in node.children
        if isinstance(node, Item)
    }
    for node in scheme.scorer.walk():
        if not isinstance(node, Item):
            continue
        # An item with parts reads only through them; a part's name ("蔬菜")
        # needs its item's name to be understood.
        for part in node.children:
            for name in part.inputs():
                users.setdefault(name, []).append(f"{node.name} › {part.name}")
        if node.id not in under and not node.parts:
            for name in (*node.inputs(), *_compared(node)):
                users.setdefault(name, []).append(node.name)
    for section in scheme.scorer.walk():
        if isinstance(section, Section) and section.combine is not None:
            for name in section.combine.reads():
                users.setdefault(name, []).append(section.name)
    for veto in scheme.scorer.vetoes:
        users.setdefault(veto.input, []).append(_("{veto} (veto)").format(veto=veto.name))
    # A computed value's users read what it is computed from (last in first:
    # a let reads only lets before it).
    for let in reversed(scheme.scorer.lets):
        for name in sorted(let.reads() | let.cohort()):
            users.setdefault(name, []).extend(users.get(let.name, ()))
    return {name: list(dict.fromkeys(labels)) for name, labels in users.items()}


def template_notes(scheme: Scheme, entity: str = "entity") -> str:
    """A plain-text table of the template's columns: what to write in each."""
    rows = [(_("column"), _("type"), _("unit"), _("allowed"), _("meaning"))]
    for column in template_columns(scheme, entity):
        rows.append((column.name, type_name(column), column.unit, column.allowed, column.label))
    widths = [max(display_width(row[i]) for row in rows) for i in range(4)]
    heading = _("Data sheet for {scheme}: one row per entity; a blank cell is no data.")
    lines = [heading.format(scheme=scheme.name)]
    for row in rows:
        cells = [
            cell + " " * (width - display_width(cell))
            for cell, width in zip(row, widths, strict=False)
        ]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines) + "\n"


def type_name(column: TemplateColumn) -> str:
    """The column's type as the notes name it, in the current language."""
    return _(_TYPES[column.type]) if column.type in _TYPES else column.type


def write_template_csv(scheme: Scheme, out: TextIO, entity: str = "entity") -> None:
    """Write the header row only: directly fillable and re-readable."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column.name for column in template_columns(scheme, entity)])


# ------------------------------------------------------------------ xlsx


def write_template_xlsx(scheme: Scheme, path: str | PathLike[str], entity: str = "entity") -> None:
    """Write a workbook: a sheet to fill in ("data", in Chinese "填报数据") and one
    explaining its columns ("notes", "说明"), in the current language."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
        DataValidation,
    )

    columns = template_columns(scheme, entity)
    workbook = Workbook()
    workbook.properties.title = scheme.name
    sheet = workbook.active
    sheet.title = _(DATA_SHEET)
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.name)
        cell.font = bold
        note = f"{column.label}\n{column.allowed}" + (f" ({column.unit})" if column.unit else "")
        cell.comment = Comment(note, "qualitykpi", width=300, height=120)
        # Entity names are Chinese (two columns per character); ids are ASCII.
        wide = 18 if column.kind == "entity" else 10
        sheet.column_dimensions[letter].width = max(display_width(column.name) + 2, wide)
        validation = _validation(column, letter, DataValidation)
        if validation is not None:
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"

    notes = workbook.create_sheet(_("notes"))
    header = (_("column"), _("meaning"), _("type"), _("unit"), _("allowed"))
    notes.append(header)
    for column in columns:
        notes.append(_notes_row(column))
    notes.append(())
    fill = _("Fill the sheet '{sheet}': one row per entity; a blank cell is no data.")
    notes.append(("", fill.format(sheet=sheet.title)))
    for cell in notes[1]:
        cell.font = bold
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for index in range(len(header)):
        texts = [header[index], *(_notes_cell(column, index) for column in columns)]
        width = max(display_width(text) for text in texts) + 2
        notes.column_dimensions[get_column_letter(index + 1)].width = min(width, 60)
    notes.freeze_panes = "A2"
    workbook.save(path)


def _notes_row(column: TemplateColumn) -> tuple[str, str, str, str, str]:
    return (column.name, column.label, type_name(column), column.unit, column.allowed)


def _notes_cell(column: TemplateColumn, index: int) -> str:
    return _notes_row(column)[index]


def _decimal(value: Fraction) -> str:
    # Bounds come from decimal literals in the rule, so they print exactly.
    return format(to_decimal(value), "f")


def _validation(column: TemplateColumn, letter: str, factory: Any) -> Any:
    """The Excel data validation that stops a bad value in ``column``."""
    first, last = 2, VALIDATED_ROWS
    title = _("Invalid value")
    if column.kind == "entity":
        # Each entity once: a second row for it would not be scored.
        formula = f"COUNTIF(${letter}${first}:${letter}${last},{letter}{first})=1"
        rule = factory(type="custom", formula1=formula)
        title = _("Duplicate entity")
        error = _("Each entity has one row.")
    elif column.type == "yes/no":
        rule = factory(type="list", formula1='"是,否,yes,no"')
        error = _("Choose 是, 否, yes or no.")
    elif column.type == "level":
        listed = ",".join(column.levels)
        # Excel's list is comma-separated and at most 255 characters: levels
        # that do not fit are left to the reader, which names the allowed ones.
        if any("," in level or '"' in level for level in column.levels) or len(listed) > 255:
            return None
        rule = factory(type="list", formula1=f'"{listed}"')
        error = _("Choose one of {levels}.").format(levels=_(", ").join(column.levels))
    elif column.kind == "assessed" and column.high is None:
        # A deduction per event: its top depends on the row's count of events,
        # which the scoring checks; the sheet stops only what no count allows.
        assert column.low is not None
        low = _decimal(column.low)
        rule = factory(type="decimal", operator="greaterThanOrEqual", formula1=low)
        error = _("Enter the deduction: {allowed}.").format(allowed=column.allowed)
    elif column.kind == "assessed" or column.type == "percent":
        assert column.low is not None and column.high is not None
        low, high = _decimal(column.low), _decimal(column.high)
        rule = factory(type="decimal", operator="between", formula1=low, formula2=high)
        if column.deduction:
            message = _("Enter the deduction, {low} to {high}.")
        elif column.adjustment:
            message = _("Enter the adjustment, {low} to {high}.")
        elif column.kind == "assessed":
            message = _("Enter the assessed score, {low} to {high}.")
        else:
            message = _("Enter a percentage, {low} to {high}.")
        error = message.format(low=low, high=high)
    elif column.type == "count":
        rule = factory(type="whole", operator="greaterThanOrEqual", formula1="0")
        error = _("Enter a whole number, 0 or more.")
    elif column.type == "number":
        # Any number: the bound is only Excel's largest, so text is refused.
        rule = factory(type="decimal", operator="greaterThanOrEqual", formula1="-9.99E+307")
        error = _("Enter a number.")
    else:
        return None
    if column.step is not None:
        error = _("{message} In steps of {step}.").format(message=error, step=fmt(column.step))
    rule.allow_blank = True  # blank means no data, which the rule handles
    rule.showErrorMessage = True
    rule.errorStyle = "stop"
    rule.errorTitle = title
    rule.error = error
    rule.showInputMessage = True
    # Excel refuses a prompt title over 32 characters or a prompt over 255.
    rule.promptTitle = column.name[:32]
    prompt = f"{column.label}\n{column.allowed}"
    rule.prompt = prompt if len(prompt) <= 255 else prompt[:254] + "…"
    rule.add(f"{letter}{first}:{letter}{last}")
    return rule
