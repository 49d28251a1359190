"""The batch pages' words: each row problem and each file problem in the page language.

:func:`schemas.validate_claims` words its rules in plain English without values ("must be at
most 8"); here each rule becomes a sentence that tells the staff member what to write instead,
in Finnish, Swedish or English. A rule not known here gets a general sentence, never the
English one.
"""

import re
from collections.abc import Callable
from typing import Final

from api.web.rendering import Page
from issuers.batches import RowProblem
from schemas import claim_label
from schemas.columns import LIST_SEPARATOR, Column

_NUMBER: Final = re.compile(r"must be (at least|at most|more than|less than) (-?[\d.]+)$")
_LENGTH: Final = re.compile(r"must be (at most|at least) (\d+) characters long$")
_ITEMS: Final = re.compile(r"must have at most (\d+) items$")


def column_label(page: Page, slug: str, column: Column) -> str:
    """The column's label from the type metadata in the page language (a member of an object
    after the object's label: "Awarding body: Name"); its header name when it has none."""
    label = claim_label(slug, column.path, page.language)
    if label is None:
        return column.name
    if len(column.path) > 1:
        parent = claim_label(slug, column.path[:1], page.language)
        return f"{parent}: {label}" if parent else label
    return label


def _by_message(page: Page, message: str) -> str | None:
    _ = page._
    fixed: dict[str, Callable[[], str]] = {
        "is required but missing": lambda: _("Fill this in: it is required."),
        "must not be empty": lambda: _("Fill this in: it is required."),
        "must be an integer": lambda: _("Write a whole number, such as 4."),
        "must be a number": lambda: _("Write a number, such as 37,5."),
        "must be a date in the form YYYY-MM-DD": lambda: _(
            "Write a date such as 31.5.2024 or 2024-05-31."
        ),
        "must be an absolute URI": lambda: _("Write a full address that starts with https://."),
        "must not contain control characters": lambda: _(
            "Remove the invisible control characters."
        ),
    }
    if message in fixed:
        return fixed[message]()
    if message.startswith("must be one of: "):
        return _("Write one of: %(choices)s.", choices=message.removeprefix("must be one of: "))
    if found := _LENGTH.fullmatch(message):
        if found.group(1) == "at most":
            return _("Write at most %(count)s characters.", count=found.group(2))
        return _("Write at least %(count)s characters.", count=found.group(2))
    if found := _NUMBER.fullmatch(message):
        words = {
            "at least": _("The number must be at least %(number)s.", number=found.group(2)),
            "at most": _("The number must be at most %(number)s.", number=found.group(2)),
            "more than": _("The number must be more than %(number)s.", number=found.group(2)),
            "less than": _("The number must be less than %(number)s.", number=found.group(2)),
        }
        return words[found.group(1)]
    if found := _ITEMS.fullmatch(message):
        return _("Give at most %(count)s items.", count=found.group(1))
    if message.startswith(("does not have the required form", "does not match any allowed form")):
        return _("This is not in the required form.")
    return None


def problem_text(page: Page, problem: RowProblem) -> str:
    """What is wrong and what to write instead, in the page language."""
    _ = page._
    by_code: dict[str, Callable[[], str]] = {
        "unknown_skill": lambda: _(
            "This is not an ESCO skill. Write the skill's ESCO address (URI) or its exact "
            "ESCO name."
        ),
        "unknown_occupation": lambda: _("This is not an ESCO occupation address."),
        "personal_identity_code": lambda: _(
            "Remove the personal identity code: a credential never carries one."
        ),
        "personal_identity_code_refused": lambda: _(
            "Remove the personal identity code: a credential never carries one."
        ),
        "invalid_business_id": lambda: _("The business ID has a wrong check digit."),
        "end_before_start": lambda: _("The end date is before the start date."),
    }
    if problem.code in by_code:
        text = by_code[problem.code]()
    else:
        text = _by_message(page, problem.message) or _("This value is not accepted.")
    if problem.item is not None:
        return _("Item %(number)s: %(problem)s", number=problem.item, problem=text)
    return text


def file_problem_text(page: Page, reason: str, names: tuple[str, ...], limit_mb: int) -> str:
    """Why a whole file was not read, and what to do."""
    _ = page._
    listed = ", ".join(names)
    words: dict[str, Callable[[], str]] = {
        "no_file": lambda: _("Choose the file to upload."),
        "too_big": lambda: _(
            "The file is too big: it may be at most %(size)s MB. Split it into several files.",
            size=limit_mb,
        ),
        "empty": lambda: _("The file is empty."),
        "unreadable": lambda: _(
            "The file could not be read as CSV. Save it in Excel as “CSV UTF-8” and try again."
        ),
        "unknown_columns": lambda: _(
            "The first row has columns this type does not have: %(names)s. Start from the "
            "template and keep its first row as it is.",
            names=listed,
        ),
        "missing_columns": lambda: _(
            "The first row lacks required columns: %(names)s. Start from the template.",
            names=listed,
        ),
        "duplicate_columns": lambda: _(
            "The first row has the same column twice: %(names)s.", names=listed
        ),
        "too_many_cells": lambda: _(
            "Row %(row)s has more cells than the first row has columns.", row=listed
        ),
        "too_many_rows": lambda: _(
            "The file has more than 1,000 people. Split it into several files."
        ),
        "no_rows": lambda: _("The file has no people in it: fill one row for each person."),
    }
    return words[reason]() if reason in words else _("The file could not be read.")


def list_hint(page: Page) -> str:
    """How to write several items in one cell."""
    return page._(
        "Several items in one cell: separate them with a semicolon (%(separator)s).",
        separator=LIST_SEPARATOR,
    )
