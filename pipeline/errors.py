"""Input errors that name the table, row and column, and list every bad cell at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based data row; None for a table- or column-level problem
    column: str | None
    message: str  # "got -1.0, expected > 0 (B/s)"
    label: str | None = None  # the row's name, when it has one

    def render(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.label})" if self.label else ""))
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where) or 'table'}: {self.message}"


class InputError(ValueError):
    """Bad user input (catalog, CSV, sweep spec, CLI argument). The CLI exits with code 2."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        n = len(problems)
        lines = [f"{source}: {n} problem{'s' if n != 1 else ''}"]
        lines += [f"  - {p.render()}" for p in problems]
        super().__init__("\n".join(lines))


class UnknownNameError(InputError):
    """An unknown catalog name, with the closest known names as suggestions."""

    def __init__(self, kind: str, name: str, known: list[str]):
        import difflib

        close = difflib.get_close_matches(name, known, n=3, cutoff=0.3)
        if not close:
            lowered = name.lower()
            close = [k for k in known if lowered in k.lower()][:3]
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        self.suggestions = close
        super().__init__(kind, [Problem(None, None, f"unknown name {name!r}{hint}")])
