"""The CSV specifics of :func:`linnet.datasets.read_csv`: delimiter, header and cells, each error with its line;
messy files: skipped text columns, one-hot ``categorical`` columns, rows with a missing value dropped."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from .._naming import distinct_columns
from .._warnings import warn

MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none"})
_SNIFFED_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 8192


def csv_rows(path: Path, delimiter: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and the non-blank data rows as ``(line number, fields)``."""
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'):
        raise ValueError("delimiter must be one character other than a quote or newline. "
                         f"Received: delimiter={delimiter!r}")
    text = _csv_text(path)
    delimiter = delimiter or sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows = [(reader.line_num, fields) for fields in reader if fields]
    except csv.Error as error:
        raise ValueError(f"{str(path)!r} is not a valid CSV file: {error}.") from None
    if not rows:
        raise ValueError(f"{str(path)!r} is empty; linnet needs a header row naming the columns, then data rows.")
    header = checked_header(rows[0][1], path)
    for line, fields in rows[1:]:
        if len(fields) != len(header):
            raise ValueError(f"Line {line} of {str(path)!r} has {len(fields)} field(s) but the header has "
                             f"{len(header)} (delimiter {delimiter!r}).")
    return header, rows[1:]


def _csv_text(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise ValueError(f"{str(path)!r} is not a UTF-8 text (CSV) file: undecodable byte at offset "
                         f"{error.start}.") from None
    if "\x00" in text:
        raise ValueError(f"{str(path)!r} contains NUL bytes; it looks like a binary file, not a CSV file.")
    return text


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter from the first whole lines of ``text``; ``","`` when the guess fails."""
    sample = text[:_SNIFF_CHARS]
    sample = sample[:sample.rfind("\n") + 1] or sample
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFFED_DELIMITERS).delimiter
    except csv.Error:
        return ","


def checked_header(fields: list[str], path: Path) -> list[str]:
    """The header's names, stripped; refused if it looks like data, leaves a column unnamed or repeats a name."""
    header = [field.strip() for field in fields]
    if all(_is_number(name) for name in header):
        raise ValueError(f"The first row of {str(path)!r} looks like data ({', '.join(fields[:5])}); "
                         f"linnet needs a header row naming the columns.")
    if "" in header:
        raise ValueError(f"Column {header.index('') + 1} of the header of {str(path)!r} has no name.")
    distinct_columns(header, f"The header of {str(path)!r}")
    return header


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_number(text: str, column: str, line: int, path: Path) -> float:
    if text.strip().lower() in MISSING_TEXT:
        raise ValueError(f"Column {column!r} has a missing value ({text!r}) on line {line} of {str(path)!r}; "
                         f"remove or fill that row first, or drop such rows with dropna=True (linnet: --dropna).")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"Column {column!r} has the non-numeric value {text!r} on line {line} of "
                         f"{str(path)!r}; leave it out of features (linnet: --features ...), or one-hot encode "
                         f"it with categorical=[{column!r}] (linnet: --categorical {column}).") from None
    if not math.isfinite(value):
        raise ValueError(f"Column {column!r} has the infinite value {text!r} on line {line} of {str(path)!r}.")
    return value


def _is_missing(text: str) -> bool:
    return text.strip().lower() in MISSING_TEXT


def numeric_columns(header: list[str], rows, candidates: list[str], path: Path) -> list[str]:
    """The ``candidates`` whose every present cell is a number; warns naming the others, which are skipped."""
    def numeric(name: str) -> bool:
        index = header.index(name)
        return all(_is_missing(fields[index]) or _is_number(fields[index]) for _, fields in rows)
    kept = [name for name in candidates if numeric(name)]
    skipped = [name for name in candidates if name not in kept]
    if skipped:
        listed = ", ".join(repr(name) for name in skipped)
        warn(f"{str(path)!r}: skipped the non-numeric column(s) {listed}; one-hot encode one with "
             f"categorical=[...] (linnet: --categorical {skipped[0]}).")
    return kept


def complete_rows(rows, indices: list[int], dropna: bool, path: Path):
    """``rows`` without those missing a value in ``indices`` when ``dropna`` (warning how many); else as is."""
    if not dropna:
        return rows
    kept = [(line, fields) for line, fields in rows if not any(_is_missing(fields[i]) for i in indices)]
    if not kept:  # the error says it all: no warning before it
        raise ValueError(f"Every row of {str(path)!r} has a missing value in the chosen columns, so dropna left none.")
    if len(kept) < len(rows):
        warn(f"{str(path)!r}: dropped {len(rows) - len(kept)} of {len(rows)} row(s) with a missing value "
             f"(dropna).")
    return kept


def one_hot(cells: list[str], name: str, path: Path) -> tuple[np.ndarray, list[str]]:
    """Indicator columns ``name=level`` of the sorted levels of ``cells``, the first level dropped (the baseline)."""
    values = [cell.strip() for cell in cells]
    levels = sorted(set(values))
    if len(levels) < 2:
        raise ValueError(f"The categorical column {name!r} of {str(path)!r} has a single level ({levels[0]!r}), so "
                         f"it cannot explain anything; leave it out.")
    codes = np.array([levels.index(value) for value in values])
    return (codes[:, None] == np.arange(1, len(levels))).astype(np.float64), [f"{name}={level}" for level in levels[1:]]
