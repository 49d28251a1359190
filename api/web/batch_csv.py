"""Spreadsheet files of the batch pages: reading an upload, writing the template and results.

Reading is forgiving about what spreadsheet programs write and strict about size:

- at most :data:`MAX_UPLOAD_BYTES` and :data:`issuers.batches.MAX_ROWS` rows;
- UTF-8 with or without a byte order mark; a file that is not UTF-8 is read as Windows-1252
  (what Excel's plain "CSV" saves on Windows, with every Finnish and Swedish letter);
- the delimiter is what the header row uses: ``;`` (Finnish and Swedish Excel), ``,`` or tab;
- line ends CRLF, LF or CR; quoted cells may hold delimiters and line breaks;
- row 1 is the header, naming columns of the type (any order; optional ones may be left
  out); rows whose first cell starts with ``#`` (the template's example row) and empty rows
  are skipped; rows are numbered as the spreadsheet numbers them (the header is row 1).

Writing: UTF-8 with a byte order mark (Excel then reads ``ä`` and ``å`` right), CRLF line ends,
``;`` for Finnish and Swedish pages and ``,`` for English ones (each Excel's own list separator).
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from issuers.batches import MAX_ROWS, RowResult
from schemas.columns import Column

MAX_UPLOAD_BYTES: Final = 2 * 1024 * 1024
BOM: Final = "\ufeff"
COMMENT: Final = "#"
_DELIMITERS: Final = (";", ",", "\t")


class FileProblem(Exception):
    """The file as a whole cannot be read: ``reason`` says why (a key the page words) and
    ``names`` the columns concerned, if any."""

    def __init__(self, reason: str, names: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.names = tuple(names)


@dataclass(frozen=True)
class Upload:
    """The rows of an upload: ``(row number, cells by column name)``."""

    rows: tuple[tuple[int, dict[str, str]], ...]


def decode(data: bytes) -> str:
    """The text of an uploaded file (see the module docstring for the encodings)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.removeprefix(BOM)


def _delimiter(text: str) -> str:
    header = text.splitlines()[0] if text else ""
    counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_upload(data: bytes, table: Sequence[Column]) -> Upload:
    """The rows of an uploaded file for a type's ``table`` of columns.

    Raises :class:`FileProblem` with the reason ``too_big``, ``empty``, ``unreadable``,
    ``unknown_columns``, ``missing_columns``, ``duplicate_columns``, ``no_rows``,
    ``too_many_rows`` or ``too_many_cells``.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileProblem("too_big")
    text = decode(data)
    if not text.strip():
        raise FileProblem("empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        records = list(reader)
    except csv.Error:
        raise FileProblem("unreadable") from None
    header = [name.strip() for name in records[0]]
    while header and not header[-1]:
        header.pop()  # Excel keeps empty columns at the end
    known = {column.name for column in table}
    unknown = [name for name in header if name not in known]
    if unknown:
        raise FileProblem("unknown_columns", unknown[:10])
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise FileProblem("duplicate_columns", duplicates)
    missing = [column.name for column in table if column.required and column.name not in header]
    if missing:
        raise FileProblem("missing_columns", missing)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if record[0].lstrip().startswith(COMMENT):
            continue
        if any(cell.strip() for cell in record[len(header) :]):
            raise FileProblem("too_many_cells", [str(number)])
        rows.append((number, dict(zip(header, record, strict=False))))
        if len(rows) > MAX_ROWS:
            raise FileProblem("too_many_rows")
    if not rows:
        raise FileProblem("no_rows")
    return Upload(tuple(rows))


def _inert(cell: str) -> str:
    # A cell starting with = + - or @ is a formula to a spreadsheet (CSV injection, OWASP).
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def _delimiter_for(language: str) -> str:
    return "," if language == "en" else ";"


def _csv(records: Sequence[Sequence[str]], language: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=_delimiter_for(language), lineterminator="\r\n")
    writer.writerows(records)
    return (BOM + out.getvalue()).encode("utf-8")


def template_file(table: Sequence[Column], example: dict[str, str], *, language: str) -> bytes:
    """The template: the header row and one example row, its first cell marked with ``#``."""
    names = [column.name for column in table]
    cells = [example.get(name, "") for name in names]
    cells[0] = f"{COMMENT} {cells[0]}"
    return _csv([names, cells], language)


def results_file(
    results: Sequence[RowResult],
    names: dict[int, tuple[str, str]],
    errors: dict[str, str],
    *,
    other: str,
    header: Sequence[str],
    language: str,
) -> bytes:
    """One line per row: its number, the person's names, offer id, pickup code, until when it
    can be picked up, or the error (``errors`` words each error code it knows, ``other`` the
    rest, followed by the code)."""
    records: list[Sequence[str]] = [header]
    for result in results:
        given, family = names.get(result.row, ("", ""))
        records.append(
            [
                str(result.row),
                _inert(given),
                _inert(family),
                result.offer_id or "",
                result.pickup_code or "",
                "" if result.expires_at is None else result.expires_at.date().isoformat(),
                ""
                if result.error is None
                else errors.get(result.error, f"{other} ({result.error})"),
            ]
        )
    return _csv(records, language)
