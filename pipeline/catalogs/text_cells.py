"""Text cells that are safe to read and to open in a spreadsheet.

- Bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) can make a
  name display as another (the "Trojan Source" trick, Boucher & Anderson 2021); control
  characters hide text. Neither is accepted in any text cell (tabs and newlines are, in notes).
- A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
  formula by spreadsheets (OWASP, "CSV Injection"): names may not begin so, and CSV written
  for people prefixes such a cell with ``'``, which reading a CSV removes again.
"""

from __future__ import annotations

import polars as pl

from pipeline.errors import Problem

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
CONTROL = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))  # not tab, LF, CR
NAME_COLUMNS = ("name", "accelerator", "hardware", "model", "cluster", "framework")
_FORMULA = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_START) + "]"


def _any_of(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def problems(frame: pl.DataFrame) -> list[Problem]:
    """Every text cell with a bidirectional or control character, and every name that a
    spreadsheet would run as a formula (or that holds a tab or line break)."""
    labels = [_shown(n) for n in frame["name"].to_list()] if "name" in frame.columns else [None] * frame.height
    out = []
    for column in (c for c, t in frame.schema.items() if t == pl.String):
        is_name = column in NAME_COLUMNS
        checks = [(_any_of(BIDI), "a bidirectional control character"), (_any_of(CONTROL), "a control character")]
        if is_name:
            checks += [(r"[\t\r\n]", "a tab or line break"), (_FORMULA, "a first character that spreadsheets run "
                                                                       "as a formula (=, +, -, @)")]
        for pattern, what in checks:
            bad = frame.select(pl.arg_where(pl.col(column).str.contains(pattern).fill_null(False))).to_series()
            out += [Problem(i + 1, column, f"got {frame[column][i]!r}, which holds {what}; expected plain text",
                            labels[i]) for i in bad.to_list()]
    return out


def _shown(label: str | None) -> str | None:
    """A row's name as a message may print it: escaped where it holds what it must not."""
    if label is None or (label.isprintable() and not any(c in BIDI for c in label)):
        return label
    return label.encode("unicode_escape").decode("ascii")


def for_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells beginning like a formula, prefixed with ``'`` (OWASP's advice for CSV export)."""
    return frame.with_columns(pl.when(pl.col(pl.String).str.contains(_FORMULA))
                              .then(pl.lit("'") + pl.col(pl.String)).otherwise(pl.col(pl.String)).name.keep())


def from_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """The inverse of ``for_spreadsheet`` on a CSV read back."""
    escaped = pl.col(pl.String).str.contains("^'" + _FORMULA[1:])
    return frame.with_columns(pl.when(escaped).then(pl.col(pl.String).str.slice(1))
                              .otherwise(pl.col(pl.String)).name.keep())
